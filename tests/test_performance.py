"""Speed is measured by ci/benchmark.py, never asserted in seconds here. What is
tested: the import discipline that keeps gen-values fast, and that the benchmark
still runs and prints its figures."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import helmtool
from dynamo_cache.cli import main
from genvalues import cli_runner


def imported(*args: str, stdin: str | None = None) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dynamo_cache", *args], capture_output=True, text=True, input=stdin
    )
    return {
        line.split("|")[2].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "cumulative" not in line
    }


VALUES = helmtool.ROOT / "tests" / "cases" / "valid" / "lustre-full" / "spec.yaml"


@pytest.mark.parametrize(
    "args",
    [
        ["--tier", "lustre"],
        ["--help"],
        ["--tier", "files", "--set", "caches.model.size=200Gi"],
        ["validate", str(VALUES)],
        ["snippet", "--tier", "lustre"],
        ["plan", "--model-size", "140GB", "--replicas", "8"],
        ["--spec", str(VALUES)],
    ],
    ids=["tier", "help", "set", "validate", "snippet", "plan", "spec"],
)
def test_fast_paths_do_not_import_heavy_libraries(args: list[str]) -> None:
    modules = imported(*args)
    assert "dynamo_cache.cli" in modules  # the measurement itself works
    heavy = {m for m in modules if m.split(".")[0] in {"jsonschema", "ruamel", "jinja2", "yaml"}}
    assert not heavy


def test_help_imports_no_library_core() -> None:
    assert not {m for m in imported("--help") if m in {"dynamo_cache.api", "dynamo_cache.rules"}}


def test_an_invalid_spec_still_gets_jsonschema_messages() -> None:
    assert "jsonschema" in imported("--tier", "files", "--set", "caches.model.size=lots")


@pytest.mark.parametrize(
    "args, code",
    [(["--tier", "lustre"], 0), (["--tier", "files", "--set", "caches.model.size=lots"], 1), (["--tier", "nope"], 2)],
    ids=["ok", "invalid", "usage"],
)
def test_exit_skips_the_collectors_passes_and_nothing_else(args: list[str], code: int) -> None:
    """run() freezes the collector as it returns (ci/benchmark.py measures what that saves);
    the output is still whole and atexit handlers still run, whatever the exit code."""
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, file=sys.stderr))\n"
        "from dynamo_cache.cli import run\n"
        f"sys.argv = ['gen-values', *{args!r}]\n"
        "run()\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.rstrip().endswith("frozen True"), proc.stderr
    if code == 0:
        assert proc.stdout == cli_runner().invoke(main, args).stdout  # whole, to the last byte


def load_benchmark() -> ModuleType:
    """ci/benchmark.py is a script, not a package module: loaded from its path."""
    spec = importlib.util.spec_from_file_location("benchmark", helmtool.ROOT / "ci" / "benchmark.py")
    assert spec and spec.loader
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    return benchmark


def test_benchmark_ratio_shows_its_spread() -> None:
    benchmark = load_benchmark()
    assert benchmark.spread([1.3] * 9) == " (1.30-1.30)"
    low, high = (float(x) for x in benchmark.spread([1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6]).strip(" ()").split("-"))
    assert 1.0 <= low < 1.3 < high <= 1.6
    assert benchmark.spread([1.2]) == ""  # one run (the smoke test): no spread to speak of


def test_the_static_copy_renders_what_the_chart_renders(tmp_path: Path) -> None:
    """render_phases credits the templates with the difference between the chart and its
    static copy: the copy must hand Helm the very same output."""
    benchmark = load_benchmark()
    helm = helmtool.binaries()["helm4"]
    static = benchmark.static_copy(helm, helmtool.CHART, tmp_path / "static")
    assert not (static / "values.schema.json").exists()
    assert [p.name for p in (static / "templates").iterdir()] == ["static.yaml"]
    chart, copy = (
        subprocess.run([helm, "template", "x", str(c)], check=True, capture_output=True, text=True).stdout
        for c in (helmtool.CHART, static)
    )
    assert "kind: PersistentVolumeClaim" in chart and "helm.sh/hook: test" in chart
    documents = [  # each document byte for byte; Helm spaces them its own way
        [doc.strip() for doc in benchmark.without_source_lines(text).split("---\n")] for text in (chart, copy)
    ]
    assert documents[0] == documents[1]


def test_benchmark_runs_and_prints_its_figures() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(helmtool.ROOT / "ci" / "benchmark.py"),
            "--runs",
            "1",
            "--throughput-seconds",
            "0.1",
            "--no-instructions",  # counting takes a minute: test_instruction_counts_are_repeatable checks it
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for fragment in (
        "gen-values --tier lustre",
        "gen-values validate",
        "gen-values snippet",
        "gen-values plan",
        "default values / scaffold",
        "download Job + customised / scaffold",
        "model-download.yaml",
        "values.schema.json",
        "Import time",
        "per second",
    ):
        assert fragment in proc.stdout, proc.stdout


def test_instruction_counts_are_repeatable() -> None:
    """The benchmark's per-template figures: valgrind's count of helm's instructions, the
    same on every run; None (and the benchmark times instead) where valgrind is missing."""
    sys.path.insert(0, str(helmtool.ROOT / "ci"))
    import benchmark

    cmd = [str(shutil.which("true"))]  # small, so the test is quick; helm takes seconds under valgrind
    first, second = benchmark.instructions(cmd), benchmark.instructions(cmd)
    if shutil.which("valgrind") is None:
        assert first is None
        return
    assert first is not None and first > 10_000 and first == second
    assert benchmark.instructions(["false"]) is None  # a failed command gives no figure
