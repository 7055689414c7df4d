"""Run the real helm binaries (Helm 3 and Helm 4) against the chart, once per
distinct call: results are memoised, so many tests share one render."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml_io

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "charts" / "dynamo-cache"
VERSIONS = ("helm3", "helm4")


@functools.cache
def binaries() -> dict[str, str]:
    """HELM3, HELM4 and KUBECTL from the environment, else the pinned binaries ci/get_helm.py provides."""
    found = {name: os.environ.get(name.upper(), "") for name in (*VERSIONS, "kubectl")}
    if not all(found.values()):
        out = subprocess.run(
            [sys.executable, str(ROOT / "ci" / "get_helm.py"), "--print"], check=True, capture_output=True, text=True
        ).stdout
        for line in out.splitlines():
            key, _, path = line.partition("=")
            if key.lower() in found and not found[key.lower()]:
                found[key.lower()] = path
    return found


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def all_docs(self) -> list[dict[str, Any]]:
        assert self.returncode == 0, self.stderr
        return [d for d in yaml_io.load_all(self.stdout) if d]

    @property
    def docs(self) -> list[dict[str, Any]]:
        """What an install creates: the rendered objects without the `helm test` hooks."""
        return [d for d in self.all_docs if "helm.sh/hook" not in d["metadata"].get("annotations", {})]

    @property
    def hooks(self) -> list[dict[str, Any]]:
        return [d for d in self.all_docs if "helm.sh/hook" in d["metadata"].get("annotations", {})]

    def kinds(self, kind: str) -> dict[str, dict[str, Any]]:
        return {d["metadata"]["name"]: d for d in self.docs if d["kind"] == kind}


@functools.cache
def helm(version: str, *args: str, values: str | None = None) -> Run:
    proc = subprocess.run(
        [binaries()[version], *args], input=values, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def unpacked(folder: str, program: str, package: str) -> str:
    """A program `ci/setup.sh --test` unpacks from a Debian package into tools/<folder>, else the one on PATH."""
    path = ROOT / "tools" / folder / "usr" / "bin" / program
    binary = str(path) if path.is_file() else shutil.which(program)
    assert binary, f"{program} is missing: run `bash ci/setup.sh --test` (it unpacks Debian's {package} package)"
    return binary


def notes(values: str | None = None, *extra: str, release: str = "r") -> str:
    """NOTES.txt as `helm install --dry-run=client` prints it (Helm 4 needs no cluster for it)."""
    args = ["install", release, str(CHART), "--dry-run=client", *extra]
    run = helm("helm4", *args, *(["-f", "-"] if values is not None else []), values=values)
    assert run.returncode == 0, run.stderr
    return run.stdout.split("NOTES:", 1)[1]


def template(version: str, values: str | None = None, release: str = "dynamo-cache", *extra: str) -> Run:
    args = ["template", release, str(CHART), *extra]
    if values is not None:
        args += ["-f", "-"]
    return helm(version, *args, values=values)
