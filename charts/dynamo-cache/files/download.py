# SPDX-License-Identifier: Apache-2.0
"""dynamo-cache model download: fills the model cache the way Dynamo reads it
(<HF_HOME>/hub/models--org--name/snapshots/<sha>), safe to run again and again.

- A snapshot that is already complete (same model, commit, include/exclude
  patterns) is a no-op: for a commit-SHA revision, without touching the network.
- Files are downloaded into <HF_HOME>/.dynamo-cache/staging on the same
  filesystem, then published by renames: a failed or interrupted download never
  leaves a half-complete snapshot where workers look, and the next attempt
  resumes from the staging area.
- On Lustre the directories are striped first (lfs setstripe -c -1 -S 4M), so
  each large file spreads over every OST; without `lfs` in the image that step is
  skipped with a message.

Environment: HF_HOME, MODEL, REVISION, INCLUDE / EXCLUDE (JSON lists),
LUSTRE_STRIPE ("true"), PIP_PACKAGES (pinned, space-separated), PIP_TARGET,
and the usual huggingface_hub variables (HF_TOKEN_PATH, HF_XET_HIGH_PERFORMANCE).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

COMMIT = re.compile(r"^[0-9a-f]{40}$")


def log(message: str) -> None:
    print(f"model-download: {message}", flush=True)


class Job:
    def __init__(self, env: dict[str, str]) -> None:
        self.home = Path(env["HF_HOME"])
        self.model = env["MODEL"]
        self.revision = env.get("REVISION") or "main"
        self.include = json.loads(env.get("INCLUDE") or "[]") or None
        self.exclude = json.loads(env.get("EXCLUDE") or "[]") or None
        self.stripe_dirs = env.get("LUSTRE_STRIPE") == "true"
        self.pip_packages = (env.get("PIP_PACKAGES") or "").split()
        self.pip_target = Path(env.get("PIP_TARGET") or "/tmp/pip")
        self.hub = self.home / "hub"
        self.state = self.home / ".dynamo-cache"
        self.repo = "models--" + self.model.replace("/", "--")

    # -- what "complete" means -------------------------------------------------
    def marker(self, sha: str) -> Path:
        return self.state / "complete" / f"{self.repo}@{sha}.json"

    def wanted(self, sha: str) -> dict[str, Any]:
        return {"model": self.model, "commit": sha, "include": self.include, "exclude": self.exclude}

    def complete(self, sha: str) -> bool:
        marker = self.marker(sha)
        if not (marker.is_file() and (self.hub / self.repo / "snapshots" / sha).is_dir()):
            return False
        try:
            return json.loads(marker.read_text()) == self.wanted(sha)
        except ValueError:
            return False

    # -- steps -----------------------------------------------------------------
    def stripe(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if not self.stripe_dirs:
            return
        lfs = shutil.which("lfs")
        if lfs is None:
            log(f"lfs is not in this image: {path} stays unstriped (add the Lustre client tools to stripe it)")
            return
        done = subprocess.run([lfs, "setstripe", "-c", "-1", "-S", "4M", str(path)], capture_output=True, text=True)
        if done.returncode == 0:
            log(f"striped {path} over all OSTs (4 MiB stripes)")
        else:
            log(f"lfs setstripe {path} failed, continuing unstriped: {done.stderr.strip()}")

    def huggingface_hub(self) -> Any:
        if self.pip_packages:
            log(f"installing {' '.join(self.pip_packages)}")
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-cache-dir",
                            "--disable-pip-version-check", "--target", str(self.pip_target), *self.pip_packages],
                           check=True)
            sys.path.insert(0, str(self.pip_target))
        import huggingface_hub

        return huggingface_hub

    def publish(self, staged: Path, sha: str) -> None:
        """Move a finished staging repo into the hub with renames only."""
        final = self.hub / self.repo
        (final / "blobs").mkdir(parents=True, exist_ok=True)
        (final / "snapshots").mkdir(parents=True, exist_ok=True)
        staged_blobs = staged / "blobs"
        if staged_blobs.is_dir():
            for blob in staged_blobs.iterdir():
                target = final / "blobs" / blob.name  # named by content hash: same name, same bytes
                if not target.exists():
                    os.replace(blob, target)
        incoming = final / "snapshots" / f".incoming-{sha}"
        if incoming.exists():
            shutil.rmtree(incoming)
        os.replace(staged / "snapshots" / sha, incoming)
        snapshot = final / "snapshots" / sha
        if snapshot.exists():  # the same commit with other patterns: replace it whole
            retired = self.state / "retired" / f"{sha}-{time.time_ns()}"
            retired.parent.mkdir(parents=True, exist_ok=True)
            os.replace(snapshot, retired)
            os.replace(incoming, snapshot)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(incoming, snapshot)
        refs = staged / "refs"
        if refs.is_dir():
            (final / "refs").mkdir(exist_ok=True)
            for ref in refs.iterdir():
                os.replace(ref, final / "refs" / ref.name)
        shutil.rmtree(staged, ignore_errors=True)

    def write_marker(self, sha: str) -> None:
        marker = self.marker(sha)
        marker.parent.mkdir(parents=True, exist_ok=True)
        partial = marker.with_suffix(".partial")
        partial.write_text(json.dumps(self.wanted(sha), sort_keys=True) + "\n")
        os.replace(partial, marker)

    def run(self) -> int:
        if COMMIT.match(self.revision) and self.complete(self.revision):
            log(f"{self.model}@{self.revision} is already complete in {self.hub}: nothing to do")
            return 0
        hub = self.huggingface_hub()
        sha = self.revision
        if not COMMIT.match(sha):
            log(f"revision {self.revision!r} is not a commit SHA: resolving it (pin a SHA so the cache cannot change under running workers)")
            sha = hub.HfApi().model_info(self.model, revision=self.revision).sha
            if self.complete(sha):
                log(f"{self.model}@{sha} is already complete in {self.hub}: nothing to do")
                return 0
        staging = self.state / "staging"
        self.stripe(self.hub)
        self.stripe(staging)
        log(f"downloading {self.model}@{sha} into {staging} (resumes what an earlier attempt left there)")
        hub.snapshot_download(self.model, revision=sha, cache_dir=str(staging),
                              allow_patterns=self.include, ignore_patterns=self.exclude)
        self.publish(staging / self.repo, sha)
        if not COMMIT.match(self.revision):
            (self.hub / self.repo / "refs").mkdir(parents=True, exist_ok=True)
            (self.hub / self.repo / "refs" / self.revision).write_text(sha)
        self.write_marker(sha)
        log(f"complete: {self.hub / self.repo / 'snapshots' / sha}")
        return 0


def main() -> int:
    try:
        return Job(dict(os.environ)).run()
    except KeyError as exc:
        log(f"missing environment variable {exc}")
        return 2
    except Exception as exc:  # the Job retries (backoffLimit); staging keeps what was fetched
        log(f"failed: {type(exc).__name__}: {exc}; nothing was published, a retry resumes from the staging area")
        return 1


if __name__ == "__main__":
    sys.exit(main())
