"""Generated files match the generator, and the installed package (not the
source tree) finds its schema and catalog."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import yaml_io
from dynamo_cache import chartgen, model

ROOT = Path(__file__).resolve().parent.parent


def test_committed_generated_files_do_not_drift() -> None:
    assert chartgen.drift(ROOT) == [], "run `gen-values generate` and commit the result"


def test_drift_is_detected(tmp_path: Path) -> None:
    for rel, content in chartgen.outputs(ROOT).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(content)
    assert chartgen.drift(tmp_path) == []
    victim = next(iter(chartgen.outputs(ROOT)))
    (tmp_path / victim).write_text("edited by hand\n")
    assert chartgen.drift(tmp_path) == [victim]


def test_generated_files_say_so() -> None:
    for rel, content in chartgen.outputs(ROOT).items():
        if rel in chartgen.DOCS_WITH_BLOCKS:
            continue  # written by people; its generated blocks say so (test_readme_blocks_say_so)
        assert "do not edit" in content.split("\n", 3)[1] + content.split("\n", 3)[0], rel


def test_installed_package_finds_its_data(tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    assert (target / "dynamo_cache" / "schemas" / "dynamo-cache-spec.schema.json").is_file()
    code = (
        "import dynamo_cache, dynamo_cache.schema_check as s, dynamo_cache.catalog as c;"
        "assert 'site' in dynamo_cache.__file__, dynamo_cache.__file__;"
        "import dynamo_cache.model as m;"
        "print(s.load_spec_schema()['title'], len(c.TIERS), m.defaults()['tier'])"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {code}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "dynamo-cache spec (gen-values input) 5 files"


def test_chart_readme_table_has_every_param_with_its_real_default() -> None:
    import json
    import re

    values_text = (ROOT / "charts" / "dynamo-cache" / "values.yaml").read_text()
    values = yaml_io.load(values_text)
    params = re.findall(r"^\s*## @param (\S+) ", values_text, re.M)
    rows = dict(
        re.findall(
            r"^\| `([^`]+)` \| .* \| `(.*)` \|$", (ROOT / "charts" / "dynamo-cache" / "README.md").read_text(), re.M
        )
    )
    assert params and list(rows)[-len(params) :] == params
    for path in params:
        value = values
        for part in path.split("."):
            value = value[part]
        assert json.loads(rows[path].replace("\\|", "|")) == value, path


def test_every_cited_source_is_listed() -> None:
    text = (ROOT / "generator" / "dynamo_cache" / "data" / "catalog.yaml").read_text()
    from dynamo_cache.catalog import CATALOG

    prose = [
        line.split("#", 1)[1] if "#" in line else line
        for line in text.splitlines()
        if "#" in line or re.match(r"\s*(why|source|message):", line)
    ]
    cited = {name for line in prose for name in re.findall(r"\[([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\]", line)}
    assert cited and cited <= set(CATALOG["sources"]), cited - set(CATALOG["sources"])
    assert all("://" in v or "NVIDIA Dynamo" in v for v in CATALOG["sources"].values())


def test_the_product_cites_public_sources_only() -> None:
    """What a user clones never points at files outside it."""
    shipped = [
        ROOT / "README.md",
        ROOT / "CONTRIBUTING.md",
        *(ROOT / "docs").rglob("*"),
        *(ROOT / "charts").rglob("*"),
        *(ROOT / "generator").rglob("*"),
        *(ROOT / "schemas").rglob("*"),
        *(ROOT / "ci").rglob("*"),
    ]
    offenders = []
    for path in shipped:
        if path.is_file() and path.suffix in {".md", ".py", ".yaml", ".json", ".tpl", ".txt", ".sh", ""}:
            text = path.read_text(errors="replace")
            if re.search(r"\.\./shared/|\bthe seed\b|\bseed's\b", text):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


@pytest.mark.parametrize(
    ("doc", "blocks"),
    [
        ("docs/tiers.md", ["azure-limits", "plan-example"]),
        ("README.md", ["plan-calibration", "usage-by-tier"]),
        ("docs/operations.md", ["alerts", "usage-by-storage"]),
    ],
)
def test_doc_blocks_are_generated_from_the_catalog_and_planner(doc: str, blocks: list[str]) -> None:
    assert Path(doc) in chartgen.DOCS_WITH_BLOCKS
    text = (ROOT / doc).read_text()
    names = re.findall(r"<!-- generated: ([a-z-]+) ", text)
    assert names == blocks
    emptied = chartgen.README_BLOCK.sub(lambda m: m.group(1) + m.group(4), text)
    assert chartgen.readme_blocks(emptied) == text  # the blocks hold exactly what the generator writes


def test_the_limits_and_calibration_tables_hold_the_catalogs_figures() -> None:
    tiers = (ROOT / "docs/tiers.md").read_text()
    assert "| Azure Files Premium v1 | smallest share (smaller requests are raised and billed) | 100Gi |" in tiers
    readme = (ROOT / "README.md").read_text()
    assert "| 1 h 16 min | 1 h 16 min | 1.00 |" in readme  # Dynamo's 4575 s load, reproduced


def test_the_readme_says_which_tiers_report_usage_as_the_alerts_assume() -> None:
    """The README's list and the chart's alerts read the same catalog entry: blob's model cache
    gets neither a "reported" line nor a usage alert."""
    readme = (ROOT / "README.md").read_text()
    assert "- **blob**: model (Azure Blob): **not reported** (blob-csi-driver reports" in readme
    assert "- **disk**: model, compilation, perf (Azure Disk): reported." in readme
    operations = (ROOT / "docs/operations.md").read_text()
    assert "| Azure Managed Lustre | reported | 20m |" in operations


def test_the_readme_states_the_alerts_defaults() -> None:
    """The README's sentence on the alerts is prose; its figures are the values' defaults."""
    alerts = model.defaults()["metrics"]["prometheusRule"]["alerts"]
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert f"a cache above {alerts['usage']['warning']}% and {alerts['usage']['critical']}% of its bytes" in readme
    assert (
        alerts["inodes"]["warning"] == alerts["usage"]["warning"]
        and alerts["inodes"]["critical"] == alerts["usage"]["critical"]
    )
    assert f"full within {alerts['fullSoon']['hours']} hours at the last 6 hours' growth" in readme


def test_the_main_jobs_lock_is_the_test_locks_runtime_part() -> None:
    """ci/lock/run.txt (what `bash ci/setup.sh` installs) pins what ci/lock/test.txt pins, and
    holds every package gen-values needs to run: its requirements, closed."""
    import importlib.metadata as metadata

    from packaging.requirements import Requirement

    def pins(name: str) -> set[str]:
        text = (ROOT / "ci" / "lock" / name).read_text()
        return {line.strip() for line in text.splitlines() if line and not line.startswith(("#", " "))}

    run, test = pins("run.txt"), pins("test.txt")
    assert run <= test, run - test
    pinned = {re.sub(r"[-_.]+", "-", line.split("==")[0]).lower() for line in run}
    needed, todo = set(), ["dynamo-cache"]
    while todo:
        name = todo.pop()
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            key = re.sub(r"[-_.]+", "-", requirement.name).lower()
            if key not in needed:
                needed.add(key)
                todo.append(requirement.name)
    assert needed <= pinned, needed - pinned
