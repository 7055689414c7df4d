"""Release: a reproducible Helm repository folder and Python package (ci/release.py), the
version-bump check, provenance with a throwaway GnuPG key, a real OCI registry on loopback
(Debian's docker-registry, unpacked into tools/registry by `ci/setup.sh --test`), and the built wheel installed into an
empty virtualenv outside the repository."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import helmtool
import yaml_io
from dynamo_cache import __version__

RELEASE = helmtool.ROOT / "ci" / "release.py"
EPOCH = {"SOURCE_DATE_EPOCH": "1790000000"}


def release(*args: str, env: dict[str, str] | None = None, python: bool = False) -> subprocess.CompletedProcess[str]:
    """ci/release.py; the Python package only where a test reads it (python=True), beside
    the test's own folder, never shared."""
    if python:
        args = (*args, "--python-out", args[args.index("--out") + 1] + "-python")
    else:
        args = (*args, "--chart-only")
    return subprocess.run(
        [sys.executable, str(RELEASE), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or EPOCH)},
        timeout=300,
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("repo")
    proc = release("--out", str(out), "--url", "https://charts.example/dynamo", python=True)
    assert proc.returncode == 0, proc.stderr
    return out


def test_versions_agree() -> None:
    chart = yaml_io.load((helmtool.CHART / "Chart.yaml").read_text())
    pyproject = re.search(r'^version = "([^"]+)"', (helmtool.ROOT / "pyproject.toml").read_text(), re.M)
    assert pyproject and chart["version"] == chart["appVersion"] == pyproject.group(1) == __version__


def test_repository_folder_lists_the_chart(repo: Path) -> None:
    index = yaml_io.load((repo / "index.yaml").read_text())
    (entry,) = index["entries"]["dynamo-cache"]
    assert entry["version"] == __version__
    assert entry["urls"] == [f"https://charts.example/dynamo/dynamo-cache-{__version__}.tgz"]
    assert entry["created"] == index["generated"] == "2026-09-21T14:13:20Z"  # SOURCE_DATE_EPOCH, not now
    assert "artifacthub.io/changes" in entry["annotations"] and "artifacthub.io/links" in entry["annotations"]
    assert (repo / "artifacthub-repo.yml").is_file()


def test_rebuild_is_byte_identical(repo: Path, tmp_path: Path) -> None:
    again = release("--out", str(tmp_path), "--url", "https://charts.example/dynamo", python=True)
    assert again.returncode == 0, again.stderr
    for name in (f"dynamo-cache-{__version__}.tgz", "index.yaml"):
        assert (tmp_path / name).read_bytes() == (repo / name).read_bytes(), name
    packages = sorted(Path(f"{repo}-python").iterdir())  # the Python package too
    assert [p.name for p in packages] == [
        f"dynamo_cache-{__version__}-py3-none-any.whl",
        f"dynamo_cache-{__version__}.tar.gz",
    ]
    for built in packages:
        assert Path(f"{tmp_path}-python", built.name).read_bytes() == built.read_bytes(), built.name


def test_merge_keeps_released_versions(repo: Path, tmp_path: Path) -> None:
    old = yaml_io.load((repo / "index.yaml").read_text())
    entry = dict(
        old["entries"]["dynamo-cache"][0],
        version="0.0.9",
        digest="0" * 64,
        created="2026-01-01T00:00:00Z",
        urls=["https://charts.example/dynamo/dynamo-cache-0.0.9.tgz"],
    )
    old["entries"]["dynamo-cache"] = [entry]
    (tmp_path / "old.yaml").write_text(yaml_io.dump(old))
    proc = release(
        "--out", str(tmp_path / "out"), "--merge", str(tmp_path / "old.yaml"), "--url", "https://charts.example/dynamo"
    )
    assert proc.returncode == 0, proc.stderr
    versions = {
        e["version"]: e for e in yaml_io.load((tmp_path / "out" / "index.yaml").read_text())["entries"]["dynamo-cache"]
    }
    assert set(versions) == {"0.0.9", __version__}
    assert versions["0.0.9"]["created"] == "2026-01-01T00:00:00Z"


