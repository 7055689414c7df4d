"""A stand-in for huggingface_hub in the download script's tests: lays out the
cache the way the real one does (blobs named by hash, snapshot symlinks, refs),
counts calls, and can fail half-way (FAKE_HF_FAIL_AFTER=N files)."""
from __future__ import annotations

import fnmatch
import hashlib
import json
import os
from pathlib import Path
from types import SimpleNamespace

FILES = {"config.json": b'{"model_type": "fake"}', "tokenizer.json": b"{}", "model.safetensors": b"\0" * 4096,
         "README.md": b"# fake"}
BRANCHES = {"main": "a" * 40}


def _count(name: str) -> None:
    log = os.environ.get("FAKE_HF_CALLS")
    if log:
        with open(log, "a") as handle:
            handle.write(name + "\n")


class HfApi:
    def model_info(self, repo_id: str, revision: str | None = None) -> SimpleNamespace:
        _count("model_info")
        return SimpleNamespace(sha=BRANCHES[revision or "main"])


def snapshot_download(repo_id: str, *, revision: str, cache_dir: str, allow_patterns=None, ignore_patterns=None,
                      **_: object) -> str:
    _count(f"snapshot_download {json.dumps([revision, allow_patterns, ignore_patterns])}")
    repo = Path(cache_dir) / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / revision
    snapshot.mkdir(parents=True, exist_ok=True)
    (repo / "blobs").mkdir(exist_ok=True)
    fail_after = int(os.environ.get("FAKE_HF_FAIL_AFTER", "-1"))
    written = 0
    for name, data in FILES.items():
        if allow_patterns and not any(fnmatch.fnmatch(name, p) for p in allow_patterns):
            continue
        if ignore_patterns and any(fnmatch.fnmatch(name, p) for p in ignore_patterns):
            continue
        if written == fail_after:
            raise OSError("connection reset (fake)")
        blob = repo / "blobs" / hashlib.sha256(data).hexdigest()
        blob.write_bytes(data)
        link = snapshot / name
        if not link.exists():
            link.symlink_to(os.path.relpath(blob, snapshot))
        written += 1
    return str(snapshot)
