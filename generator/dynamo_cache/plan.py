"""The cold-start planner: how long a fleet of Dynamo replicas waits for a model on
each tier, and what each tier provisions (the monthly-cost driver). Every figure
comes from the catalog's `performance` and `lustre` sections, which cite
its public sources (catalog.yaml `sources`); nothing here is a constant of its own.

A load is as fast as its slowest limit: every node of a replica reads its share of the
model at once, at the least of the storage's rate divided between the nodes reading it,
one OST's rate for an unstriped file on Lustre, the node's network (or disk) rate, and
the engine's loader on network storage. The loaders' rates are published loads
(`performance.calibration`), and the planner is held to every one of those (tests)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
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
    limit: str = ""  # what bounds a node's read when all replicas start


@dataclass
class Plan:
    model_bytes: int
    needed_bytes: int
    replicas: int
    vm: str
    rows: list[Row]
    recommended: str
    reason: str
    assumptions: list[str]
    unknowns: list[str]
    loader: str
    layout: str
    nodes_per_replica: int

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


PERF = CATALOG["performance"]
LOADERS: dict[str, dict[str, Any]] = PERF["loaders"]
VMS: dict[str, dict[str, Any]] = PERF["vms"]
LAYOUTS = ("striped", "unstriped")


@dataclass(frozen=True)
class Need:
    """What every estimator reads: the model, the cache it needs, who reads it and how."""

    size: Decimal  # the model's bytes
    needed: Decimal  # with headroom for download temp files
    replicas: int
    vm: str
    lustre_sku: str
    loader: str = "vllm"
    layout: str = "unstriped"
    nodes: int = 1  # nodes per replica (tensor/pipeline parallel across nodes)

    @property
    def readers(self) -> int:
        """Nodes reading at once when every replica starts together."""
        return self.nodes * self.replicas

    def load(self, aggregate: float | None, medium: str, ost_mbps: float | None = None) -> Load:
        """How long one replica, and all of them together, take to read the model: each node
        reads its 1/nodes share at once, at the least of the limits that apply to it.
        `medium`: "network" (shared storage over the node's network, read by the loader),
        "disk" (a disk of the node's own, under the VM's disk cap) or "nvme"."""
        vm = VMS[self.vm]
        loader = LOADERS[self.loader]
        fixed: dict[str, float] = {}  # limits that do not depend on how many nodes read
        if medium == "network":
            if vm["networkMbps"]:
                fixed[f"{self.vm} network"] = vm["networkMbps"] / 8
            if ost_mbps is not None:
                fixed["one OST (unstriped files)"] = ost_mbps
            rate = loader_mbps(self.loader)
            if rate is not None:
                fixed[f"the loader, {loader['title']}"] = rate
        elif medium == "disk" and vm["diskMBps"]:
            fixed[f"{self.vm} uncached disk"] = float(vm["diskMBps"])
        times: list[float | None] = []
        limit, mbps = "", 0.0
        for nodes in (self.nodes, self.readers):
            limits = dict(fixed)
            if aggregate:
                limits["the storage" + (f", shared by {nodes} nodes" if medium == "network" and nodes > 1 else "")] = (
                    aggregate / nodes if medium == "network" else aggregate
                )
            if not limits:
                times.append(None)
                continue
            limit, mbps = min(limits.items(), key=lambda item: item[1])
            times.append(_seconds(self.size / self.nodes, mbps))
        ceiling = medium == "network" and bool(loader.get("ceiling"))
        return Load(times[0], times[1], f"{limit}: {mbps:,.0f} MB/s per node" if limit else "", ceiling)


@dataclass(frozen=True)
class Load:
    one_replica_s: float | None
    all_replicas_s: float | None
    limit: str  # what bounds a node when all replicas start
    ceiling: bool  # the loader is not measured: a lower bound on time


def loader_mbps(name: str) -> float | None:
    """MB/s one node's loader reads, from the published load that calibrates it (None: the
    storage's rate)."""
    case_id = LOADERS[name]["calibratedBy"]
    if case_id is None:
        return None
    (case,) = [c for c in PERF["calibration"] if c["id"] == case_id]
    nbytes = Decimal(int(quantity.parse_model_size(case["plan"]["model"])))
    return float(nbytes / case["plan"]["nodesPerReplica"] / Decimal(str(case["measuredSeconds"])) / MB)


def _row(n: Need, tier: str, storage: str, provisioned: int, mbps: float | None, notes: list[str], **how: Any) -> Row:
    """A row for storage every replica reads one copy from."""
    load = n.load(mbps, "network", **how)
    return Row(
        tier, storage, provisioned, mbps, True, load.one_replica_s, load.all_replicas_s,
        upper_bound=load.ceiling, notes=notes, limit=load.limit,
    )  # fmt: skip


def _disk(n: Need, tier: str, kind: str, gib: int, mbps: float, rate_note: str) -> Row:
    """A disk serves one node: every node reads its own copy at the disk's rate (under the
    VM's disk cap). With more than one node the disks hold no shared copy: like node-local
    NVMe, each is first filled from the shared Premium Files model cache, and that time is
    counted."""
    notes = [f"{rate_note}; a disk attaches to one node"]
    copies = n.readers
    storage = f"{kind}, {gib} GiB" + (f" x {copies}" if copies > 1 else "")
    load = n.load(mbps, "disk")
    if copies == 1 or load.one_replica_s is None:
        return Row(
            tier, storage, gib * 2**30 * copies, mbps, False, load.one_replica_s, load.all_replicas_s,
            notes=notes, limit=load.limit,
        )  # fmt: skip
    fill_one, fill_all, files_gib, note = _files_fill(n, n.nodes, copies)
    notes.append(note)
    provisioned = gib * 2**30 * copies + files_gib * 2**30
    return Row(
        tier, storage + " + Files copy", provisioned, mbps, False,
        fill_one + load.one_replica_s, fill_all + (load.all_replicas_s or 0.0), notes=notes, limit=load.limit,
    )  # fmt: skip


def _files_fill(n: Need, one: int, every: int) -> tuple[float, float, int, str]:
    """Seconds to copy the model onto `one` and onto `every` nodes from the Premium Files model
    cache, its GiB, and a note."""
    files_gib, files_mbps = files_premium(n.needed)
    fill_one = _seconds(n.size * one, files_mbps) or 0.0
    fill_all = _seconds(n.size * every, files_mbps) or 0.0
    note = (
        f"{every} node(s) each filled first from the Premium Files model cache "
        f"({files_mbps:,.0f} MB/s shared): {fill_all:,.0f} s"
    )
    return fill_one, fill_all, files_gib, note


def _lustre_row(n: Need) -> Row:
    tib, mbps = lustre(n.needed, n.lustre_sku)
    sku = CATALOG["lustre"]["skus"][n.lustre_sku]
    osts = tib // sku["incrementTiB"]
    ost_mbps = float(sku["incrementTiB"] * sku["mbpsPerTiB"])
    notes = [
        f"{sku['mbpsPerTiB']} MB/s per TiB x {tib} TiB; about {osts} OST(s) (one per {sku['incrementTiB']} TiB) "
        f"of {ost_mbps:,.0f} MB/s; files {n.layout}"
    ]
    unstriped = ost_mbps if n.layout == "unstriped" else None
    return _row(n, "lustre", f"{n.lustre_sku}, {tib} TiB", tib * 2**40, mbps, notes, ost_mbps=unstriped)


def _files_row(n: Need) -> Row:
    gib, mbps = files_premium(n.needed)
    note = f"{_files_mibps(gib)} MiB/s = {_files_formula(gib)}"
    return _row(n, "files", f"Premium Files, {gib} GiB", gib * 2**30, mbps, [note])


FILES_V2 = "storageClasses.filesNfs.parameters.skuName=PremiumV2_LRS"  # Premium Files v2 on the files tier


def _files_v2_row(n: Need) -> Row:
    gib, mbps = files_premium_v2(n.needed)
    note = f"{Decimal(str(mbps)) * MB / MiB:,.0f} MiB/s = {_files_v2_formula(gib)}; {FILES_V2}"
    return _row(n, "files-v2", f"Premium Files v2, {gib} GiB", gib * 2**30, mbps, [note])


def _disk_row(n: Need) -> Row:
    found = disk_premium(n.needed)
    if found is None:
        note = "the model is larger than the largest Premium SSD tier"
        return Row("disk", "Premium SSD: none large enough", 0, None, False, None, None, notes=[note])
    tier, gib, mbps = found
    return _disk(n, "disk", f"Premium SSD {tier}", gib, mbps, f"{tier} gives {mbps:,.0f} MB/s")


def _disk_v2_row(n: Need) -> Row:
    # Premium SSD v2: 1 GiB steps, the MB/s the diskPremiumV2 class provisions (its catalog default).
    parameter = CATALOG["chartClasses"]["diskPremiumV2"]["parameters"]["DiskMBpsReadWrite"]
    mbps, most = float(parameter["default"]), parameter["range"][1]
    rate = f"{mbps:,.0f} MB/s provisioned (DiskMBpsReadWrite, up to {most:,})"
    return _disk(n, "disk-v2", "Premium SSD v2", math.ceil(n.needed / quantity.GiB), mbps, rate)


def _blob_row(n: Need) -> Row:
    gbps = PERF["blobAccountEgressGbps"]
    egress = float(Decimal(gbps) * 10**9 / 8 / MB)
    note = (
        f"account egress {gbps} Gbps = {egress:,.0f} MB/s shared; "
        "blobfuse2's own limits are not in the sources, so this is a ceiling"
    )
    row = _row(n, "blob", "Blob (blobfuse2), pay per stored byte", int(n.needed), egress, [note])
    row.upper_bound = True
    return row


def _local_row(n: Need) -> Row:
    """Node-local NVMe holds no shared copy: each node first copies the model from the
    tier's shared model cache (Premium Files), then reads it locally."""
    fill_one, fill_all, files_gib, note = _files_fill(n, n.nodes, n.readers)
    nvme = VMS[n.vm]["nvmeMBps"]
    load = n.load(nvme, "nvme")
    notes = [note]
    if load.one_replica_s is None:
        known = ", ".join(k for k, v in VMS.items() if v["nvmeMBps"])
        notes.append(f"NVMe read time not included: the sources give no NVMe throughput for {n.vm} (known: {known})")
    storage = f"node-local NVMe on {n.vm} + Premium Files copy"
    provisioned = int(n.needed) * n.readers + files_gib * 2**30
    return Row(
        "local", storage, provisioned, nvme, False,
        fill_one + (load.one_replica_s or 0.0), fill_all + (load.all_replicas_s or 0.0),
        upper_bound=load.one_replica_s is None, notes=notes, limit=load.limit,
    )  # fmt: skip


@dataclass(frozen=True)
class Option:
    """One storage choice the planner weighs: the chart's tier, the gen-values arguments
    that give it, how to estimate its capacity and cold start, and (`sized`) whether a
    capacity the user already has can be given for it (`--<name>-size`)."""

    name: str
    tier: str
    args: tuple[str, ...]
    estimate: Callable[[Need], Row]
    sized: bool = True


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
    Option("blob", "blob", ("--tier", "blob"), _blob_row, sized=False),
    Option("local", "local", ("--tier", "local"), _local_row, sized=False),
)
SIZED = tuple(o.name for o in OPTIONS if o.sized)
FAST_LOADER = "runai-streamer"  # what `gen-values wire --fast-load` gives vLLM workers


