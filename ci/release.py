#!/usr/bin/env python3
"""Build the Helm repository folder in one command:

    python3 ci/release.py [--out dist/repo] [--url https://example.org/charts] [--chart-only]
                          [--merge OLD_INDEX] [--sign --key NAME --keyring SECRING]

1. checks the generated files are current and lints the chart with Helm 3 and Helm 4;
2. packages it with Helm 4 (archives are byte-reproducible) into --out, signed with
   --sign (a .prov file next to the archive; check it with `helm verify`);
3. refuses to publish when --merge's index (default: --out's own index.yaml) already
   lists this version with a different digest: changed content needs a version bump;
   nothing in --out is written unless every check passes, and a released archive
   is never replaced;
4. writes index.yaml with `helm repo index --url --merge`, so released versions stay
   listed, and pins its timestamps to the commit time (SOURCE_DATE_EPOCH, else HEAD's
   commit date), keeping the `created` time of an unchanged version: a rebuild of the
   same commit gives the same bytes;
5. copies artifacthub-repo.yml next to index.yaml;
6. builds the Python package a user installs gen-values from, wheel (the chart inside)
   and sdist, into --python-out (default dist/python), from a copy of the tracked files
   with setuptools' own build hooks, and rewrites both archives with sorted members,
   the pinned time and no owner, so that they are byte-reproducible too.
Exit codes: 0 built, 1 a check failed (the message says which and what to do).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "charts" / "dynamo-cache"


class ReleaseError(Exception):
    pass


def run(*cmd: str) -> str:
    # Helm 4 stamps archive entries with SOURCE_DATE_EPOCH: pin it to the commit.
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch())}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise ReleaseError(f"{' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def helm_binaries() -> dict[str, str]:
    out = run(sys.executable, str(ROOT / "ci" / "get_helm.py"), "--print")
    return {k.lower(): v for k, _, v in (line.partition("=") for line in out.splitlines()) if v}


def epoch() -> int:
    """SOURCE_DATE_EPOCH, else the commit time of HEAD: the same for every build of a commit."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if not value:
        proc = subprocess.run(["git", "log", "-1", "--format=%ct"], capture_output=True, text=True, cwd=ROOT)
        value = proc.stdout.strip() or "0"
    return int(value)


def pinned_time() -> str:
    return dt.datetime.fromtimestamp(epoch(), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_yaml(path: Path) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="rt").load(path.read_text("utf-8"))


def chart_meta(chart: Path) -> dict[str, str]:
    meta = load_yaml(chart / "Chart.yaml")
    return {"name": str(meta["name"]), "version": str(meta["version"])}


def released(index: Path | None, name: str, version: str) -> dict[str, Any] | None:
    if index is None:
        return None
    if not index.is_file():
        raise ReleaseError(f"--merge {index}: no such file")
    for entry in (load_yaml(index).get("entries") or {}).get(name) or []:
        if str(entry.get("version")) == version:
            return dict(entry)
    return None


def build(chart: Path, out: Path, url: str, merge: Path | None, sign_key: str | None, keyring: Path | None) -> Path:
    helm = helm_binaries()
    run(sys.executable, "-m", "dynamo_cache", "generate", "--check", "--root", str(ROOT))
    for version in ("helm3", "helm4"):
        run(helm[version], "lint", "--strict", str(chart))
    meta = chart_meta(chart)
    name = f"{meta['name']}-{meta['version']}.tgz"
    if merge is None and (out / "index.yaml").is_file():
        merge = out / "index.yaml"  # the folder's own index: its versions stay listed
    with tempfile.TemporaryDirectory() as tmp:
        # Build aside first: nothing in --out changes unless every check passes.
        package = [helm["helm4"], "package", str(chart), "-d", tmp]
        if sign_key:
            if keyring is None:
                raise ReleaseError(
                    "--sign needs --keyring (a GnuPG secret keyring: gpg --export-secret-keys > secring.gpg)"
                )
            package += ["--sign", "--key", sign_key, "--keyring", str(keyring)]
        run(*package)
        built = Path(tmp) / name
        digest = hashlib.sha256(built.read_bytes()).hexdigest()
        old = released(merge, meta["name"], meta["version"])
        if old is not None and old.get("digest") != digest:
            raise ReleaseError(
                f"{meta['name']} {meta['version']} is already released with digest {old.get('digest')}, and the chart "
                f"now packages to {digest}: its content changed. Bump `version` in charts/dynamo-cache/Chart.yaml "
                "(and the package version with it, see Chart.yaml), regenerate, and release again."
            )
        target = out / name
        if target.is_file() and target.read_bytes() != built.read_bytes():
            raise ReleaseError(
                f"{target} exists with other content; refusing to replace a released archive "
                "(bump the version, or remove the file if it was never published)"
            )
        out.mkdir(parents=True, exist_ok=True)
        for produced in Path(tmp).iterdir():  # the archive and, when signed, its .prov
            shutil.copyfile(produced, out / produced.name)
    index_cmd = [helm["helm4"], "repo", "index", str(out), "--url", url]
    if merge is not None:
        index_cmd += ["--merge", str(merge)]
    run(*index_cmd)
    pin_index(out / "index.yaml", meta, old)
    shutil.copyfile(ROOT / "artifacthub-repo.yml", out / "artifacthub-repo.yml")
    return out / name


