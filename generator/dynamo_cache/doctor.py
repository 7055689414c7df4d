"""`gen-values doctor`: what a live cluster offers the caches, and which tiers work there.

The cluster is read with `kubectl get -o json`: AKS credentials are usually an exec
plugin (kubelogin), which kubectl runs and a hand-written client would not, and the
kubernetes Python client would add a large dependency and ~0.3 s of imports for a
command that runs once. It is imported only by this command, never on the `--tier`
path. Every read that fails (forbidden, not found, unreachable) is reported as a check
that could not be made, never as a crash: a team with rights in one namespace still gets
the part it may read. No click here: the CLI calls `examine` and prints `format_text`.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass, field
from typing import Any

from .catalog import CATALOG, TIERS, preset

GPU = "nvidia.com/gpu"
POOL_LABELS = ("kubernetes.azure.com/agentpool", "agentpool")
DGD_CRD = "dynamographdeployments.nvidia.com"
RULE_CRD = "prometheusrules.monitoring.coreos.com"  # prometheus-operator's: metrics.prometheusRule needs it
UNKNOWN = "unknown: "


class DoctorError(Exception):
    """kubectl cannot be run at all; str() says what to do."""


@dataclass
class Report:
    context: str
    csi_drivers: list[str] = field(default_factory=list)
    storage_classes: list[dict[str, Any]] = field(default_factory=list)
    node_pools: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    dynamo_crd_versions: list[str] = field(default_factory=list)
    rule_crd_versions: list[str] = field(default_factory=list)
    tiers: dict[str, list[str]] = field(default_factory=dict)  # tier -> what it lacks ([] = usable)
    chosen: str = ""
    recommended: str = ""
    recommendation: str = ""
    unchecked: list[str] = field(default_factory=list)  # reads that failed, and why
    can_create_classes: bool | None = None  # may this user create StorageClasses (None: unknown)

    @property
    def ok(self) -> bool:
        return not self.tiers.get(self.chosen)

    @property
    def undetermined(self) -> bool:
        """The chosen tier lacks nothing known: only facts that could not be read."""
        lacks = self.tiers.get(self.chosen, [])
        return bool(lacks) and all(item.startswith(UNKNOWN) for item in lacks)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def find_kubectl(explicit: str | None = None) -> str:
    from .manifests import find_binary

    try:
        found = find_binary("kubectl", explicit)
    except ValueError as exc:
        raise DoctorError(str(exc)) from None
    if found is None:
        raise DoctorError("no kubectl found: pass --kubectl PATH, set KUBECTL, or put kubectl on PATH")
    return found


class Cluster:
    def __init__(self, kubectl: str, kubeconfig: str | None, context: str | None) -> None:
        self.base = [kubectl]
        if kubeconfig:
            self.base += ["--kubeconfig", kubeconfig]
        if context:
            self.base += ["--context", context]
        self.failed: dict[str, list[str]] = {}  # reason -> what could not be read for it

    def get(self, what: str, *args: str) -> list[dict[str, Any]] | None:
        """Items of `kubectl get WHAT -o json` ([] for a named object that does not exist:
        that is an answer), or None (recorded) when it cannot be read. Reads that fail for
        one reason (no cluster) are recorded as one line naming them all."""
        try:
            proc = subprocess.run(
                [*self.base, "get", what, *args, "-o", "json"], capture_output=True, text=True, timeout=60
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            self._unreadable(what, str(exc))
            return None
        if proc.returncode != 0:
            reason = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"kubectl exit {proc.returncode}"
            if "(NotFound)" in reason:
                return []
            self._unreadable(what, reason.removeprefix("Error from server "))
            return None
        document = json.loads(proc.stdout)
        items: list[dict[str, Any]] = document.get("items", [document])
        return items

    def _unreadable(self, what: str, reason: str) -> None:
        self.failed.setdefault(reason, []).append(what)

    @property
    def unchecked(self) -> list[str]:
        """A line per reason a read failed, naming every read it failed."""
        return [f"{', '.join(whats)}: {why}" for why, whats in self.failed.items()]

    def can_i(self, verb: str, resource: str) -> bool | None:
        """`kubectl auth can-i` (a SelfSubjectAccessReview): True, False, or None when unknown."""
        try:
            proc = subprocess.run(
                [*self.base, "auth", "can-i", verb, resource], capture_output=True, text=True, timeout=60
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        answer = proc.stdout.strip()
        return True if answer == "yes" else False if answer == "no" else None

    def context(self) -> str:
        proc = subprocess.run([*self.base, "config", "current-context"], capture_output=True, text=True, timeout=30)
        return proc.stdout.strip() or "(none)"


def node_pools(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pools: dict[str, dict[str, Any]] = {}
    for node in nodes:
        labels = node["metadata"].get("labels", {})
        name = next((labels[k] for k in POOL_LABELS if k in labels), "(no pool label)")
        pool = pools.setdefault(name, {"pool": name, "nodes": 0, "vmSizes": set(), "gpus": 0, "os": set()})
        pool["nodes"] += 1
        pool["vmSizes"].add(labels.get("node.kubernetes.io/instance-type", "?"))
        pool["gpus"] += int(node.get("status", {}).get("capacity", {}).get(GPU, 0) or 0)
        os_sku = labels.get("kubernetes.azure.com/os-sku") or node.get("status", {}).get("nodeInfo", {}).get(
            "osImage", "?"
        )
        pool["os"].add(os_sku)
    return [{**p, "vmSizes": sorted(p["vmSizes"]), "os": sorted(p["os"])} for p in pools.values()]


def tier_needs(tier: str) -> tuple[set[str], set[str]]:
    """(CSI drivers, existing StorageClasses) the tier's default variant needs."""
    drivers, classes = set(), set()
    for cache in preset(tier, "").values():
        if cache.get("chartClass"):
            drivers.add(CATALOG["drivers"][CATALOG["chartClasses"][cache["chartClass"]]["driver"]]["provisioner"])
        elif cache.get("static"):
            drivers.add(CATALOG["staticVolumes"][cache["static"]]["provisioner"])
        elif cache.get("class"):
            classes.add(cache["class"])
    return drivers, classes