def _have(option: Option, need: Need, capacity: str) -> Row:
    """The row for a capacity the user already has, beside the planner's own pick."""
    flag = f"--{option.name}-size {capacity}"
    try:
        nbytes = quantity.parse(capacity)
    except ValueError:
        raise PlanError(f"{flag}: expected a size with its unit, such as 16Ti or 500Gi") from None
    if nbytes < need.needed:
        raise PlanError(f"{flag}: holds less than the {size(int(need.needed))} the model cache needs")
    if option.name == "lustre":
        sku = CATALOG["lustre"]["skus"][need.lustre_sku]
        step = sku["incrementTiB"] * quantity.TiB
        if nbytes % step or not sku["minTiB"] <= nbytes / quantity.TiB <= sku["maxTiB"]:
            raise PlanError(
                f"{flag}: {need.lustre_sku} comes in {sku['incrementTiB']} TiB steps from "
                f"{sku['minTiB']} to {sku['maxTiB']} TiB"
            )
    row = option.estimate(replace(need, needed=Decimal(nbytes)))
    row.tier = f"{option.name} ({capacity})"
    row.args = [*option.args, "--set", f"caches.model.size={capacity}"]
    return row


def plan(
    model: int,
    replicas: int,
    vm: str | None = None,
    lustre_sku: str | None = None,
    target_s: float = 600.0,
    *,
    loader: str | None = None,
    engine: str = "vllm",
    layout: str | None = None,
    nodes_per_replica: int = 1,
    have: Mapping[str, str] | None = None,
    models: int = 1,
) -> Plan:
    if replicas < 1:
        raise PlanError(f"--replicas {replicas}: at least 1")
    if nodes_per_replica < 1:
        raise PlanError(f"--nodes-per-replica {nodes_per_replica}: at least 1")
    vm = vm or next(iter(VMS))
    if vm not in VMS:
        raise PlanError(f"--vm {vm!r}: no figures for it; known: {', '.join(VMS)}")
    if engine not in PERF["engineLoader"]:
        raise PlanError(f"--engine {engine!r}: allowed: {', '.join(PERF['engineLoader'])}")
    loader = loader or PERF["engineLoader"][engine]
    if loader not in LOADERS:
        raise PlanError(f"--loader {loader!r}: allowed: {', '.join(LOADERS)}")
    layout = layout or PERF["defaultLayout"]
    if layout not in LAYOUTS:
        raise PlanError(f"--layout {layout!r}: allowed: {', '.join(LAYOUTS)}")
    sku_name = lustre_sku or CATALOG["chartClasses"]["lustre"]["parameters"]["sku-name"]["default"]
    size_ = Decimal(model)
    need = Need(
        size_, size_ * Decimal(str(PERF["headroom"])), replicas, vm, sku_name, loader, layout, nodes_per_replica
    )
    rows = []
    for option in OPTIONS:
        row = option.estimate(need)
        row.chart_tier, row.args = option.tier, list(option.args)
        rows.append(row)
        if have and option.name in have:
            yours = _have(option, need, have[option.name])
            yours.chart_tier = option.tier
            rows.append(yours)
    unknown = sorted(set(have or ()) - set(SIZED))
    if unknown:
        raise PlanError(f"no capacity can be given for {', '.join(unknown)}; for: {', '.join(SIZED)}")
    recommended, reason = recommend(rows, replicas, target_s)
    best = next(r for r in rows if r.tier == recommended)
    if best.limit.startswith("the loader") and loader != FAST_LOADER and engine == "vllm":
        reason += f"; the loader limits it: plan again with --loader {FAST_LOADER} (gen-values wire --fast-load)"
    unknowns = _unknowns(need)
    if models > 1:
        unknowns.insert(0, f"{models} models share the cache: its capacity is their sum, and each time is one "
                        "replica reading all of them (a replica of one model reads less).")  # fmt: skip
    return Plan(
        model, int(need.needed), replicas, vm, rows, recommended, reason, _assumptions(need), unknowns,
        loader, layout, nodes_per_replica,
    )  # fmt: skip


