# SPDX-License-Identifier: Apache-2.0
"""dynamo-cache Lustre restripe (modelDownload.restripe): spread a model cache filled unstriped
(by an older chart, an image without `lfs`, or by hand) over every OST, in place, without a new
download, as NVIDIA Dynamo's "Fast Model Weight Loading" guide does:

- each model folder (HF_HOME/hub/models--*) and its blobs/ get the default layout
  `lfs setstripe -c -1 -S 4M`, so files written later are born wide;
- each blob striped over fewer OSTs than the filesystem has is rewritten in place with
  `lfs migrate -c -1 -S 4M` (the snapshots are links into blobs/, so they follow);
- idempotent: a blob already over every OST is left alone, so a second run changes nothing;
- without `lfs` in the image it says so and exits 0: nothing is changed.

Environment: HF_HOME (the model cache's mount)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

LAYOUT = ["-c", "-1", "-S", "4M"]  # every OST, 4 MiB stripes (the download Job's layout)


def log(message: str) -> None:
    print(f"restripe: {message}", flush=True)


def lfs(binary: str, *args: str) -> str:
    return subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout


def main() -> int:
    home = Path(os.environ["HF_HOME"])
    binary = shutil.which("lfs")
    if binary is None:
        log(
            "lfs is not in this image: nothing restriped "
            "(set modelDownload.image to an image with Python and the Lustre client tools)"
        )
        return 0
    osts = sum(1 for line in lfs(binary, "df", str(home)).splitlines() if "OST:" in line)
    if osts == 0:
        log(f"{home} is not a Lustre mount with OSTs (lfs df lists none): nothing restriped")
        return 0
    moved = wide = 0
    try:
        for repo in sorted((home / "hub").glob("models--*")):
            blobs = repo / "blobs"
            for folder in (repo, blobs):
                if folder.is_dir():
                    lfs(binary, "setstripe", *LAYOUT, str(folder))
            for blob in sorted(blobs.iterdir()) if blobs.is_dir() else []:
                if not blob.is_file() or blob.is_symlink():
                    continue
                if int(lfs(binary, "getstripe", "-c", str(blob)).strip() or 0) >= osts:
                    wide += 1
                    continue
                lfs(binary, "migrate", *LAYOUT, str(blob))
                moved += 1
                log(f"restriped {blob.relative_to(home)} over {osts} OSTs")
    except subprocess.CalledProcessError as exc:
        log(f"failed: lfs {' '.join(exc.cmd[1:])}: {(exc.stderr or '').strip()}; files restriped so far stay so")
        return 1
    log(f"done: {moved} file(s) restriped, {wide} already over all {osts} OSTs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
