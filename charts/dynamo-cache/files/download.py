# SPDX-License-Identifier: Apache-2.0
"""dynamo-cache model download: fills the model cache the way Dynamo reads it
(<HF_HOME>/hub/models--org--name/snapshots/<sha>), safe to run again and again.

- A snapshot that is already complete (same model, commit, include/exclude
  patterns) is a no-op: for a commit-SHA revision, without touching the network.
- Files are downloaded into <HF_HOME>/.dynamo-cache/staging/<repo> on the same
  filesystem, then published by renames: a failed or interrupted download never
  leaves a half-complete snapshot where workers look. A retry keeps the files an
  earlier attempt finished (whole files: huggingface_hub 1.33.0 deletes a file's
  partial download when that attempt fails, so a broken file starts over).
- Blobs are regular files in the repo's own blobs/ folder: the client's cache-wide
  shared blob store (Xet downloads, utils/_shared_blobs.py) would leave
  blobs/<etag> as links into a folder the publish step does not move, so it is
  turned off (HF_HUB_DISABLE_SHARED_BLOBS=1), and any link left is replaced by the
  bytes it points to. After publishing, every file of the snapshot must resolve
  and read back; only then is the snapshot marked complete.
- The client's own files (.agent_harnesses.json, its Xet chunk cache) go to our
  state folder, not HF_HOME: after success the model cache holds hub/ and
  .dynamo-cache/ only.
- Errors that a retry cannot fix (wrong model id, gated model without access, a
  refused token, unknown revision) print one line and exit 3, which the Job's
  podFailurePolicy turns into an immediate failure; others exit 1 and are retried.
- On Lustre the directories are striped first (lfs setstripe -c -1 -S 4M), so
  each large file spreads over every OST; without `lfs` in the image that step is
  skipped with a message.

Environment: HF_HOME, MODEL, REVISION, INCLUDE / EXCLUDE (JSON lists),
LUSTRE_STRIPE ("true"), PIP_PACKAGES (pinned, space-separated), PIP_TARGET,
and the usual huggingface_hub variables (HF_TOKEN_PATH, HF_XET_HIGH_PERFORMANCE,
HF_ENDPOINT).
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
PERMANENT = 3  # the Job's podFailurePolicy fails the Job at once on this exit code


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
        self.has_token = bool(env.get("HF_TOKEN_PATH") or env.get("HF_TOKEN"))
        self.hub = self.home / "hub"
        self.state = self.home / ".dynamo-cache"
        self.repo = "models--" + self.model.replace("/", "--")
        self.staging = self.state / "staging" / self.repo  # the client's cache_dir: <staging>/<repo>/...
        self.client_home = self.state / "client" / self.repo

    # -- what "complete" means -------------------------------------------------
    def marker(self, sha: str) -> Path:
        return self.state / "complete" / f"{self.repo}@{sha}.json"

    def wanted(self, sha: str) -> dict[str, Any]:
        return {"model": self.model, "commit": sha, "include": self.include, "exclude": self.exclude}

    def complete(self, sha: str) -> bool:
        marker = self.marker(sha)
        snapshot = self.hub / self.repo / "snapshots" / sha
        if not (marker.is_file() and snapshot.is_dir()):
            return False
        try:
            same = json.loads(marker.read_text()) == self.wanted(sha)
        except ValueError:
            return False
        # a link that points nowhere (an earlier version published shared-store links) is not complete
        return same and all(p.exists() for p in snapshot.rglob("*"))

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
        # Read by huggingface_hub when it is imported (constants.py), so set first.
        os.environ["HF_HUB_DISABLE_SHARED_BLOBS"] = "1"
        os.environ["HF_HOME"] = str(self.client_home)
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
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
                if blob.name.endswith((".incomplete", ".lock")):
                    continue
                if blob.is_symlink():  # a link into a shared store: publish the bytes themselves
                    real = blob.resolve()
                    if not real.is_file():
                        raise RuntimeError(f"{blob} links to {real}, which does not exist")
                    os.replace(real, blob)
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

    def verify(self, sha: str) -> None:
        """Every file of the published snapshot resolves inside the repo and reads back."""
        repo = (self.hub / self.repo).resolve()
        snapshot = self.hub / self.repo / "snapshots" / sha
        files = [p for p in snapshot.rglob("*") if p.is_symlink() or p.is_file()]
        if not files:
            raise RuntimeError(f"{snapshot} holds no file")
        for path in files:
            real = path.resolve()
            if not real.is_file() or repo not in real.parents:
                raise RuntimeError(f"{path} does not resolve to a file of {repo} (it points to {real})")
            with open(path, "rb") as handle:
                handle.read(1)

    def write_ref(self, sha: str) -> None:
        """refs/<branch> = sha, so an offline reader (HF_HUB_OFFLINE=1, revision=<branch>) finds the snapshot."""
        if COMMIT.match(self.revision):
            return
        refs = self.hub / self.repo / "refs"
        refs.mkdir(parents=True, exist_ok=True)
        partial = refs / f".{self.revision.replace('/', '_')}.partial"
        partial.write_text(sha)
        target = refs / self.revision
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, target)

    def clean_up(self) -> None:
        """Nothing of the download is left but hub/ and our markers."""
        shutil.rmtree(self.staging, ignore_errors=True)
        shutil.rmtree(self.client_home, ignore_errors=True)

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
                self.write_ref(sha)
                log(f"{self.model}@{sha} is already complete in {self.hub}: refs/{self.revision} points to it")
                return 0
        self.stripe(self.hub)
        self.stripe(self.staging)
        log(f"downloading {self.model}@{sha} into {self.staging} (files an earlier attempt finished are kept)")
        hub.snapshot_download(self.model, revision=sha, cache_dir=str(self.staging),
                              allow_patterns=self.include, ignore_patterns=self.exclude)
        self.publish(self.staging / self.repo, sha)
        self.verify(sha)
        self.write_ref(sha)
        self.write_marker(sha)
        self.clean_up()
        log(f"complete: {self.hub / self.repo / 'snapshots' / sha}")
        return 0

    def explain(self, exc: Exception) -> str | None:
        """One line for an error no retry can fix, else None (huggingface_hub's typed errors)."""
        errors = sys.modules.get("huggingface_hub.errors")
        if errors is None:
            return None
        status = getattr(getattr(exc, "response", None), "status_code", None)
        token = "modelDownload.tokenSecret"
        if isinstance(exc, errors.GatedRepoError):
            if self.has_token:
                return (f"{self.model} is gated and the account of the token in {token} has no access: "
                        f"accept its terms on https://huggingface.co/{self.model} with that account")
            return (f"{self.model} is gated: set {token} to a Secret holding the token of an account "
                    "that accepted its terms")
        if isinstance(exc, errors.RepositoryNotFoundError):
            return (f"model {self.model} was not found: check modelDownload.model (org/name, as in the model's URL); "
                    f"a private model also needs {token}")
        if isinstance(exc, errors.RevisionNotFoundError):
            return (f"revision {self.revision} does not exist in {self.model}: set modelDownload.revision to a "
                    "commit SHA from the model's history (Files and versions > History)")
        if isinstance(exc, errors.EntryNotFoundError):
            return f"a file of {self.model}@{self.revision} is not on the Hub: {str(exc).splitlines()[0]}"
        if status == 401:
            return f"the Hub refused the token in {token} (401 Unauthorized): put a valid token in that Secret"
        if status == 403:
            return f"the token in {token} may not read {self.model} (403 Forbidden): give it read access"
        return None


def main() -> int:
    try:
        job = Job(dict(os.environ))
    except KeyError as exc:
        log(f"missing environment variable {exc}: the chart sets it; was the Job edited?")
        return PERMANENT
    try:
        return job.run()
    except Exception as exc:  # noqa: BLE001 (every error is reported in one line)
        reason = job.explain(exc)
        if reason:
            log(f"failed: {reason}")
            return PERMANENT
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        log(f"failed: {type(exc).__name__}: {first}; nothing was published. The Job retries: files an earlier "
            "attempt finished are kept in the staging area, a partly downloaded file starts over")
        return 1


if __name__ == "__main__":
    sys.exit(main())
