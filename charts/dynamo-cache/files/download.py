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
- Runs that share a cache never fail each other (a `helm upgrade` that starts a new
  Job while the old one runs, two releases on one filesystem): one writer per model at
  a time holds a lease, the folder .dynamo-cache/locks/<repo> made with mkdir (Lease).
  The others wait, saying for whom, and then find the snapshot complete or download
  their own revision. Each attempt stages in a folder of its own; the next lease holder
  takes over what a dead attempt left (its finished files are kept).

- Several models share one cache (MODELS): they are warmed one after the other, in the
  order given, each complete on its own (marker, lease, staging). One at a time because
  each download already runs the client's parallel workers over the same network and
  storage: in parallel, every model would finish later, and the first given would no
  longer be usable first. A model that fails does not stop the others: the run ends
  with every failed model named, exit 3 when no retry can fix any of them, else 1.

Environment: HF_HOME, MODELS (a JSON list of {model, revision, include, exclude, path};
else MODEL, REVISION, INCLUDE / EXCLUDE (JSON lists) for one model),
LUSTRE_STRIPE ("true"), RESTRIPE ("true": restripe.py after the downloads),
PIP_PACKAGES (pinned, space-separated), PIP_TARGET,
LEASE_STALE_SECONDS (default 300: a lease whose holder has not renewed it for that long
is taken over), and the usual huggingface_hub variables (HF_TOKEN_PATH,
HF_XET_HIGH_PERFORMANCE, HF_ENDPOINT).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

COMMIT = re.compile(r"^[0-9a-f]{40}$")
PERMANENT = 3  # the Job's podFailurePolicy fails the Job at once on this exit code


def log(message: str) -> None:
    print(f"model-download: {message}", flush=True)


class LeaseLost(Exception):
    """Another run took the lease over (this one was judged dead): publish nothing."""


