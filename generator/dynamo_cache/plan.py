"""The cold-start planner: how long a fleet of Dynamo replicas waits for a model on
each tier, and what each tier provisions (the monthly-cost driver). Every figure
comes from the catalog's `performance` and `lustre` sections, which cite
its public sources (catalog.yaml `sources`); nothing here is a constant of its own."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from . import quantity
from .catalog import CATALOG

MB = Decimal(10**6)
MiB = Decimal(2**20)
PARAMS = re.compile(r"^([0-9]{1,30}(?:\.[0-9]{1,30})?)\s*([KMBT])$", re.IGNORECASE)  # a unit: 70 alone is a typo
PARAM_UNITS = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}


class PlanError(ValueError):
    """Bad planner input; str() is the user-facing message."""


@dataclass
class Row:
    tier: str
    storage: str
    provisioned_bytes: int
    throughput_mbps: float | None  # MB/s (10^6 bytes) the storage gives, None = unknown
    shared: bool  # one copy read by every replica
    one_replica_s: float | None
    all_replicas_s: float | None
    upper_bound: bool = False  # the figure is a ceiling, not an expectation
    notes: list[str] = field(default_factory=list)
    chart_tier: str = ""  # the chart's tier this option installs
    args: list[str] = field(default_factory=list)  # the gen-values arguments that give it


@dataclass
class Plan:
    model_bytes: int
    needed_bytes: int
    replicas: int
    vm: str | None
    rows: list[Row]
    recommended: str
    reason: str
    assumptions: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def model_bytes(size: str | None = None, params: str | None = None, dtype: str = "bf16") -> int:
    """Bytes of the model's files, from a size (`140GB`, `65Gi`) or a parameter count
    and dtype (`70B`, `bf16`)."""
    if (size is None) == (params is None):
        raise PlanError("give the model size (--model-size 140GB) or its parameter count (--params 70B --dtype bf16)")
    if size is not None:
        try:
            nbytes = int(quantity.parse_model_size(size))
        except ValueError:
            raise PlanError(
                f"--model-size {size!r}: expected a size with its unit, such as 140GB, 65Gi or 1.5TB"
            ) from None
        if nbytes <= 0:
            raise PlanError(f"--model-size {size!r}: a model has more than 0 bytes")
        return nbytes
    match = PARAMS.match(params or "")
    if not match:
        raise PlanError(f"--params {params!r}: expected a count with its unit, such as 70B, 8B, 500M or 1.5T")
    per = CATALOG["performance"]["dtypeBytes"]
    if dtype not in per:
        raise PlanError(f"--dtype {dtype!r}: allowed: {', '.join(per)}")
    count = Decimal(match.group(1)) * PARAM_UNITS[match.group(2).upper()]
    nbytes = int(count * Decimal(str(per[dtype])))
    if nbytes <= 0:
        raise PlanError(f"--params {params!r}: a model has more than 0 parameters")
    return nbytes


def _seconds(total_bytes: Decimal, mbps: float | None) -> float | None:
    return None if not mbps else float(total_bytes / (Decimal(str(mbps)) * MB))


def _gib(n: Decimal | int) -> int:
    return math.ceil(n / quantity.GiB)


def _files_mibps(gib: int) -> int:
    f = CATALOG["performance"]["filesPremium"]
    return int(f["baseMiBps"] + math.ceil(f["ingressPerGiB"] * gib) + math.ceil(f["egressPerGiB"] * gib))


def _files_formula(gib: int) -> str:
    """How _files_mibps got its figure, in the catalog's numbers (the notes show the arithmetic)."""
    f = CATALOG["performance"]["filesPremium"]
    return f"{f['baseMiBps']} + ceil({f['ingressPerGiB']} x {gib}) + ceil({f['egressPerGiB']} x {gib})"


def _files_v2_formula(gib: int) -> str:
    f = CATALOG["performance"]["filesPremiumV2"]
    return f"min({f['baseMiBps']} + ceil({f['perGiB']} x {gib}), {f['maxMiBps']})"


def files_premium(needed: Decimal) -> tuple[int, float]:
    """Provisioned GiB (at least the Premium minimum) and MB/s of a Premium v1 share."""
    minimum = _gib(quantity.parse(CATALOG["drivers"]["files"]["premiumMinSize"]))
    gib = max(minimum, _gib(needed))
    return gib, float(Decimal(_files_mibps(gib)) * MiB / MB)