def _assumptions(n: Need) -> list[str]:
    tolerance = round(PERF["calibrationTolerance"] * 100)
    return [
        "Throughputs: Microsoft Learn's scale targets and VM sizes, and NVIDIA Dynamo's measured loads "
        "(listed in the chart README, Sources), through generator/dynamo_cache/data/catalog.yaml.",
        f"The model cache holds the model plus {round((PERF['headroom'] - 1) * 100)}% for download temp files.",
        "Replicas start together; every node of a replica reads its share of the model at once, at the least of: "
        "the storage's rate divided between the nodes reading, one OST's rate for unstriped files on Lustre, "
        "the node's network (or disk) rate, and the loader's rate on network storage.",
        f"Loader rates are published loads, per node; the planner reproduces each within {tolerance}% "
        "(README.md, the table of published loads).",
        "Sizes and rates in the sources' units: MB/s = 10^6 bytes/s, MiB/s = 2^20 bytes/s, GiB/TiB = 2^30/2^40 bytes.",
        "Cost driver = provisioned capacity; prices vary by region and contract, so no currency figures are given.",
    ]


def _unknowns(n: Need) -> list[str]:
    """What the planner cannot know, for this plan's inputs."""
    vm = VMS[n.vm]
    out = [
        "The loaders were measured on one setup (TP16 over two ND96isr_H100_v5 on Lustre); other VMs, "
        "GPU counts and Files or Blob are extrapolated from it.",
        "The published loads changed loader and layout together, so each one's share is not separated: "
        "with the streaming loader, striping changes a prediction only where one OST is the tighter limit.",
        "Time after the weights are read (CUDA graphs, torch.compile, engine start) is not included.",
        "Other readers of the same storage, and the page cache of a node that read the model before.",
    ]
    missing = [label for key, label in (("networkMbps", "network"), ("diskMBps", "disk")) if not vm[key]]
    if missing:
        out.append(f"{n.vm}: no published {' or '.join(missing)} rate in the sources, so that limit is not applied.")
    if LOADERS[n.loader].get("ceiling"):
        out.append(f"{LOADERS[n.loader]['title']}: no published measurement; its times are lower bounds.")
    return out


