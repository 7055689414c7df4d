"""Every command block in README.md is run, so the README cannot drift from the tools.

Each command line is run in a fresh folder holding the files the README's commands name
(values.yaml from gen-values, my-spec.yaml from the README's own spec example, dgd.yaml a
DynamoGraphDeployment), with gen-values and the pinned Helm 4 first on PATH. `helm install`
and `helm upgrade --install` run as `helm template` of this checkout's chart (the published
addresses name the same chart and version); the commands that need a live cluster are
listed in CLUSTER with what covers them instead; a line no rule knows fails the test."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import helmtool

README = helmtool.ROOT / "README.md"
VERSION = re.search(r"(?m)^version: (\S+)$", (helmtool.CHART / "Chart.yaml").read_text())[1]  # type: ignore[index]
PUBLISHED = [  # where a release publishes the chart: each is this checkout's chart
    f"oci://ghcr.io/dynamo-cache/charts/dynamo-cache --version {VERSION}",
    "dynamo-cache/dynamo-cache",
    "./charts/dynamo-cache",
    "charts/dynamo-cache",
]
# Need a live cluster (or are the suite itself); what covers them instead:
CLUSTER = {
    "helm test": "tests/test_chart.py renders the test Jobs; tests/test_cluster.py on a cluster",
    "kubectl apply": "the wired DGD validates against Dynamo's CRD (tests/test_wire.py)",
    "gen-values validate --live": "tests/test_scope.py, against a recording API server",
    "gen-values doctor": "tests/test_doctor.py, against a recording API server",
    "bash ci/setup.sh --test": "CI's own command",
    "pip install dynamo-cache": "tests/test_release.py installs the built wheel into an empty virtualenv",
}
EXIT_CODES = {"--check": 1}  # `wire --check` before wiring: "exit 1 until it is wired"


def command_lines() -> list[str]:
    """The command lines of README.md's indented blocks, continuations joined."""
    lines, out, fenced = README.read_text().splitlines(), [], False
    index = 0
    while index < len(lines):
        line = lines[index]
        fenced = not fenced if line.startswith("```") else fenced
        if not fenced and re.match(r" {4}(gen-values|helm|kubectl|pip|cat|bash)\b", line):
            command = line[4:]
            while command.rstrip().endswith("\\"):
                index += 1
                command = command.rstrip()[:-1] + " " + lines[index].strip()
            out.append(re.sub(r"\s+#.*$", "", command).strip())
        index += 1
    return out


def spec_example() -> str:
    """The README's spec example (the fenced YAML after "A spec is")."""
    text = README.read_text()
    return text.split("A spec is", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    (folder / "bin").mkdir()
    (folder / "bin" / "gen-values").symlink_to(Path(sys.executable).parent / "gen-values")
    (folder / "bin" / "helm").symlink_to(helmtool.binaries()["helm4"])
    files = folder / "files"
    files.mkdir()
    (files / "my-spec.yaml").write_text(spec_example())
    (files / "dgd.yaml").write_text((helmtool.ROOT / "tests/cases/wire/v1beta1-disagg-vllm/dgd.yaml").read_text())
    values = subprocess.run(
        [str(folder / "bin" / "gen-values"), "--tier", "files", "--namespace", "dynamo"],
        capture_output=True,
        text=True,
        check=True,
    )
    (files / "values.yaml").write_text(values.stdout)
    return folder


def test_the_readme_has_a_quickstart_on_its_first_screen() -> None:
    text = README.read_text()
    assert text.index("## Quickstart") < 1200
    quickstart = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    assert len(quickstart.strip().splitlines()) <= 20
    for step in ("pip install dynamo-cache", "gen-values --tier", "helm install", "gen-values wire", "helm test"):
        assert step in quickstart, step
    assert len(text.splitlines()) <= 300


@pytest.mark.parametrize("line", command_lines())
def test_every_readme_command_runs(line: str, workspace: Path, tmp_path: Path) -> None:
    known = next((reason for prefix, reason in CLUSTER.items() if line.startswith(prefix)), None)
    if known:
        named = re.findall(r"tests/\w+\.py", known)
        assert all((helmtool.ROOT / test).is_file() for test in named), known
        return  # covered elsewhere, named above
    command = line
    if command.startswith(("helm install ", "helm upgrade --install ")):
        command = re.sub(r"^helm (install|upgrade --install) ", "helm template ", command)
        for ref in PUBLISHED:
            command = command.replace(f" {ref} ", f" {helmtool.CHART} ", 1)
        assert str(helmtool.CHART) in command, f"README installs a chart from an unknown place: {line}"
    else:
        assert command.startswith(("gen-values ", "cat ")), f"README command no rule runs: {line}"
    shutil.copytree(workspace / "files", tmp_path, dirs_exist_ok=True)
    written = re.search(r"(?:-o|>) (\S+)", command)
    if written:
        (tmp_path / written[1]).unlink(missing_ok=True)
    env = {**os.environ, "PATH": f"{workspace / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    env.pop("KUBECONFIG", None)
    done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    want = next((code for flag, code in EXIT_CODES.items() if flag in command.split()), 0)
    assert done.returncode == want, f"{line}\n{done.stderr}"
    assert "Traceback" not in done.stderr