def files_premium_v2(needed: Decimal) -> tuple[int, float]:
    """Provisioned GiB and MB/s of a PremiumV2 share at its default throughput."""
    f = CATALOG["performance"]["filesPremiumV2"]
    gib = max(_gib(quantity.parse(CATALOG["drivers"]["files"]["premiumV2MinSize"])), _gib(needed))
    mibps = min(f["baseMiBps"] + math.ceil(f["perGiB"] * gib), f["maxMiBps"])
    return gib, float(Decimal(mibps) * MiB / MB)


def lustre(needed: Decimal, sku_name: str) -> tuple[int, float]:
    """Provisioned TiB (the SKU minimum, else rounded up to its increment) and MB/s."""
    sku = CATALOG["lustre"]["skus"][sku_name]
    tib = max(sku["minTiB"], math.ceil(needed / quantity.TiB / sku["incrementTiB"]) * sku["incrementTiB"])
    if tib > sku["maxTiB"]:
        raise PlanError(f"the model needs {tib} TiB, above the {sku_name} maximum of {sku['maxTiB']} TiB")
    return tib, float(tib * sku["mbpsPerTiB"])


def disk_premium(needed: Decimal) -> tuple[str, int, float] | None:
    """The smallest Premium SSD tier that holds `needed`: (tier, GiB, MB/s)."""
    for t in CATALOG["performance"]["diskPremiumTiers"]:
        if t["GiB"] * quantity.GiB >= needed:
            return t["tier"], t["GiB"], float(t["MBps"])
    return None


def _disk(tier: str, kind: str, gib: int, mbps: float, size: Decimal, replicas: int, rate_note: str) -> Row:
    """A disk serves one node: every replica reads its own copy at the disk's full rate.
    With several replicas the disks hold no shared copy: like node-local NVMe, each is
    first filled from the shared Premium Files model cache, and that time is counted."""
    notes = [f"{rate_note}; a disk attaches to one node"]
    storage = f"{kind}, {gib} GiB" + (f" x {replicas}" if replicas > 1 else "")
    read = _seconds(size, mbps)
    if replicas == 1 or read is None:
        return Row(tier, storage, gib * 2**30 * replicas, mbps, False, read, read, notes=notes)
    files_gib, files_mbps = files_premium(size * Decimal(str(CATALOG["performance"]["headroom"])))
    fill_one = _seconds(size, files_mbps) or 0.0
    fill_all = _seconds(size * replicas, files_mbps) or 0.0
    notes.append(
        f"{replicas} replicas need {replicas} disks, each filled first from the Premium Files model cache "
        f"({files_mbps:,.0f} MB/s shared): {fill_all:,.0f} s"
    )
    provisioned = gib * 2**30 * replicas + files_gib * 2**30
    return Row(tier, storage + " + Files copy", provisioned, mbps, False, fill_one + read, fill_all + read, notes=notes)


@dataclass(frozen=True)
class Need:
    """What every estimator reads: the model, the cache it needs, the replicas, the VM."""

    size: Decimal  # the model's bytes
    needed: Decimal  # with headroom for download temp files
    replicas: int
    vm: str | None
    lustre_sku: str

    def shared(self, tier: str, storage: str, provisioned: int, mbps: float | None, notes: list[str]) -> Row:
        """A row for storage every replica reads one copy from, its throughput divided."""
        one, every = _seconds(self.size, mbps), _seconds(self.size * self.replicas, mbps)
        return Row(tier, storage, provisioned, mbps, True, one, every, notes=notes)


def _lustre_row(n: Need) -> Row:
    tib, mbps = lustre(n.needed, n.lustre_sku)
    per_tib = CATALOG["lustre"]["skus"][n.lustre_sku]["mbpsPerTiB"]
    return n.shared("lustre", f"{n.lustre_sku}, {tib} TiB", tib * 2**40, mbps, [f"{per_tib} MB/s per TiB x {tib} TiB"])


def _files_row(n: Need) -> Row:
    gib, mbps = files_premium(n.needed)
    note = f"{_files_mibps(gib)} MiB/s = {_files_formula(gib)}"
    return n.shared("files", f"Premium Files, {gib} GiB", gib * 2**30, mbps, [note])


FILES_V2 = "storageClasses.filesNfs.parameters.skuName=PremiumV2_LRS"  # Premium Files v2 on the files tier


