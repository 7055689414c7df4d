"""Atomic file writes: a failed run never leaves a half-written or clobbered file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text(path: Path, content: str) -> None:
    """Write `content` to `path` atomically; the folder must exist (a typo in it should not
    quietly make a new one): FileNotFoundError otherwise."""
    if not path.parent.is_dir():
        raise FileNotFoundError(2, f"folder {path.parent} does not exist", str(path.parent))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
