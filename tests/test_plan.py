"""The cold-start planner against hand-computed cases from
the catalog's public sources (numbers reach it only through the catalog)."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from typing import Any

import pytest

import genvalues
import yaml_io
from dynamo_cache import plan
from dynamo_cache.catalog import CATALOG

GB = 10**9


def row(p: plan.Plan, tier: str) -> plan.Row:
    (found,) = [r for r in p.rows if r.tier == tier]
    return found


def storage_bound(model: int, replicas: int, **kwargs: Any) -> plan.Plan:
    """A reader that takes what the storage gives, on striped files: the storage's own figures."""
    return plan.plan(model, replicas, loader="storage", layout="striped", **kwargs)


def test_amlfs_premium_500_at_4_tib_loads_140_gb_in_70_s() -> None:
    p = storage_bound(140 * GB, replicas=1)
    lustre = row(p, "lustre")
    assert lustre.provisioned_bytes == 4 * 2**40
    assert lustre.throughput_mbps == 2000
    assert lustre.one_replica_s == pytest.approx(70.0)


def test_shared_storage_divides_its_throughput() -> None:
    p = storage_bound(140 * GB, replicas=8)
    assert row(p, "lustre").all_replicas_s == pytest.approx(8 * 70.0)
    files = row(p, "files")
    assert files.all_replicas_s == pytest.approx(8 * files.one_replica_s)


@pytest.mark.parametrize(("gib", "mibps"), [(100, 110), (1024, 203), (10240, 1125)])
def test_premium_files_throughput_formula(gib: int, mibps: int) -> None:
    provisioned, mbps = plan.files_premium(Decimal(gib * 2**30))
    assert provisioned == gib
    assert mbps == pytest.approx(mibps * 2**20 / 10**6)


@pytest.mark.parametrize(("gib", "mibps"), [(32, 104), (1024, 203), (102400, 10340)])
def test_premium_files_v2_default_throughput(gib: int, mibps: int) -> None:
    provisioned, mbps = plan.files_premium_v2(Decimal(gib * 2**30))
    assert provisioned == gib and mbps == pytest.approx(mibps * 2**20 / 10**6)
    assert plan.files_premium_v2(Decimal(2**30))[0] == 32  # the v2 minimum


def test_premium_files_never_below_the_premium_minimum() -> None:
    provisioned, mbps = plan.files_premium(Decimal(10 * 2**30))
    assert provisioned == 100 and mbps == pytest.approx(110 * 2**20 / 10**6)


@pytest.mark.parametrize(
    ("needed_tib", "sku", "tib", "mbps"),
    [
        (0.1, "AMLFS-Durable-Premium-500", 4, 2000),  # the minimum
        (5, "AMLFS-Durable-Premium-500", 8, 4000),  # rounded up to the 4 TiB increment
        (1, "AMLFS-Durable-Premium-40", 48, 1920),  # 40 MB/s per TiB x 48 TiB minimum
        (17, "AMLFS-Durable-Premium-125", 32, 4000),
    ],
)
def test_lustre_rounds_to_the_sku(needed_tib: float, sku: str, tib: int, mbps: int) -> None:

    assert plan.lustre(Decimal(str(needed_tib)) * 2**40, sku) == (tib, mbps)


def test_lustre_above_the_sku_maximum_is_an_error() -> None:

    with pytest.raises(plan.PlanError, match="maximum"):
        plan.lustre(Decimal(200 * 2**40), "AMLFS-Durable-Premium-500")


def test_disk_takes_the_smallest_premium_tier_that_fits() -> None:
    p = plan.plan(140 * GB, replicas=1)  # 168 GB with room = 156.5 GiB -> P15 (256 GiB, 125 MB/s)
    disk = row(p, "disk")
    assert disk.storage.startswith("Premium SSD P15") and disk.throughput_mbps == 125
    assert disk.one_replica_s == pytest.approx(140 * GB / 125e6)
    eight = row(plan.plan(140 * GB, replicas=8), "disk")
    files_gib, files_mbps = plan.files_premium(Decimal(140 * GB) * Decimal("1.2"))
    assert eight.provisioned_bytes == 8 * 256 * 2**30 + files_gib * 2**30 and not eight.shared