def _files_v2_row(n: Need) -> Row:
    gib, mbps = files_premium_v2(n.needed)
    note = f"{Decimal(str(mbps)) * MB / MiB:,.0f} MiB/s = {_files_v2_formula(gib)}; {FILES_V2}"
    return n.shared("files-v2", f"Premium Files v2, {gib} GiB", gib * 2**30, mbps, [note])


def _disk_row(n: Need) -> Row:
    found = disk_premium(n.needed)
    if found is None:
        note = "the model is larger than the largest Premium SSD tier"
        return Row("disk", "Premium SSD: none large enough", 0, None, False, None, None, notes=[note])
    tier, gib, mbps = found
    return _disk("disk", f"Premium SSD {tier}", gib, mbps, n.size, n.replicas, f"{tier} gives {mbps:,.0f} MB/s")


def _disk_v2_row(n: Need) -> Row:
    # Premium SSD v2: 1 GiB steps, the MB/s the diskPremiumV2 class provisions (its catalog default).
    parameter = CATALOG["chartClasses"]["diskPremiumV2"]["parameters"]["DiskMBpsReadWrite"]
    mbps, most = float(parameter["default"]), parameter["range"][1]
    rate = f"{mbps:,.0f} MB/s provisioned (DiskMBpsReadWrite, up to {most:,})"
    return _disk("disk-v2", "Premium SSD v2", math.ceil(n.needed / quantity.GiB), mbps, n.size, n.replicas, rate)


def _blob_row(n: Need) -> Row:
    gbps = CATALOG["performance"]["blobAccountEgressGbps"]
    egress = float(Decimal(gbps) * 10**9 / 8 / MB)
    note = (
        f"account egress {gbps} Gbps = {egress:,.0f} MB/s shared; "
        "per-node network and blobfuse2 limits are not in the reference, so this is a ceiling"
    )
    row = n.shared("blob", "Blob (blobfuse2), pay per stored byte", int(n.needed), egress, [note])
    row.upper_bound = True
    return row


def _local_row(n: Need) -> Row:
    """Node-local NVMe holds no shared copy: each node first copies the model from the
    tier's shared model cache (Premium Files), then reads it locally."""
    local_nvme = CATALOG["performance"]["localNvme"]
    files_gib, files_mbps = files_premium(n.needed)
    fill_one = _seconds(n.size, files_mbps) or 0.0
    fill_all = _seconds(n.size * n.replicas, files_mbps) or 0.0
    nvme = local_nvme.get(n.vm or "", {}).get("MBps")
    read = _seconds(n.size, nvme)
    notes = [
        f"filled first from the Premium Files model cache ({files_mbps:,.0f} MB/s shared by every node): "
        f"{fill_all:,.0f} s for {n.replicas} node(s)"
    ]
    if read is None:
        known = ", ".join(k for k, v in local_nvme.items() if v["MBps"])
        unnamed = n.vm or "an unnamed VM"
        notes.append(f"NVMe read time not included: the reference gives no throughput for {unnamed} (known: {known})")
    storage = f"node-local NVMe{f' on {n.vm}' if n.vm else ''} + Premium Files copy"
    provisioned = int(n.needed) * n.replicas + files_gib * 2**30
    return Row(
        "local", storage, provisioned, nvme, False, fill_one + (read or 0.0), fill_all + (read or 0.0), notes=notes
    )


@dataclass(frozen=True)
class Option:
    """One storage choice the planner weighs: the chart's tier, the gen-values arguments
    that give it, and how to estimate its capacity and cold start."""

    name: str
    tier: str
    args: tuple[str, ...]
    estimate: Callable[[Need], Row]


OPTIONS = (
    Option("lustre", "lustre", ("--tier", "lustre"), _lustre_row),
    Option("files", "files", ("--tier", "files"), _files_row),
    Option(
        "files-v2",
        "files",
        ("--tier", "files", "--set", FILES_V2),
        _files_v2_row,
    ),
    Option("disk", "disk", ("--tier", "disk"), _disk_row),
    Option("disk-v2", "disk", ("--tier", "disk", "--variant", "premium-v2"), _disk_v2_row),
    Option("blob", "blob", ("--tier", "blob"), _blob_row),
    Option("local", "local", ("--tier", "local"), _local_row),
)