class Lease:
    """One writer per model at a time, on every filesystem the tiers use.

    The primitive is mkdir, which creates a folder or fails because it exists, in one
    step on the server: NFS (Azure Files NFS, Blob NFS 3.0: MKDIR is one RPC, RFC 1813
    3.3.9 / RFC 7530 18.4), SMB (Azure Files SMB: CREATE with FILE_CREATE, MS-SMB2
    3.3.5.9), Lustre (the MDS serialises namespace changes) and a local filesystem (Disk,
    NVMe). flock is not used: it is not shared between NFS clients on different nodes.
    blobfuse2 on a flat-namespace account emulates folders with marker blobs, so two nodes
    can both succeed there: the holder therefore re-reads its owner file before
    publishing, and each attempt stages in its own folder, so a lost race costs a second
    download, never a broken or deleted snapshot.

    The holder renews the lease by rewriting owner.json with a growing counter every
    stale/5 seconds. A waiter judges the lease stale when owner.json has not changed for
    `stale` seconds by its own monotonic clock (no clock shared between nodes is needed),
    then renames the folder away (one rename succeeds) and competes for a new one."""

    def __init__(self, folder: Path, attempt: str, describe: dict[str, str], stale: float) -> None:
        self.folder, self.attempt, self.stale = folder, attempt, stale
        self.owner = folder / "owner.json"
        self.describe = describe
        self.beats = 0
        self.lost = threading.Event()
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def _write_owner(self) -> None:
        self.beats += 1
        body = json.dumps({**self.describe, "attempt": self.attempt, "beat": self.beats}, sort_keys=True)
        partial = self.folder / f".owner.{self.attempt}.partial"
        partial.write_text(body + "\n")
        os.replace(partial, self.owner)

    def holder(self) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = json.loads(self.owner.read_text())
            return found
        except (OSError, ValueError):
            return None

    def _try_take(self) -> bool:
        try:
            self.folder.mkdir()
        except FileExistsError:
            return False
        self._write_owner()
        return True

    def acquire(self) -> None:
        """Wait until this run holds the lease, logging for whom it waits."""
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        poll = min(1.0, self.stale / 10)
        seen: tuple[str, float] | None = None  # the owner file's text, and since when (monotonic)
        said = ""
        while not self._try_take():
            try:
                text = self.owner.read_text()
            except OSError:
                text = ""  # made but not yet written, or just released
            now = time.monotonic()
            if seen is None or seen[0] != text:
                seen = (text, now)
            holder = self.holder() or {}
            who = f"{holder.get('pod', '?')} ({holder.get('revision', '?')}, attempt {holder.get('attempt', '?')})"
            if who != said:
                log(
                    f"waiting for {who}, which is writing this model; a lease not renewed for "
                    f"{self.stale:.0f} s is taken over"
                )
                said = who
            if now - seen[1] > self.stale:
                tomb = self.folder.with_name(f"{self.folder.name}.stale-{self.attempt}")
                try:
                    os.rename(self.folder, tomb)  # one waiter wins; the others find it gone
                except OSError:
                    pass
                else:
                    log(f"the lease of {who} was not renewed for {self.stale:.0f} s: taking it over")
                    shutil.rmtree(tomb, ignore_errors=True)
                seen = None
                continue
            time.sleep(poll)
        self.thread = threading.Thread(target=self._renew, daemon=True)
        self.thread.start()

    def _renew(self) -> None:
        while not self.stopped.wait(self.stale / 5):
            if (self.holder() or {}).get("attempt") != self.attempt:
                self.lost.set()
                return
            try:
                self._write_owner()
            except OSError:
                self.lost.set()
                return

    def check(self) -> None:
        """Raise LeaseLost unless this run still holds the lease."""
        if self.lost.is_set() or (self.holder() or {}).get("attempt") != self.attempt:
            holder = self.holder() or {}
            raise LeaseLost(
                f"the lease was taken over by {holder.get('pod', 'another run')} (this run was judged dead)"
            )

    def release(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()
        if (self.holder() or {}).get("attempt") == self.attempt:
            tomb = self.folder.with_name(f"{self.folder.name}.released-{self.attempt}")
            os.rename(self.folder, tomb)
            shutil.rmtree(tomb, ignore_errors=True)


def models_from(env: dict[str, str]) -> list[dict[str, Any]]:
    """The models to warm, in order (MODELS, else the single-model variables)."""
    if env.get("MODELS"):
        wanted = json.loads(env["MODELS"])
        if not isinstance(wanted, list) or not all(isinstance(m, dict) and m.get("model") for m in wanted):
            raise ValueError("MODELS is not a list of {model, revision, include, exclude}")
        return wanted
    return [
        {
            "model": env["MODEL"],
            "revision": env.get("REVISION") or "",
            "include": json.loads(env.get("INCLUDE") or "[]"),
            "exclude": json.loads(env.get("EXCLUDE") or "[]"),
        }
    ]


class Job:
    """One model's download into the shared cache."""

    def __init__(self, env: dict[str, str], want: dict[str, Any], attempt: str) -> None:
        self.home = Path(env["HF_HOME"])
        self.model = want["model"]
        self.path = want.get("path") or "modelDownload"  # where the chart's values name this model
        self.revision = want.get("revision") or "main"
        self.include = want.get("include") or None
        self.exclude = want.get("exclude") or None
        self.stripe_dirs = env.get("LUSTRE_STRIPE") == "true"
        self.pip_packages = (env.get("PIP_PACKAGES") or "").split()
        self.pip_target = Path(env.get("PIP_TARGET") or "/tmp/pip")
        self.has_token = bool(env.get("HF_TOKEN_PATH") or env.get("HF_TOKEN"))
        self.hub = self.home / "hub"
        self.state = self.home / ".dynamo-cache"
        self.repo = "models--" + self.model.replace("/", "--")
        pod = env.get("HOSTNAME") or socket.gethostname()
        self.attempt = attempt
        self.staging_root = self.state / "staging" / self.repo
        self.staging = self.staging_root / self.attempt  # the client's cache_dir: <staging>/<repo>/...
        self.client_home = client_home(self.home, attempt)
        self.lease = Lease(
            self.state / "locks" / self.repo,
            self.attempt,
            {"pod": pod, "revision": self.revision},
            float(env.get("LEASE_STALE_SECONDS") or 300),
        )

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

    def log_layout(self, sha: str) -> None:
        """Say the layout the download produced: the largest file's stripe count."""
        lfs = shutil.which("lfs")
        files = [p for p in (self.hub / self.repo / "snapshots" / sha).rglob("*") if p.is_file()]
        if not (self.stripe_dirs and lfs and files):
            return
        largest = max(files, key=lambda p: p.stat().st_size)
        done = subprocess.run([lfs, "getstripe", "-c", str(largest)], capture_output=True, text=True)
        count = done.stdout.strip() if done.returncode == 0 else f"unknown ({done.stderr.strip()})"
        log(f"layout: {largest.name}, the largest file, is striped over {count} OST(s)")

    def huggingface_hub(self) -> Any:
        if "huggingface_hub" in sys.modules:  # an earlier model of this run installed and imported it
            return sys.modules["huggingface_hub"]
        # Read by huggingface_hub when it is imported (constants.py), so set first.
        os.environ["HF_HUB_DISABLE_SHARED_BLOBS"] = "1"
        os.environ["HF_HOME"] = str(self.client_home)
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        if self.pip_packages:
            log(f"installing {' '.join(self.pip_packages)}")
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--no-cache-dir",
                    "--disable-pip-version-check",
                    "--target",
                    str(self.pip_target),
                    *self.pip_packages,
                ],
                check=True,
            )
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
        incoming = final / "snapshots" / f".incoming-{sha}-{self.attempt}"
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

    def adopt_leftovers(self) -> None:
        """Holding the lease, take over what attempts that are gone left behind: the newest
        staging folder becomes this attempt's (its finished files are kept), the rest and
        their client folders are removed. Only the lease holder writes here, so none of it
        belongs to a running attempt."""
        others = sorted(
            (p for p in self.staging_root.glob("*") if p.is_dir() and p.name != self.attempt),
            key=lambda p: p.stat().st_mtime,
        )
        if others and not self.staging.exists():
            newest = others.pop()
            self.staging.parent.mkdir(parents=True, exist_ok=True)
            os.replace(newest, self.staging)
            log(f"kept the files attempt {newest.name} finished")
        for path in others:
            shutil.rmtree(path, ignore_errors=True)
        clients = self.client_home.parent
        for path in clients.glob("*") if clients.is_dir() else []:
            if path.name != self.attempt:
                shutil.rmtree(path, ignore_errors=True)

    def clean_up(self) -> None:
        """Nothing of this model's download is left but hub/ and our markers (the client's
        own folder goes when the run ends: clean_client)."""
        shutil.rmtree(self.staging, ignore_errors=True)
        try:
            self.staging_root.rmdir()
        except OSError:
            pass  # not empty, or gone

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
            log(
                f"revision {self.revision!r} is not a commit SHA: resolving it "
                "(pin a SHA so the cache cannot change under running workers)"
            )
            sha = hub.HfApi().model_info(self.model, revision=self.revision).sha
        self.lease.acquire()
        try:
            return self.fill(hub, sha)
        finally:
            self.lease.release()

    def fill(self, hub: Any, sha: str) -> int:
        """Holding the lease: download and publish `sha`, unless it is complete by now."""
        if self.complete(sha):
            self.write_ref(sha)
            ref = "" if COMMIT.match(self.revision) else f": refs/{self.revision} points to it"
            log(f"{self.model}@{sha} is already complete in {self.hub}{ref}")
            return 0
        self.adopt_leftovers()
        self.stripe(self.hub)
        self.stripe(self.staging_root)  # a new folder inherits its parent's striping
        log(f"downloading {self.model}@{sha} into {self.staging} (files an earlier attempt finished are kept)")
        hub.snapshot_download(
            self.model,
            revision=sha,
            cache_dir=str(self.staging),
            allow_patterns=self.include,
            ignore_patterns=self.exclude,
        )
        self.lease.check()  # a run judged dead publishes nothing
        self.publish(self.staging / self.repo, sha)
        self.verify(sha)
        self.write_ref(sha)
        self.write_marker(sha)
        self.log_layout(sha)
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
                return (
                    f"{self.model} is gated and the account of the token in {token} has no access: "
                    f"accept its terms on https://huggingface.co/{self.model} with that account"
                )
            return (
                f"{self.model} is gated: set {token} to a Secret holding the token of an account "
                "that accepted its terms"
            )
        if isinstance(exc, errors.RepositoryNotFoundError):
            return (
                f"model {self.model} was not found: check {self.path}.model (org/name, as in the model's URL); "
                f"a private model also needs {token}"
            )
        if isinstance(exc, errors.RevisionNotFoundError):
            return (
                f"revision {self.revision} does not exist in {self.model}: set {self.path}.revision to a "
                "commit SHA from the model's history (Files and versions > History)"
            )
        if isinstance(exc, errors.EntryNotFoundError):
            return f"a file of {self.model}@{self.revision} is not on the Hub: {str(exc).splitlines()[0]}"
        if status == 401:
            return f"the Hub refused the token in {token} (401 Unauthorized): put a valid token in that Secret"
        if status == 403:
            return f"the token in {token} may not read {self.model} (403 Forbidden): give it read access"
        return None