def test_per_node_disks_count_their_filling_and_the_rule_picks_by_it() -> None:
    """Eight disks hold no shared copy: each is filled from the Premium Files model cache
    first (like node-local NVMe), so their all-replica time includes it, and the
    recommendation (smallest capacity within the target) can consider them honestly."""
    p = storage_bound(140 * GB, replicas=8)
    v2 = row(p, "disk-v2")
    _, files_mbps = plan.files_premium(Decimal(140 * GB) * Decimal("1.2"))
    assert v2.all_replicas_s == pytest.approx(8 * 140 * GB / (files_mbps * 1e6) + 140 * GB / 600e6)
    fast = [r for r in p.rows if r.all_replicas_s is not None and not r.upper_bound and r.all_replicas_s <= 600]
    assert p.recommended == min(fast, key=lambda r: r.provisioned_bytes).tier
    single = storage_bound(140 * GB, replicas=1)
    assert single.recommended == "disk-v2"  # one replica: its own disk, filled by the download, is smallest


def test_premium_v2_uses_the_provisioned_rate_of_its_class() -> None:
    v2 = row(plan.plan(140 * GB, replicas=1), "disk-v2")
    assert v2.throughput_mbps == 600 and v2.provisioned_bytes == 157 * 2**30  # ceil(168 GB in GiB)
    assert v2.one_replica_s == pytest.approx(140 * GB / 600e6)


def test_params_and_dtype_give_bytes() -> None:
    assert plan.model_bytes(params="70B", dtype="bf16") == 140 * GB
    assert plan.model_bytes(params="8B", dtype="fp8") == 8 * GB
    assert plan.model_bytes(params="1.5T", dtype="int4") == 750 * GB
    assert plan.model_bytes(size="140GB") == 140 * GB
    with pytest.raises(plan.PlanError):
        plan.model_bytes(params="70B", dtype="bf17")


def test_local_is_filled_from_the_shared_model_cache_first() -> None:
    p = storage_bound(16 * GB, replicas=2, vm="L8s_v3")
    local, files = row(p, "local"), row(p, "files")
    assert local.one_replica_s == pytest.approx(files.one_replica_s + 16 * GB / 2000e6)
    assert local.all_replicas_s == pytest.approx(files.all_replicas_s + 16 * GB / 2000e6)
    assert local.provisioned_bytes > files.provisioned_bytes  # the Files copy plus NVMe


def test_recommendation() -> None:
    assert storage_bound(140 * GB, replicas=8).recommended == "lustre"  # only Lustre meets 10 min
    assert storage_bound(16 * GB, replicas=2).recommended == "files-v2"  # shared; v2 has no 100 GiB floor
    assert storage_bound(16 * GB, replicas=1).recommended == "disk-v2"  # one replica: an 18 GiB disk will do
    slow = storage_bound(140 * GB, replicas=64, target_s=60)
    assert slow.recommended == "lustre" and "no tier meets" in slow.reason
    assert storage_bound(140 * GB, replicas=8).recommended != "blob"  # a ceiling is never the pick


def test_figures_come_from_the_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CATALOG["lustre"]["skus"]["AMLFS-Durable-Premium-500"], "mbpsPerTiB", 250)
    assert row(storage_bound(140 * GB, replicas=1), "lustre").throughput_mbps == 1000


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return genvalues.run("plan", *args)


def test_cli_prints_a_table_for_every_tier() -> None:
    proc = run("--model-size", "140GB", "--replicas", "8", "--loader", "storage", "--layout", "striped")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert {line.split()[0] for line in lines[4:11]} == {
        "lustre",
        "files",
        "files-v2",
        "disk",
        "disk-v2",
        "blob",
        "local",
    }
    assert "1 min 10 s" in proc.stdout and "Recommended: lustre" in proc.stdout and "Assumptions:" in proc.stdout