def plan(
    model: int, replicas: int, vm: str | None = None, lustre_sku: str | None = None, target_s: float = 600.0
) -> Plan:
    if replicas < 1:
        raise PlanError(f"--replicas {replicas}: at least 1")
    perf = CATALOG["performance"]
    if vm is not None and vm not in perf["localNvme"]:
        raise PlanError(f"--vm {vm!r}: no figures for it; known: {', '.join(perf['localNvme'])}")
    sku_name = lustre_sku or CATALOG["chartClasses"]["lustre"]["parameters"]["sku-name"]["default"]
    size = Decimal(model)
    need = Need(size, size * Decimal(str(perf["headroom"])), replicas, vm, sku_name)
    rows = []
    for option in OPTIONS:
        row = option.estimate(need)
        row.chart_tier, row.args = option.tier, list(option.args)
        rows.append(row)
    needed = need.needed
    recommended, reason = recommend(rows, replicas, target_s)
    assumptions = [
        "Throughputs: Microsoft Learn's scale targets for each storage (listed in the chart README, Sources), "
        "through generator/dynamo_cache/data/catalog.yaml (performance, lustre).",
        f"The model cache holds the model plus {round((perf['headroom'] - 1) * 100)}% for download temp files.",
        "Replicas start together; shared storage divides its throughput between them; each replica reads the "
        "whole model once.",
        "A reader gets the storage's full throughput: the VM's own network or disk cap and the loader's speed "
        "are not modelled.",
        "Sizes and rates in the sources' units: MB/s = 10^6 bytes/s, MiB/s = 2^20 bytes/s, GiB/TiB = 2^30/2^40 bytes.",
        "Cost driver = provisioned capacity; prices vary by region and contract, so no currency figures are given.",
    ]
    return Plan(model, int(needed), replicas, vm, rows, recommended, reason, assumptions)


def recommend(rows: list[Row], replicas: int, target_s: float) -> tuple[str, str]:
    """The row to choose among `rows` (any subset of a plan's, e.g. those a cluster can use), and why."""
    # Every row's time counts what it needs: per-node copies (disks, NVMe) include their filling.
    usable = [r for r in rows if r.all_replicas_s is not None and not r.upper_bound]
    fast_enough = [r for r in usable if r.all_replicas_s <= target_s]  # type: ignore[operator]
    if fast_enough:
        best = min(fast_enough, key=lambda r: (r.provisioned_bytes, r.all_replicas_s))
        return best.tier, (
            f"the smallest provisioned capacity ({size(best.provisioned_bytes)}) that "
            f"cold-starts all {replicas} replica(s) within the {target_s:,.0f} s target "
            f"({best.all_replicas_s:,.0f} s); blob is a ceiling, not an expectation, so it is not chosen"
        )
    best = min(usable, key=lambda r: r.all_replicas_s)  # type: ignore[arg-type, return-value]
    return best.tier, (
        f"no tier meets the {target_s:,.0f} s target; {best.tier} is the fastest "
        f"({best.all_replicas_s:,.0f} s for all {replicas} replica(s))"
    )


def size(nbytes: int) -> str:
    """4Ti, 157Gi when exact; else GiB with one decimal."""
    for unit, suffix in ((2**40, "Ti"), (2**30, "Gi")):
        if nbytes >= unit and nbytes % unit == 0:
            return f"{nbytes // unit}{suffix}"
    return f"{nbytes / 2**30:,.1f} GiB"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def format_text(p: Plan) -> str:
    head = (
        f"Cold start of a {p.model_bytes / 1e9:,.1f} GB ({size(p.model_bytes)}) model on {p.replicas} replica(s); "
        f"the model cache needs {size(p.needed_bytes)} with room for download temp files."
    )
    table = [("tier", "storage (cost driver)", "provisioned", "MB/s", "1 replica", f"all {p.replicas}")]
    for r in p.rows:
        rate = "n/a" if r.throughput_mbps is None else f"{'<=' if r.upper_bound else ''}{r.throughput_mbps:,.0f}"
        table.append(
            (r.tier, r.storage, size(r.provisioned_bytes), rate, duration(r.one_replica_s), duration(r.all_replicas_s))
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = [head, ""]
    lines += ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in table]
    lines += ["", "Notes:"]
    lines += [f"  {r.tier}: {note}" for r in p.rows for note in r.notes]
    lines += ["", f"Recommended: {p.recommended}: {p.reason}.", "", "Assumptions:"]
    lines += [f"  - {a}" for a in p.assumptions]
    return "\n".join(lines) + "\n"