def _lacks(tier: str, report: Report, known: dict[str, bool]) -> list[str]:
    drivers, classes = tier_needs(tier)
    by_provisioner = {d["provisioner"]: d for d in CATALOG["drivers"].values()}
    missing = []
    if not known["drivers"] and drivers:
        missing.append(f"{UNKNOWN}the CSI drivers could not be read")
    if not known["classes"] and classes:
        missing.append(f"{UNKNOWN}the StorageClasses could not be read")
    if known["drivers"]:
        for name in sorted(drivers - set(report.csi_drivers)):
            missing.append(f"CSI driver {name}: {by_provisioner[name]['install']}")
    if known["classes"]:
        present = {c["name"] for c in report.storage_classes}
        for name in sorted(classes - present):
            info = CATALOG["classes"].get(name, {})
            how = CATALOG["drivers"][info["driver"]]["install"] if info else "create it"
            missing.append(f"StorageClass {name}: {how}")
    for provisioner in sorted(drivers) if known["nodes"] else []:
        driver = by_provisioner[provisioner]
        os_name = driver.get("nodeOs")
        if os_name and not report.node_pools:
            missing.append(f"{UNKNOWN}the cluster has no nodes to judge by ({driver['title']} needs {os_name} nodes)")
        elif os_name and not any(os_name in " ".join(p["os"]) for p in report.node_pools):
            missing.append(f"{os_name} nodes: the {driver['title']} client runs on {os_name} node pools only")
    return missing


def examine(
    kubectl: str,
    kubeconfig: str | None,
    context: str | None,
    namespace: str,
    release: str,
    chosen_tier: str,
    model_bytes: int | None = None,
    replicas: int = 1,
    target_s: float = 600,
) -> Report:
    cluster = Cluster(kubectl, kubeconfig, context)
    report = Report(context=context or cluster.context(), chosen=chosen_tier)
    drivers = cluster.get("csidrivers")
    classes = cluster.get("storageclasses")
    nodes = cluster.get("nodes")
    if drivers is not None:
        report.csi_drivers = sorted(d["metadata"]["name"] for d in drivers)
    if classes is not None:
        report.storage_classes = [
            {
                "name": c["metadata"]["name"],
                "provisioner": c.get("provisioner", ""),
                "bindingMode": c.get("volumeBindingMode", "Immediate"),
                "parameters": c.get("parameters", {}),
                "default": c["metadata"].get("annotations", {}).get("storageclass.kubernetes.io/is-default-class")
                == "true",
            }
            for c in sorted(classes, key=lambda c: c["metadata"]["name"])
        ]
    if nodes is not None:
        report.node_pools = node_pools(nodes)
    claims = cluster.get("persistentvolumeclaims", "-n", namespace, "-l", f"app.kubernetes.io/instance={release}")
    for claim in claims or []:
        entry = {
            "name": claim["metadata"]["name"],
            "phase": claim.get("status", {}).get("phase", "?"),
            "class": claim["spec"].get("storageClassName", ""),
            "capacity": claim.get("status", {}).get("capacity", {}).get("storage", "")
            or claim["spec"]["resources"]["requests"]["storage"],
            "events": [],
        }
        if entry["phase"] == "Pending":
            events = (
                cluster.get("events", "-n", namespace, "--field-selector", f"involvedObject.name={entry['name']}") or []
            )
            entry["events"] = [
                f"{e.get('reason', '')}: {e.get('message', '')}"
                for e in events
                if e.get("involvedObject", {}).get("name") == entry["name"]
            ]
        report.claims.append(entry)
    report.dynamo_crd_versions = _served(cluster, DGD_CRD)
    report.rule_crd_versions = _served(cluster, RULE_CRD)
    report.can_create_classes = cluster.can_i("create", "storageclasses.storage.k8s.io")
    report.unchecked = cluster.unchecked
    known = {"drivers": drivers is not None, "classes": classes is not None, "nodes": nodes is not None}
    report.tiers = {tier: _lacks(tier, report, known) for tier in TIERS}
    if model_bytes:
        from . import plan

        p = plan.plan(model_bytes, replicas, target_s=target_s)
        usable = [r for r in p.rows if not report.tiers.get(r.chart_tier)]
        if usable:
            report.recommended, report.recommendation = plan.recommend(usable, replicas, target_s)
        else:
            report.recommendation = "no tier is usable in this cluster yet"
    return report