def test_unchanged_version_keeps_its_created_time(repo: Path, tmp_path: Path) -> None:
    old = yaml_io.load((repo / "index.yaml").read_text())
    old["entries"]["dynamo-cache"][0]["created"] = "2026-01-01T00:00:00Z"
    (tmp_path / "old.yaml").write_text(yaml_io.dump(old))
    proc = release("--out", str(tmp_path / "out"), "--merge", str(tmp_path / "old.yaml"))
    assert proc.returncode == 0, proc.stderr
    (entry,) = yaml_io.load((tmp_path / "out" / "index.yaml").read_text())["entries"]["dynamo-cache"]
    assert entry["created"] == "2026-01-01T00:00:00Z"


def test_archive_does_not_depend_on_file_times(repo: Path, tmp_path: Path) -> None:
    """A fresh clone has other mtimes: the archive must not change with them."""
    chart = tmp_path / "dynamo-cache"
    shutil.copytree(helmtool.CHART, chart)
    for path in chart.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    proc = release("--chart", str(chart), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    name = f"dynamo-cache-{__version__}.tgz"
    assert (tmp_path / "out" / name).read_bytes() == (repo / name).read_bytes()


def test_changed_content_without_a_version_bump_is_refused(repo: Path, tmp_path: Path) -> None:
    chart = tmp_path / "dynamo-cache"
    shutil.copytree(helmtool.CHART, chart)
    notes = chart / "templates" / "NOTES.txt"
    notes.write_text(notes.read_text() + "\nOne more line.\n")
    proc = release("--chart", str(chart), "--out", str(tmp_path / "out"), "--merge", str(repo / "index.yaml"))
    assert proc.returncode == 1 and "Bump `version`" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()
    # released into the same folder: its own index is the reference, and its archive survives
    published = tmp_path / "published"
    shutil.copytree(repo, published)
    before = {p.name: p.read_bytes() for p in published.iterdir()}
    again = release("--chart", str(chart), "--out", str(published))
    assert again.returncode == 1 and "Bump `version`" in again.stderr
    assert {p.name: p.read_bytes() for p in published.iterdir()} == before


def test_signed_package_verifies(tmp_path: Path) -> None:
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    gpg = ["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
    subprocess.run(
        gpg + ["--quick-gen-key", "dynamo-cache test <test@example.com>", "rsa2048", "sign", "never"],
        env=env,
        check=True,
        capture_output=True,
    )
    secring, pubring = tmp_path / "secring.gpg", tmp_path / "pubring.gpg"
    secring.write_bytes(subprocess.run(gpg + ["--export-secret-keys"], env=env, check=True, capture_output=True).stdout)
    pubring.write_bytes(subprocess.run(gpg + ["--export"], env=env, check=True, capture_output=True).stdout)
    out = tmp_path / "out"
    proc = release("--out", str(out), "--sign", "--key", "dynamo-cache test", "--keyring", str(secring))
    assert proc.returncode == 0, proc.stderr
    archive = out / f"dynamo-cache-{__version__}.tgz"
    assert (out / f"{archive.name}.prov").is_file()
    for version in helmtool.VERSIONS:
        ok = helmtool.helm(version, "verify", str(archive), "--keyring", str(pubring))
        assert ok.returncode == 0, ok.stderr
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    subprocess.run(
        gpg + ["--quick-gen-key", "someone else <x@example.com>", "rsa2048", "sign", "never"],
        env={**env, "GNUPGHOME": str(other)},
        check=True,
        capture_output=True,
    )
    stranger = tmp_path / "stranger.gpg"
    stranger.write_bytes(
        subprocess.run(gpg + ["--export"], env={**env, "GNUPGHOME": str(other)}, check=True, capture_output=True).stdout
    )
    assert helmtool.helm("helm4", "verify", str(archive), "--keyring", str(stranger)).returncode != 0
    for folder in (home, other):  # gpg leaves an agent per home running: stop them
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env={**env, "GNUPGHOME": str(folder)}, capture_output=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[str]:
    binary = helmtool.unpacked("registry", "docker-registry", "docker-registry")
    port = free_port()
    config = tmp_path / "registry.yml"
    config.write_text(
        f"version: 0.1\nlog: {{level: error}}\nstorage:\n  filesystem: {{rootdirectory: {tmp_path / 'data'}}}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    log = tmp_path / "registry.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen([binary, "serve", str(config)], stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"registry did not start: {log.read_text()}") from None
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_oci_push_show_and_template(repo: Path, registry: str) -> None:
    archive = repo / f"dynamo-cache-{__version__}.tgz"
    push = helmtool.helm("helm4", "push", str(archive), f"oci://{registry}/charts", "--plain-http")
    assert push.returncode == 0, push.stderr
    ref = f"oci://{registry}/charts/dynamo-cache"
    for version in helmtool.VERSIONS:
        show = helmtool.helm(version, "show", "chart", ref, "--version", __version__, "--plain-http")
        assert show.returncode == 0, show.stderr
        assert yaml_io.load(show.stdout)["version"] == __version__
        rendered = helmtool.helm(version, "template", "r", ref, "--version", __version__, "--plain-http")
        assert rendered.returncode == 0, rendered.stderr
        assert len(rendered.kinds("PersistentVolumeClaim")) == 3


def test_artifacthub_images_match_the_download_job_default() -> None:
    from dynamo_cache import model

    chart = yaml_io.load((helmtool.CHART / "Chart.yaml").read_text())
    images = yaml_io.load(chart["annotations"]["artifacthub.io/images"])
    image = model.defaults()["modelDownload"]["image"]
    assert images == [{"name": "model-download", "image": f"{image['repository']}:{image['tag']}"}]


def test_an_archive_in_the_folder_is_never_replaced(repo: Path, tmp_path: Path) -> None:
    chart = tmp_path / "dynamo-cache"
    shutil.copytree(helmtool.CHART, chart)
    (chart / "templates" / "NOTES.txt").write_text((chart / "templates" / "NOTES.txt").read_text() + "\nchanged\n")
    folder = tmp_path / "folder"
    folder.mkdir()
    archive = f"dynamo-cache-{__version__}.tgz"
    shutil.copyfile(repo / archive, folder / archive)  # no index.yaml: only the archive says it was released
    proc = release("--chart", str(chart), "--out", str(folder))
    assert proc.returncode == 1 and "refusing to replace" in proc.stderr
    assert (folder / archive).read_bytes() == (repo / archive).read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == [archive]


def test_the_wheel_installs_into_an_empty_virtualenv_and_runs(repo: Path, tmp_path: Path) -> None:
    """What `pip install dynamo-cache` gives a user: gen-values with the chart inside. The
    virtualenv starts empty; the runtime dependencies are this suite's own (a .pth line),
    so the test needs no index, and the package itself comes from the wheel alone."""
    import sysconfig

    (wheel,) = Path(f"{repo}-python").glob("*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    install = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps"]
    subprocess.run([*install, "--quiet", "--disable-pip-version-check", str(wheel)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "runtime-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "helm").symlink_to(helmtool.binaries()["helm4"])
    env = {"PATH": f"{venv / 'bin'}:{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}

    def gen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["gen-values", *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import dynamo_cache; print(dynamo_cache.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr  # the wheel's copy, not the checkout's
    assert "tier: lustre" in gen("--tier", "lustre").stdout
    manifests = gen("--tier", "files", "--manifests")
    assert manifests.returncode == 0, manifests.stderr
    assert manifests.stdout.count("kind: PersistentVolumeClaim") == 3  # rendered by the chart inside the wheel
    chart = where.stdout.strip().rsplit("/", 1)[0] + "/chart"
    assert (Path(chart) / "templates" / "tests" / "cache-io.yaml").is_file()  # `helm test` ships too
    assert "compilationCache" in gen("snippet").stdout
    dgd = tmp_path / "dgd.yaml"
    dgd.write_text((helmtool.ROOT / "tests/cases/wire/v1beta1-disagg-vllm/dgd.yaml").read_text())
    wired = gen("wire", str(dgd), "--tier", "files")
    assert wired.returncode == 0 and "claimName: model-cache" in wired.stdout, wired.stderr