PACKAGE_SOURCES = ("pyproject.toml", "README.md", "generator", "schemas", "charts")


def build_python(out: Path) -> list[Path]:
    """The wheel and the sdist of this checkout's tracked files, byte-reproducible."""
    tracked = run(
        "git", "-C", str(ROOT), "ls-files", "--cached", "--others", "--exclude-standard", "--", *PACKAGE_SOURCES
    ).split("\n")
    built = []
    with tempfile.TemporaryDirectory() as tmp:
        source, dist = Path(tmp) / "src", Path(tmp) / "dist"
        for rel in filter(None, tracked):
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / rel, source / rel)
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch())}
        for hook in ("build_wheel", "build_sdist"):  # one process each: setuptools keeps state between them
            call = f"import sys; from setuptools import build_meta; build_meta.{hook}(sys.argv[1])"
            done = subprocess.run(
                [sys.executable, "-c", call, str(dist)], cwd=source, env=env, capture_output=True, text=True
            )
            if done.returncode != 0 or not any(dist.iterdir()):
                raise ReleaseError(f"{hook} of the Python package failed:\n{done.stderr.strip()}")
        out.mkdir(parents=True, exist_ok=True)
        for archive in sorted(dist.iterdir()):
            target = out / archive.name
            (normal_wheel if archive.suffix == ".whl" else normal_sdist)(archive, target, epoch())
            built.append(target)
    return built


def normal_wheel(archive: Path, target: Path, when: int) -> None:
    import zipfile

    stamp = dt.datetime.fromtimestamp(max(when, 315532800), dt.timezone.utc).timetuple()[:6]  # zip starts at 1980
    with zipfile.ZipFile(archive) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name in sorted(old.namelist()):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = (0o644 << 16) if not name.endswith("/") else (0o755 << 16)
            info.compress_type = zipfile.ZIP_DEFLATED
            new.writestr(info, old.read(name))


def normal_sdist(archive: Path, target: Path, when: int) -> None:
    import gzip
    import io
    import tarfile

    with tarfile.open(archive) as old:
        members = sorted(old.getmembers(), key=lambda m: m.name)
        payload = io.BytesIO()
        with tarfile.open(fileobj=payload, mode="w", format=tarfile.PAX_FORMAT) as new:
            for member in members:
                data = old.extractfile(member) if member.isfile() else None
                member.mtime, member.uid, member.gid, member.uname, member.gname = when, 0, 0, "", ""
                member.mode = 0o755 if member.isdir() else 0o644
                member.pax_headers = {}
                new.addfile(member, data)
    with target.open("wb") as handle, gzip.GzipFile(fileobj=handle, mode="wb", mtime=when, filename="") as packed:
        packed.write(payload.getvalue())


def pin_index(path: Path, meta: dict[str, str], old: dict[str, Any] | None) -> None:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096
    index = yaml.load(path.read_text("utf-8"))
    when = pinned_time()
    index["generated"] = when
    for entry in index["entries"][meta["name"]]:
        if str(entry["version"]) == meta["version"]:
            entry["created"] = old["created"] if old is not None else when
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(index, handle)


def main() -> int:
    parser = argparse.ArgumentParser(description="Lint, package and index the dynamo-cache chart.")
    parser.add_argument("--chart", type=Path, default=CHART, help="chart folder (default charts/dynamo-cache)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "dist" / "repo", help="repository folder (default dist/repo)"
    )
    parser.add_argument("--url", default="https://dynamo-cache.example/charts", help="base URL the folder is served at")
    parser.add_argument(
        "--python-out", type=Path, help="wheel and sdist folder (default: python/ beside --out, i.e. dist/python)"
    )
    parser.add_argument("--chart-only", action="store_true", help="build the Helm repository folder only")
    parser.add_argument("--merge", type=Path, help="index.yaml of the released repository (keeps old versions listed)")
    parser.add_argument("--sign", action="store_true", help="sign the archive (writes a .prov file)")
    parser.add_argument("--key", help="GnuPG key name for --sign")
    parser.add_argument("--keyring", type=Path, help="GnuPG secret keyring for --sign")
    args = parser.parse_args()
    if args.sign and not args.key:
        parser.error("--sign needs --key NAME")
    try:
        archive = build(
            args.chart.resolve(),
            args.out.resolve(),
            args.url,
            args.merge,
            args.key if args.sign else None,
            args.keyring,
        )
        python_out = (args.python_out or args.out.resolve().parent / "python").resolve()
        packages = [] if args.chart_only else build_python(python_out)
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    print("\n".join(map(str, [archive, args.out.resolve() / "index.yaml", *packages])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