def test_cli_json() -> None:
    data = json.loads(run("--params", "70B", "--replicas", "2", "--format", "json").stdout)
    assert data["model_bytes"] == 140 * GB and len(data["rows"]) == 7


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ([], 2),
        (["--model-size", "140GB", "--params", "8B"], 2),
        (["--params", "lots"], 2),  # a flag's value: usage
        (["--params", "70"], 2),  # no unit: 70 parameters is a typo
        (["--model-size", "0GB"], 2),
        (["--params", "70B", "--dtype", "bf8"], 2),
        (["--model-size", "140GB", "--vm", "x"], 2),  # a choice: usage
        (["--model-size", "140GB", "--lustre-size", "3Ti"], 1),  # not a 4 TiB step
        (["--model-size", "140GB", "--files-size", "10Gi"], 1),  # smaller than the cache needs
        (["--model-size", "140GB", "--files-size", "lots"], 1),
        (["--model-size", "140GB", "--loader", "fast"], 2),
        (["--model-size", "140GB", "--nodes-per-replica", "0"], 2),
        (["--model-size", "140GB", "--replicas", "0"], 2),
    ],
)
def test_cli_errors(args: list[str], code: int) -> None:
    proc = run(*args)
    assert proc.returncode == code and "Traceback" not in proc.stderr and proc.stderr


def test_each_option_says_how_to_get_it() -> None:
    """plan() is a loop over OPTIONS: every row names the chart tier it installs and the
    gen-values arguments that give it, and those arguments do."""
    from dynamo_cache import plan as planner
    from dynamo_cache.cli import main
    from genvalues import cli_runner

    rows = planner.plan(140 * GB, 2).rows
    assert [r.tier for r in rows] == [o.name for o in planner.OPTIONS]
    for row in rows:
        result = cli_runner().invoke(main, row.args)
        assert result.exit_code == 0, (row.tier, result.stderr)
        values = yaml_io.load(result.stdout)
        assert values["tier"] == row.chart_tier, row.tier
    v2 = next(r for r in rows if r.tier == "files-v2")
    assert v2.args[-1] in v2.notes[0]  # its note says the setting too
    assert "PremiumV2_LRS" in yaml_io.dump(yaml_io.load(cli_runner().invoke(main, v2.args).stdout)["storageClasses"])


MBPS = 10**6


def test_the_engines_default_loader_reads_unless_told_otherwise() -> None:
    """Without --loader, vLLM's default loader reads, at the rate of its published load
    (554 GiB over 2 nodes in 4575 s: 65 MB/s per node), well below the storage."""
    p = plan.plan(140 * GB, replicas=1)
    per_node = 554 * 2**30 / 2 / 4575
    assert p.loader == "vllm" and row(p, "lustre").one_replica_s == pytest.approx(140 * GB / per_node)
    assert row(p, "lustre").limit.startswith("the loader")
    kimi = plan.plan(plan.model_bytes(size="554Gi"), 1, nodes_per_replica=2)
    assert kimi.recommended == "lustre" and "plan again with --loader runai-streamer" in kimi.reason
    fast = plan.plan(140 * GB, replicas=1, loader="runai-streamer")
    assert row(fast, "lustre").one_replica_s == pytest.approx(140 * GB / (554 * 2**30 / 2 / 318))
    assert plan.plan(140 * GB, 1, engine="sglang").loader == "sglang"
    trt = plan.plan(140 * GB, 8, engine="trtllm")
    assert trt.loader == "trtllm" and row(trt, "lustre").upper_bound and any("lower bounds" in u for u in trt.unknowns)


def test_unstriped_files_read_at_one_osts_rate() -> None:
    """An unstriped file lives on one OST: 4 TiB x 500 MB/s per TiB = 2,000 MB/s, however
    large the filesystem; striped, the reader gets the filesystem's aggregate."""
    unstriped = plan.plan(140 * GB, 1, loader="storage", layout="unstriped", have={"lustre": "16Ti"})
    striped = plan.plan(140 * GB, 1, loader="storage", layout="striped", have={"lustre": "16Ti"})
    assert row(unstriped, "lustre (16Ti)").one_replica_s == pytest.approx(140 * GB / (2000 * MBPS))
    assert row(striped, "lustre (16Ti)").one_replica_s == pytest.approx(140 * GB / (8000 * MBPS))
    assert "one OST" in row(unstriped, "lustre (16Ti)").limit