def recommend(rows: list[Row], replicas: int, target_s: float) -> tuple[str, str]:
    """The row to choose among `rows` (any subset of a plan's, e.g. those a cluster can use), and why."""
    # Every row's time counts what it needs: per-node copies (disks, NVMe) include their filling.
    timed = [r for r in rows if r.all_replicas_s is not None]
    usable = [r for r in timed if not r.upper_bound]
    if not usable and timed:
        best = min(timed, key=lambda r: r.all_replicas_s)  # type: ignore[arg-type, return-value]
        return best.tier, (
            f"every figure is a lower bound here (no measured rate for this reader); {best.tier} is the fastest, "
            f"at least {best.all_replicas_s:,.0f} s for all {replicas} replica(s)"
        )
    fast_enough = [r for r in usable if r.all_replicas_s <= target_s]  # type: ignore[operator]
    if fast_enough:
        best = min(fast_enough, key=lambda r: (r.provisioned_bytes, r.all_replicas_s))
        return best.tier, (
            f"the smallest provisioned capacity ({size(best.provisioned_bytes)}) that "
            f"cold-starts all {replicas} replica(s) within the {target_s:,.0f} s target "
            f"({best.all_replicas_s:,.0f} s); a time marked >= is a lower bound, not an expectation, "
            "so it is not chosen"
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
    vm = VMS[p.vm]
    network = f"network {vm['networkMbps'] / 8:,.0f} MB/s" if vm["networkMbps"] else "network rate not published"
    across = f"{p.nodes_per_replica} nodes per replica, " if p.nodes_per_replica > 1 else ""
    head = (
        f"Cold start of a {p.model_bytes / 1e9:,.1f} GB ({size(p.model_bytes)}) model on {p.replicas} replica(s); "
        f"the model cache needs {size(p.needed_bytes)} with room for download temp files.\n"
        f"Read by {LOADERS[p.loader]['title']}; {across}{p.vm} ({network}); Lustre files {p.layout}."
    )
    table = [("tier", "storage (cost driver)", "provisioned", "MB/s", "1 replica", f"all {p.replicas}")]
    for r in p.rows:
        rate = "n/a" if r.throughput_mbps is None else f"{'<=' if r.upper_bound else ''}{r.throughput_mbps:,.0f}"
        at_least = ">=" if r.upper_bound else ""
        table.append(
            (
                r.tier,
                r.storage,
                size(r.provisioned_bytes),
                rate,
                at_least + duration(r.one_replica_s),
                at_least + duration(r.all_replicas_s),
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = [head, ""]
    lines += ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in table]
    lines += ["", "Notes:"]
    lines += [
        f"  {r.tier}: {note}" for r in p.rows for note in [*r.notes, *([f"limited by {r.limit}"] if r.limit else [])]
    ]
    lines += ["", f"Recommended: {p.recommended}: {p.reason}.", "", "Assumptions:"]
    lines += [f"  - {a}" for a in p.assumptions]
    lines += ["", "What the planner cannot know:"]
    lines += [f"  - {u}" for u in p.unknowns]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Calibration:
    """A published load beside what the planner predicts for the same setup."""

    id: str
    source: str
    setup: str
    args: list[str]  # the `gen-values plan` arguments of that setup
    measured_s: float
    predicted_s: float
    calibrates: str  # the loader whose rate this measurement sets, "" if it is a prediction

    @property
    def ratio(self) -> float:
        return self.predicted_s / self.measured_s


def calibration() -> list[Calibration]:
    """Every published load of `performance.calibration`, predicted by plan()."""
    out = []
    for case in PERF["calibration"]:
        setup = case["plan"]
        tier = setup["tier"]
        args = [
            "--model-size", setup["model"], "--nodes-per-replica", str(setup["nodesPerReplica"]),
            "--vm", setup["vm"], "--lustre-sku", setup["sku"], f"--{tier}-size", setup["size"],
            "--loader", setup["loader"], "--layout", setup["layout"],
        ]  # fmt: skip
        p = plan(
            model_bytes(size=setup["model"]),
            1,
            setup["vm"],
            setup["sku"],
            loader=setup["loader"],
            layout=setup["layout"],
            nodes_per_replica=setup["nodesPerReplica"],
            have={tier: setup["size"]},
        )
        row = next(r for r in p.rows if r.tier == f"{tier} ({setup['size']})")
        assert row.one_replica_s is not None  # every calibrated setup has a known rate
        calibrates = ", ".join(name for name, loader in LOADERS.items() if loader["calibratedBy"] == case["id"])
        out.append(
            Calibration(
                case["id"],
                case["source"],
                case["setup"],
                args,
                float(case["measuredSeconds"]),
                row.one_replica_s,
                calibrates,
            )  # fmt: skip
        )
    return out