def _served(cluster: Cluster, crd_name: str) -> list[str]:
    crd = cluster.get("customresourcedefinitions", crd_name)
    return [v["name"] for v in crd[0]["spec"]["versions"] if v.get("served")] if crd else []


def _pending_reason(class_name: str, report: Report) -> str:
    """Why a claim is Pending, from its live class's binding mode and driver (else what
    the catalog knows)."""
    live = {c["name"]: c for c in report.storage_classes}
    known = CATALOG["classes"].get(class_name, {})
    waits = (
        live[class_name]["bindingMode"] == "WaitForFirstConsumer"
        if class_name in live
        else known.get("waitForFirstConsumer", False)
    )
    if waits:
        return (
            f"Pending is normal: class {class_name} binds when a pod first uses the claim "
            "(volumeBindingMode WaitForFirstConsumer)."
        )
    provisioner = live[class_name]["provisioner"] if class_name in live else ""
    driver = known.get("driver") or next(
        (key for key, d in CATALOG["drivers"].items() if d["provisioner"] == provisioner), ""
    )
    slow = " (a new Lustre filesystem takes 10+ minutes)" if driver == "lustre" else ""
    return f"Pending on a class that binds at once: the driver has not made the volume yet{slow}; the events say why."


def format_text(report: Report) -> str:
    out = [
        f"Cluster (kubeconfig context {report.context}):",
        f"  CSI drivers: {', '.join(report.csi_drivers) or '(none, or not readable)'}",
        "  StorageClasses:",
    ]
    for c in report.storage_classes:
        params = ", ".join(f"{k}={v}" for k, v in sorted(c["parameters"].items()))
        out.append(f"    {c['name']:32s} {c['provisioner']:28s} {params}{'  (default)' if c['default'] else ''}")
    out.append("  Node pools:")
    for p in report.node_pools:
        out.append(
            f"    {p['pool']:16s} {p['nodes']} node(s)  {', '.join(p['vmSizes'])}  GPUs {p['gpus']}  "
            f"OS {', '.join(p['os'])}"
        )
    out.append(f"  Dynamo CRD {DGD_CRD}: {', '.join(report.dynamo_crd_versions) or 'not installed'}")
    rules = ", ".join(report.rule_crd_versions) or "not installed: metrics.prometheusRule.enabled=true would fail"
    out.append(f"  Prometheus operator CRD {RULE_CRD}: {rules}")
    out.append("  Release claims:" if report.claims else "  Release claims: none")
    for c in report.claims:
        out.append(f"    {c['name']:20s} {c['phase']:8s} {c['capacity']:8s} class {c['class'] or '(default)'}")
        if c["phase"] == "Pending":
            out.append(f"      {_pending_reason(c['class'], report)}")
        out += [f"      event {e}" for e in c["events"]]
    out.append("Tiers:")
    for tier, lacks in report.tiers.items():
        mark = "*" if tier == report.chosen else " "
        out.append(f" {mark} {tier:7s} {'usable now' if not lacks else 'needs: ' + '; '.join(lacks)}")
    if report.recommendation:
        out.append(f"Recommended: {report.recommended or '-'}: {report.recommendation}")
    if report.can_create_classes is False:
        out += [
            "You may not create StorageClasses (cluster-scoped), which the default install does. Either:",
            "  ask the platform team to install the cluster part once:",
            "    helm install dynamo-cache-platform <chart> -n <platform-namespace> --set scope=cluster",
            "  and install your claims with --set scope=namespace --set storageClasses.<profile>.name=<their class>",
            "  (its NOTES print the command); or use AKS's built-in classes:",
            "    --set variant=builtin --set scope=namespace",
        ]
    if report.unchecked:
        out.append("Not checked (could not read):")
        out += [f"  {u}" for u in report.unchecked]
    verdict = "usable" if report.ok else "could not be judged" if report.undetermined else "NOT usable yet"
    out.append(f"Tier {report.chosen}: {verdict}.")
    return "\n".join(out) + "\n"
