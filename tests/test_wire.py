"""`gen-values wire` on folders of Dynamo objects (tests/cases/wire/<case>/): dgd.yaml (the
user's file), spec.yaml (the release), args (more flags, one a line), and either wired.yaml
(the exact output) or refused.yaml (the path and words of the refusal).

A wired file must be the user's file with lines added only (comments, order, quoting and
other documents untouched), wire it again changes nothing, `--check` tells the two apart,
and every wired object validates against Dynamo's own CRDs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import crds
import yaml_io
from dynamo_cache.cli import main
from genvalues import cli_runner

CASES = Path(__file__).parent / "cases" / "wire"
CRD_FILES = {
    "DynamoGraphDeployment": "dynamo/nvidia.com_dynamographdeployments.yaml",
    "DynamoGraphDeploymentRequest": "dynamo/nvidia.com_dynamographdeploymentrequests.yaml",
}


def cases(kind: str) -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / kind).is_file())


def wire(case: Path, source: Path, *extra: str) -> Any:
    args = (case / "args").read_text().split("\n") if (case / "args").is_file() else []
    flags = [a for a in args if a]
    return cli_runner().invoke(main, ["wire", str(source), "--spec", str(case / "spec.yaml"), *flags, *extra])


def is_only_added_to(original: str, wired: str) -> bool:
    """Every line of `original`, in order, is a line of `wired`."""
    lines = iter(wired.splitlines())
    return all(any(line == other for other in lines) for line in original.splitlines())


@pytest.mark.parametrize("case", cases("wired.yaml"), ids=lambda p: p.name)
def test_wire_adds_the_caches_and_nothing_else(case: Path, tmp_path: Path) -> None:
    original = (case / "dgd.yaml").read_text()
    result = wire(case, case / "dgd.yaml")
    assert result.exit_code == 0, result.stderr
    expected = (case / "wired.yaml").read_text()
    assert result.stdout == expected
    assert expected != original and is_only_added_to(original, expected)
    copy = tmp_path / "wired.yaml"
    copy.write_text(expected)
    again = wire(case, copy)
    assert again.exit_code == 0 and again.stdout == expected  # idempotent
    assert "already wired" in again.stderr
    assert wire(case, copy, "--check").exit_code == 0
    check = wire(case, case / "dgd.yaml", "--check")
    assert check.exit_code == 1 and len(check.stderr.strip().splitlines()) == 1 and "not wired" in check.stderr


@pytest.mark.parametrize("case", cases("wired.yaml"), ids=lambda p: p.name)
def test_every_wired_object_validates_against_dynamos_crd(case: Path) -> None:
    import jsonschema

    docs = [d for d in yaml_io.load_all((case / "wired.yaml").read_text()) if d and d["kind"] in CRD_FILES]
    assert docs
    for doc in docs:
        try:
            crds.validate(doc, crds.schemas(CRD_FILES[doc["kind"]]))
        except jsonschema.ValidationError as exc:
            pytest.fail(f"{case.name}: {exc.message} at {list(exc.absolute_path)}")


@pytest.mark.parametrize("case", cases("refused.yaml"), ids=lambda p: p.name)
def test_a_conflict_is_refused_and_nothing_written(case: Path, tmp_path: Path) -> None:
    want = yaml_io.load((case / "refused.yaml").read_text())
    target = tmp_path / "dgd.yaml"
    original = (case / "dgd.yaml").read_text()
    target.write_text(original)
    result = wire(case, target, "--in-place")
    assert result.exit_code == 1, result.stderr
    assert f"{target}::{want['path']}: error: " in result.stderr, result.stderr
    assert want["message"] in result.stderr, result.stderr
    assert target.read_text() == original and not (tmp_path / "dgd.yaml.bak").exists()


def test_in_place_keeps_the_old_file(tmp_path: Path) -> None:
    case = CASES / "v1beta1-disagg-vllm"
    target = tmp_path / "dgd.yaml"
    target.write_text((case / "dgd.yaml").read_text())
    assert wire(case, target, "--in-place").exit_code == 0
    assert target.read_text() == (case / "wired.yaml").read_text()
    assert (tmp_path / "dgd.yaml.bak").read_text() == (case / "dgd.yaml").read_text()


def test_a_file_without_dynamo_objects_is_named(tmp_path: Path) -> None:
    target = tmp_path / "other.yaml"
    target.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    result = wire(CASES / "v1beta1-disagg-vllm", target)
    assert result.exit_code == 1
    assert "holds no DynamoGraphDeployment or DynamoGraphDeploymentRequest" in result.stderr


def test_a_branch_revision_leaves_the_model_path_to_the_user(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("modelDownload: {enabled: true, model: Qwen/Qwen3-0.6B, revision: main}\n")
    result = cli_runner().invoke(main, ["wire", str(CASES / "dgdr-pinned" / "dgd.yaml"), "--spec", str(spec)])
    assert result.exit_code == 0, result.stderr
    model_cache = yaml_io.load(result.stdout)["spec"]["modelCache"]
    assert "pvcModelPath" not in model_cache and model_cache["pvcName"] == "model-cache"
    assert "modelDownload.revision 'main' is a branch" in result.stderr and "pin it to that commit" in result.stderr


def test_without_fast_load_args_stay_and_one_line_says_why() -> None:
    case = CASES / "v1beta1-disagg-vllm"
    result = wire(case, case / "dgd.yaml")
    notes = [line for line in result.stderr.splitlines() if "--fast-load" in line]
    assert len(notes) == 1 and "Decode, Prefill load weights with vLLM's default loader" in notes[0]
    assert "runai_streamer" not in result.stdout