def test_the_nodes_network_caps_what_it_reads() -> None:
    """NC24ads_A100_v4 has 20,000 Mbps = 2,500 MB/s: a striped 16 TiB AMLFS gives more."""
    p = plan.plan(140 * GB, 1, vm="NC24ads_A100_v4", loader="storage", layout="striped", have={"lustre": "16Ti"})
    assert row(p, "lustre (16Ti)").one_replica_s == pytest.approx(140 * GB / (2500 * MBPS))
    assert "network" in row(p, "lustre (16Ti)").limit
    unknown = plan.plan(140 * GB, 1, vm="ND96isr_H200_v5")
    assert any("ND96isr_H200_v5: no published network" in u for u in unknown.unknowns)


def test_a_replica_across_nodes_reads_its_shards_on_every_node_at_once() -> None:
    """Two nodes per replica each read half the model; the storage is shared by every node
    of every replica."""
    one = storage_bound(140 * GB, 1, have={"lustre": "16Ti"})
    two = storage_bound(140 * GB, 1, nodes_per_replica=2, have={"lustre": "16Ti"})
    assert row(two, "lustre (16Ti)").one_replica_s == pytest.approx(70 * GB / (4000 * MBPS))
    assert row(one, "lustre (16Ti)").one_replica_s == pytest.approx(140 * GB / (8000 * MBPS))
    four = storage_bound(140 * GB, 4, nodes_per_replica=2, have={"lustre": "16Ti"})
    assert row(four, "lustre (16Ti)").all_replicas_s == pytest.approx(70 * GB / (1000 * MBPS))
    disks = row(storage_bound(140 * GB, 1, nodes_per_replica=2), "disk")
    assert "x 2 + Files copy" in disks.storage  # two nodes, two disks, filled from a shared copy


def test_a_capacity_you_have_is_planned_beside_the_smallest() -> None:
    p = storage_bound(140 * GB, 8, have={"lustre": "16Ti", "files": "1Ti"})
    tiers = [r.tier for r in p.rows]
    assert tiers.index("lustre (16Ti)") == tiers.index("lustre") + 1 and "files (1Ti)" in tiers
    assert row(p, "lustre (16Ti)").provisioned_bytes == 16 * 2**40
    assert row(p, "lustre (16Ti)").all_replicas_s == pytest.approx(row(p, "lustre").all_replicas_s / 4)
    assert row(p, "files (1Ti)").args[-1] == "caches.model.size=1Ti"
    with pytest.raises(plan.PlanError, match="no capacity can be given for blob"):
        plan.plan(140 * GB, 1, have={"blob": "1Ti"})


def test_the_cli_offers_a_size_for_every_sized_option() -> None:
    from dynamo_cache import cli

    assert cli.PLAN_SIZED == plan.SIZED


@pytest.mark.parametrize("case", plan.calibration(), ids=lambda c: c.id)
def test_the_planner_reproduces_each_published_load(case: plan.Calibration) -> None:
    """Each measurement of performance.calibration, predicted within the stated tolerance;
    the CLI, given the same setup, prints the same figure."""
    tolerance = CATALOG["performance"]["calibrationTolerance"]
    assert abs(case.ratio - 1) <= tolerance, (case.id, case.predicted_s, case.measured_s)
    data = json.loads(run(*case.args, "--format", "json").stdout)
    (cli_row,) = [r for r in data["rows"] if r["tier"].endswith(")")]
    assert cli_row["one_replica_s"] == pytest.approx(case.predicted_s)


def test_a_catalog_change_that_breaks_calibration_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Halving Lustre's MB/s per TiB halves one OST's rate: the one-shard predictions leave
    the tolerance, so the calibration test fails."""
    monkeypatch.setitem(CATALOG["lustre"]["skus"]["AMLFS-Durable-Premium-500"], "mbpsPerTiB", 250)
    tolerance = CATALOG["performance"]["calibrationTolerance"]
    off = [c.id for c in plan.calibration() if abs(c.ratio - 1) > tolerance]
    assert off == ["one-shard-unstriped", "one-shard-striped"]


def test_several_models_in_one_cache_are_planned_as_their_sum() -> None:
    both = json.loads(run("--model-size", "16GB", "--model-size", "140GB", "--format", "json").stdout)
    assert both["model_bytes"] == 156 * GB
    one = json.loads(run("--model-size", "156GB", "--format", "json").stdout)
    assert both["rows"] == one["rows"] and "2 models share the cache" in both["unknowns"][0]