def client_home(home: Path, attempt: str) -> Path:
    """The client's own files (.agent_harnesses.json, its Xet chunk cache) for one run."""
    return home / ".dynamo-cache" / "client" / attempt


def clean_client(home: Path, attempt: str) -> None:
    folder = client_home(home, attempt)
    shutil.rmtree(folder, ignore_errors=True)
    try:
        folder.parent.rmdir()
    except OSError:
        pass  # not empty (another run), or gone


def warm(job: Job) -> tuple[int, str]:
    """Download one model: (exit code, why it failed)."""
    try:
        return job.run(), ""
    except Exception as exc:  # noqa: BLE001 (every error is reported in one line)
        reason = job.explain(exc)
        if reason:
            log(f"failed: {reason}")
            return PERMANENT, reason
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        log(
            f"failed: {job.model}: {type(exc).__name__}: {first}; nothing was published. The Job retries: files "
            "an earlier attempt finished are kept in the staging area, a partly downloaded file starts over"
        )
        return 1, f"{type(exc).__name__}: {first}"


def main() -> int:
    env = dict(os.environ)
    attempt = f"{env.get('HOSTNAME') or socket.gethostname()}-{os.getpid()}-{time.time_ns()}"  # a folder per attempt
    try:
        jobs = [Job(env, want, attempt) for want in models_from(env)]
    except KeyError as exc:
        log(f"missing environment variable {exc}: the chart sets it; was the Job edited?")
        return PERMANENT
    except ValueError as exc:
        log(f"{exc}: the chart sets it; was the Job edited?")
        return PERMANENT
    failed: dict[str, tuple[int, str]] = {}
    try:
        for index, job in enumerate(jobs, 1):
            if len(jobs) > 1:
                log(f"model {index} of {len(jobs)}: {job.model}")
            code, why = warm(job)
            if code:
                failed[f"{job.model} ({job.path})"] = (code, why)
    finally:
        clean_client(Path(env["HF_HOME"]), attempt)
    if env.get("RESTRIPE") == "true":  # modelDownload.restripe: every model in the cache, in place
        sys.path.insert(0, str(Path(__file__).parent))
        import restripe

        if restripe.main() and not failed:
            return 1
    if not failed:
        return 0
    if len(jobs) > 1:
        warmed = len(jobs) - len(failed)
        log(f"{warmed} of {len(jobs)} models complete; failed: " + "; ".join(f"{k}: {v[1]}" for k, v in failed.items()))
    # a retry helps only if some failure was transient; the others then fail fast again
    return 1 if any(code != PERMANENT for code, _ in failed.values()) else PERMANENT


if __name__ == "__main__":
    sys.exit(main())
