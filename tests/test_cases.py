"""Data-driven cases: tests/cases/{valid,invalid}/<case>/spec.yaml + expected.yaml.

invalid: gen-values exits 1 naming `FILE::<path>` and the message fragment; with
`chart: true` both Helm versions reject the same document as chart values.
valid: gen-values exits 0 with exactly the expected warnings, and its values
contain the expected subset and render with both Helm versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import helmtool
import yaml_io
from dynamo_cache.cli import main
from genvalues import cli_runner

CASES = Path(__file__).parent / "cases"


def cases(kind: str) -> list[Path]:
    return sorted(p for p in (CASES / kind).iterdir() if p.is_dir())


def expected(case: Path) -> dict[str, Any]:
    return yaml_io.load((case / "expected.yaml").read_text())


def gen(*args: str) -> Any:
    return cli_runner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("case", cases("invalid"), ids=lambda p: p.name)
def test_invalid_spec_is_rejected_with_its_path(case: Path) -> None:
    want = expected(case)
    spec = str(case / "spec.yaml")
    result = gen("--spec", spec)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{spec}::{want['path']}:")]
    assert any(want["message"] in line for line in lines), result.stderr
    assert "Traceback" not in result.stderr
    # validate says the same, and writes nothing
    again = gen("validate", spec)
    assert again.exit_code == 1 and again.stderr == result.stderr


@pytest.mark.parametrize("case", [c for c in cases("invalid") if expected(c)["chart"]], ids=lambda p: p.name)
def test_chart_rejects_the_same_values(case: Path, helm_version: str) -> None:
    run = helmtool.template(helm_version, (case / "spec.yaml").read_text())
    assert run.returncode != 0, f"{helm_version} accepted {case.name}:\n{run.stdout}"
    want = expected(case)
    lines = [line for line in run.stderr.splitlines() if line.startswith(f"- {want['path'][2:]}: ")]
    if lines:  # refused by the chart's rules (not its schema): in gen-values' words, from the same catalog
        assert any(want["message"] in line for line in lines), run.stderr


@pytest.mark.parametrize("case", cases("valid"), ids=lambda p: p.name)
def test_valid_spec_gives_values_and_exactly_its_warnings(case: Path) -> None:
    want = expected(case)
    spec = str(case / "spec.yaml")
    result = gen("--spec", spec)
    assert result.exit_code == 0, result.stderr
    warnings = result.stderr.splitlines()
    assert len(warnings) == len(want["warnings"]), result.stderr
    for w in want["warnings"]:
        assert any(line.startswith(f"{spec}::{w['path']}: warning: ") and w["message"] in line for line in warnings), (
            result.stderr
        )
    strict = gen("--spec", spec, "--strict")
    assert strict.exit_code == (1 if want["warnings"] else 0)
    values = yaml_io.load(result.stdout)
    assert_subset(want["values"], values)
    for version in helmtool.VERSIONS:
        run = helmtool.template(version, result.stdout)
        assert run.returncode == 0, run.stderr
        assert run.kinds("PersistentVolumeClaim")


def assert_subset(want: Any, got: Any, path: str = "$") -> None:
    if isinstance(want, dict):
        for key, value in want.items():
            assert isinstance(got, dict) and key in got, f"{path}.{key} missing"
            assert_subset(value, got[key], f"{path}.{key}")
    else:
        assert want == got, f"{path}: {got!r} != {want!r}"
