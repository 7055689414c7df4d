"""The cold-start planner against hand-computed cases from
the catalog's public sources (numbers reach it only through the catalog)."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal

import pytest

import genvalues
import yaml_io
from dynamo_cache import plan
from dynamo_cache.catalog import CATALOG

GB = 10**9


def row(p: plan.Plan, tier: str) -> plan.Row:
    (found,) = [r for r in p.rows if r.tier == tier]
    return found


def test_amlfs_premium_500_at_4_tib_loads_140_gb_in_70_s() -> None:
    p = plan.plan(140 * GB, replicas=1)
    lustre = row(p, "lustre")
    assert lustre.provisioned_bytes == 4 * 2**40
    assert lustre.throughput_mbps == 2000
    assert lustre.one_replica_s == pytest.approx(70.0)


def test_shared_storage_divides_its_throughput() -> None:
    p = plan.plan(140 * GB, replicas=8)
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
    p = plan.plan(140 * GB, replicas=8)
    v2 = row(p, "disk-v2")
    _, files_mbps = plan.files_premium(Decimal(140 * GB) * Decimal("1.2"))
    assert v2.all_replicas_s == pytest.approx(8 * 140 * GB / (files_mbps * 1e6) + 140 * GB / 600e6)
    fast = [r for r in p.rows if r.all_replicas_s is not None and not r.upper_bound and r.all_replicas_s <= 600]
    assert p.recommended == min(fast, key=lambda r: r.provisioned_bytes).tier
    single = plan.plan(140 * GB, replicas=1)
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
    p = plan.plan(16 * GB, replicas=2, vm="L8s_v3")
    local, files = row(p, "local"), row(p, "files")
    assert local.one_replica_s == pytest.approx(files.one_replica_s + 16 * GB / 2000e6)
    assert local.all_replicas_s == pytest.approx(files.all_replicas_s + 16 * GB / 2000e6)
    assert local.provisioned_bytes > files.provisioned_bytes  # the Files copy plus NVMe


def test_recommendation() -> None:
    assert plan.plan(140 * GB, replicas=8).recommended == "lustre"  # only Lustre meets 10 min
    assert plan.plan(16 * GB, replicas=2).recommended == "files-v2"  # shared; v2 has no 100 GiB floor
    assert plan.plan(16 * GB, replicas=1).recommended == "disk-v2"  # one replica: an 18 GiB disk will do
    slow = plan.plan(140 * GB, replicas=64, target_s=60)
    assert slow.recommended == "lustre" and "no tier meets" in slow.reason
    assert plan.plan(140 * GB, replicas=8).recommended != "blob"  # a ceiling is never the pick


def test_figures_come_from_the_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CATALOG["lustre"]["skus"]["AMLFS-Durable-Premium-500"], "mbpsPerTiB", 250)
    assert row(plan.plan(140 * GB, replicas=1), "lustre").throughput_mbps == 1000


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return genvalues.run("plan", *args)


def test_cli_prints_a_table_for_every_tier() -> None:
    proc = run("--model-size", "140GB", "--replicas", "8")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert {line.split()[0] for line in lines[3:10]} == {
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
        (["--model-size", "140GB", "--vm", "x"], 1),
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
