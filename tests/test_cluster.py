"""Lifecycle on a real cluster: install, grow, forbidden change, uninstall keeps
the kept claims and their classes, reinstall adopts them. Runs only with --kubeconfig
PATH, on any conformant cluster, with or without a provisioner that binds claims: a
step that needs a Bound claim waits for it (and skips, saying so, where nothing binds);
a step that needs a Pending claim makes one that must stay Pending (a class with
WaitForFirstConsumer, or storageClassName "" with no volume to match)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest

import helmtool
import yaml_io
from dynamo_cache import quantity

pytestmark = pytest.mark.cluster
# The test cluster has no CSI drivers: tests about something else turn the preflight off.
NO_PREFLIGHT = ["--set", "preflight.enabled=false"]
# storageClassName "" on every claim: each binds only to a matching PV, so it works on any cluster
NO_CLASS = [arg for key in ("model", "compilation", "perf") for arg in ("--set", f"caches.{key}.storageClass=-")]


def run_helm(
    version: str, kube_config: str, namespace: str, *args: str, check: bool = True, as_user: str = ""
) -> subprocess.CompletedProcess[str]:
    """helm against the test cluster in `namespace` (as `as_user`, impersonated, when given)."""
    cmd = [helmtool.binaries()[version], *args, "-n", namespace, "--kubeconfig", kube_config]
    cmd += ["--kube-as-user", as_user] if as_user else []
    return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=300)


def kubectl_run(
    kube_config: str, *args: str, check: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [helmtool.binaries()["kubectl"], "--kubeconfig", kube_config, *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
    )


def kubectl(kube_config: str, *args: str) -> dict[str, Any]:
    """A kubectl read, parsed."""
    document: dict[str, Any] = yaml_io.load(kubectl_run(kube_config, *args, "-o", "yaml").stdout)
    return document


def apply(kube_config: str, document: dict[str, Any]) -> None:
    kubectl_run(kube_config, "apply", "-f", "-", stdin=yaml_io.dump(document))


def wait_for_claim(
    kube_config: str, namespace: str, name: str, done: Callable[[dict[str, Any]], bool], timeout: float = 60
) -> dict[str, Any] | None:
    """The claim once `done(claim)` holds, or None after `timeout` seconds (the caller says
    what that means: fail, or skip where the cluster has no provisioner)."""
    deadline = time.monotonic() + timeout
    while True:
        claim = kubectl(kube_config, "get", "pvc", name, "-n", namespace)
        if done(claim):
            return claim
        if time.monotonic() > deadline:
            return None
        time.sleep(1)


def phase(claim: dict[str, Any]) -> str:
    return str(claim.get("status", {}).get("phase", "Pending"))


def bound_or_skip(kube_config: str, namespace: str, name: str, driver: str) -> dict[str, Any]:
    """Wait for a claim to bind; skip the test, naming the claim, where nothing binds it."""
    claim = wait_for_claim(kube_config, namespace, name, lambda c: phase(c) == "Bound")
    if claim is None:
        pytest.skip(f"claim {name} in {namespace} stayed Pending for 60 s: no provisioner binds {driver} claims here")
    return claim


def csi_driver(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "CSIDriver",
        "metadata": {"name": name},
        "spec": {"attachRequired": False, "podInfoOnMount": True},
    }


def exists(kube_config: str, kind: str, name: str) -> bool:
    return kubectl_run(kube_config, "get", kind, name, check=False).returncode == 0


@pytest.fixture
def helm_cluster(kube_cluster: Any, kube_config: str, random_namespace_function_scope: Any, helm_version: str):
    namespace = random_namespace_function_scope.name

    def helm(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_helm(helm_version, kube_config, namespace, *args, check=check)

    def claims() -> dict[str, dict[str, Any]]:
        return {i["metadata"]["name"]: i for i in kubectl(kube_config, "get", "pvc", "-n", namespace)["items"]}

    yield helm, claims, namespace
    helm("uninstall", "rel", check=False)
    kubectl_run(kube_config, "delete", "pvc", "--all", "-n", namespace, "--wait=false", check=False)
    # volumes a provisioner made for this namespace's claims (Retain classes keep them)
    volumes = kubectl_run(kube_config, "get", "pv", "-o", "json", check=False).stdout
    for volume in json.loads(volumes or '{"items": []}')["items"]:
        if (volume["spec"].get("claimRef") or {}).get("namespace") == namespace:
            kubectl_run(kube_config, "delete", "pv", volume["metadata"]["name"], "--wait=false", check=False)


def test_lifecycle(helm_cluster: Any) -> None:
    helm, claims, _ = helm_cluster
    chart = str(helmtool.CHART)
    helm("install", "rel", chart, *NO_CLASS)
    assert set(claims()) == {"model-cache", "compilation-cache", "perf-cache"}

    forbidden = helm(
        "upgrade", "rel", chart, *NO_CLASS, "--set", "caches.model.accessModes={ReadWriteOnce}", check=False
    )
    assert forbidden.returncode != 0
    assert "caches.model.accessModes" in forbidden.stderr and "immutable" not in forbidden.stderr

    pending_grow = helm("upgrade", "rel", chart, *NO_CLASS, "--set", "caches.model.size=200Gi", check=False)
    assert pending_grow.returncode != 0 and "not Bound" in pending_grow.stderr

    helm("uninstall", "rel")
    time.sleep(2)
    left = claims()
    assert "model-cache" in left and "compilation-cache" in left
    assert "perf-cache" not in left or left["perf-cache"]["metadata"].get("deletionTimestamp")

    other = helm("install", "other", chart, *NO_CLASS, check=False)
    assert other.returncode != 0 and 'belongs to release "rel"' in other.stderr

    helm("install", "rel", chart, *NO_CLASS)
    assert {"model-cache", "compilation-cache"} <= set(claims())


def kept_class_lifecycle(
    helm: Callable[..., subprocess.CompletedProcess[str]],
    kube_config: str,
    namespace: str,
    driver: str,
    class_name: str,
    args: list[str],
) -> None:
    """uninstall -> the kept claim's class is still there (and provisions it if it was
    Pending) -> reinstall adopts claim and class -> the claim grows."""
    chart = str(helmtool.CHART)
    helm("install", "rel", chart, *args)
    claim = kubectl(kube_config, "get", "pvc", "model-cache", "-n", namespace)
    helm("uninstall", "rel")
    kept = kubectl(kube_config, "get", "storageclass", class_name)
    assert kept["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    if not exists(kube_config, "csidriver", driver):  # the claim was Pending: now its driver comes
        assert phase(kubectl(kube_config, "get", "pvc", "model-cache", "-n", namespace)) == "Pending"
        apply(kube_config, csi_driver(driver))
    bound = bound_or_skip(kube_config, namespace, "model-cache", driver)  # provisioned through the kept class
    helm("install", "rel", chart, *args)  # adopts both
    adopted = kubectl(kube_config, "get", "pvc", "model-cache", "-n", namespace)
    assert adopted["metadata"]["uid"] == claim["metadata"]["uid"] == bound["metadata"]["uid"]
    assert kubectl(kube_config, "get", "storageclass", class_name)["metadata"]["uid"] == kept["metadata"]["uid"]
    size = adopted["spec"]["resources"]["requests"]["storage"]
    bigger = quantity.human(2 * quantity.parse(size))
    helm("upgrade", "rel", chart, *args, "--set", f"caches.model.size={bigger}")
    grown = wait_for_claim(
        kube_config,
        namespace,
        "model-cache",
        lambda c: quantity.parse(c.get("status", {}).get("capacity", {}).get("storage", "0")) >= quantity.parse(bigger),
    )
    assert grown is not None, f"claim model-cache in {namespace} did not grow from {size} to {bigger} within 60 s"


@pytest.mark.parametrize(
    ("tier", "driver", "suffix"),
    [("blob", "blob.csi.azure.com", "blob-fuse"), ("files", "file.csi.azure.com", "files-nfs")],
)
def test_a_kept_claim_keeps_its_class(helm_cluster: Any, kube_config: str, tier: str, driver: str, suffix: str) -> None:
    """A kept claim outlives `helm uninstall` with its StorageClass: a claim still Pending
    then is provisioned afterwards (where the tier's CSIDriver is missing at install, the
    test creates it after the uninstall), a Bound one can grow after a reinstall."""
    helm, _claims, namespace = helm_cluster
    prefix = f"t-{namespace}"[:40]
    class_name = f"{prefix}-{suffix}"
    had_driver = exists(kube_config, "csidriver", driver)
    args = [
        *("--set", f"tier={tier}", "--set", f"fullnameOverride={prefix}"),
        *("--set", "caches.compilation.enabled=false", "--set", "caches.perf.enabled=false"),
        *NO_PREFLIGHT,
    ]
    try:
        kept_class_lifecycle(helm, kube_config, namespace, driver, class_name, args)
    finally:
        helm("uninstall", "rel", check=False)
        volume = kubectl_run(
            kube_config, "get", "pvc", "model-cache", "-n", namespace, "-o", "jsonpath={.spec.volumeName}", check=False
        ).stdout
        kubectl_run(kube_config, "delete", "pvc", "model-cache", "-n", namespace, "--wait=false", check=False)
        if volume:
            kubectl_run(kube_config, "delete", "pv", volume, "--wait=false", check=False)
        kubectl_run(kube_config, "delete", "storageclass", class_name, "--wait=false", check=False)
        if not had_driver:
            kubectl_run(kube_config, "delete", "csidriver", driver, "--wait=false", check=False)


def test_static_volume_binds_to_its_claim_and_survives_uninstall(helm_cluster: Any, kube_config: str) -> None:
    helm, claims, namespace = helm_cluster
    prefix = f"t-{namespace}"[:40]  # cluster-scoped names unique per test namespace
    args = [
        "--set",
        "tier=lustre",
        "--set",
        "variant=static",
        "--set",
        "staticVolumes.lustre.mgsIpAddress=10.0.0.4",
        "--set",
        f"fullnameOverride={prefix}",
        *NO_PREFLIGHT,
    ]
    try:
        helm("install", "rel", str(helmtool.CHART), *args)
        pv_name = f"{prefix}-model-cache"
        deadline = time.monotonic() + 60
        while claims()["model-cache"].get("status", {}).get("phase") != "Bound" and time.monotonic() < deadline:
            time.sleep(1)  # binding is the control plane's job: no Lustre driver needed
        claim = claims()["model-cache"]
        assert claim["status"]["phase"] == "Bound" and claim["spec"]["volumeName"] == pv_name
        helm("uninstall", "rel")
        pv = kubectl(kube_config, "get", "pv", pv_name)
        assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
        assert "model-cache" in claims()
    finally:
        kubectl_run(kube_config, "delete", "pvc", "model-cache", "-n", namespace, "--wait=false", check=False)
        kubectl_run(kube_config, "delete", "pv", f"{prefix}-model-cache", "--wait=false", check=False)


def test_storage_class_change_is_stopped_by_the_chart(helm_cluster: Any, kube_config: str) -> None:
    helm, _, namespace = helm_cluster
    prefix = f"t-{namespace}"[:40]
    args = ["--set", "tier=lustre", "--set", f"fullnameOverride={prefix}", *NO_PREFLIGHT]
    try:
        helm("install", "rel", str(helmtool.CHART), *args)  # the class exists; the claim waits for a driver
        changed = helm(
            "upgrade",
            "rel",
            str(helmtool.CHART),
            *args,
            "--set",
            "storageClasses.lustre.parameters.sku-name=AMLFS-Durable-Premium-250",
            check=False,
        )
        assert changed.returncode != 0
        assert "storageClasses.lustre.parameters" in changed.stderr and "AMLFS-Durable-Premium-250" in changed.stderr
    finally:
        helm("uninstall", "rel", check=False)
        kubectl_run(kube_config, "delete", "storageclass", f"{prefix}-lustre", "--wait=false", check=False)


def test_same_release_name_in_two_namespaces(helm_cluster: Any, kube_config: str, helm_version: str) -> None:
    """Each namespace's release owns its own StorageClass: install, upgrade and uninstall
    of one never touch the other's objects."""
    helm, claims, namespace = helm_cluster
    other = f"{namespace}-b"[:63]
    kubectl_run(kube_config, "create", "namespace", other)
    chart = str(helmtool.CHART)
    mine, theirs = f"dc.{namespace}.files-nfs", f"dc.{other}.files-nfs"

    def helm_in(ns: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        extra = NO_PREFLIGHT if args[0] in ("install", "upgrade") else []
        return run_helm(helm_version, kube_config, ns, *args, *extra, check=check)

    def classes() -> dict[str, dict[str, Any]]:
        items = kubectl(kube_config, "get", "storageclass", "-l", "app.kubernetes.io/instance=dc")["items"]
        return {i["metadata"]["name"]: i for i in items}

    try:
        helm_in(namespace, "install", "dc", chart)
        helm_in(other, "install", "dc", chart)  # failed before: "invalid ownership metadata"
        assert {mine, theirs} <= set(classes())
        # an upgrade that changes every object's labels, allowed whatever the claims' phase
        helm_in(other, "upgrade", "dc", chart, "--set", "commonLabels.team=b")
        now = classes()
        assert now[theirs]["metadata"]["labels"].get("team") == "b"
        assert "team" not in now[mine]["metadata"]["labels"]
        before = now[theirs]["metadata"]["resourceVersion"]
        helm_in(namespace, "uninstall", "dc")
        left = classes()
        assert left[theirs]["metadata"]["resourceVersion"] == before  # untouched
        assert left[mine]["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"  # kept with its claims
        theirs_claims = kubectl(kube_config, "get", "pvc", "-n", other)["items"]
        assert {c["metadata"]["name"] for c in theirs_claims} == {"model-cache", "compilation-cache", "perf-cache"}
        helm_in(other, "upgrade", "dc", chart, "--set", "commonLabels.team=b")  # still upgradable: nothing was touched
    finally:
        helm_in(namespace, "uninstall", "dc", check=False)
        helm_in(other, "uninstall", "dc", check=False)
        kubectl_run(kube_config, "delete", "pvc", "--all", "-n", other, "--wait=false", check=False)
        kubectl_run(kube_config, "delete", "namespace", other, "--wait=false", check=False)
        for name in (mine, theirs):
            kubectl_run(kube_config, "delete", "storageclass", name, "--wait=false", check=False)


def test_namespace_admin_installs_upgrades_and_uninstalls(
    helm_cluster: Any, kube_config: str, helm_version: str
) -> None:
    """A team with the built-in `admin` ClusterRole bound in its namespace only, helm run
    as that user (impersonated): scope namespace works end to end; the default scope
    fails naming the missing permission."""
    _helm, claims, namespace = helm_cluster
    user = f"{namespace}-admin"
    platform_class = f"{namespace}-platform-nfs"[:63]
    waiting_class = f"{namespace}-first-consumer"[:63]  # its claims stay Pending: no pod ever uses them here
    kubectl_run(
        kube_config, "create", "rolebinding", "team-admin", "--clusterrole=admin", f"--user={user}", "-n", namespace
    )
    # the platform team's classes, created with the test's own rights
    for name, binding in ((platform_class, "Immediate"), (waiting_class, "WaitForFirstConsumer")):
        apply(
            kube_config,
            {
                "apiVersion": "storage.k8s.io/v1",
                "kind": "StorageClass",
                "metadata": {"name": name},
                "provisioner": "file.csi.azure.com",
                "parameters": {"skuName": "Premium_LRS", "protocol": "nfs"},
                "reclaimPolicy": "Retain",
                "volumeBindingMode": binding,
                "allowVolumeExpansion": True,
            },
        )
    chart = str(helmtool.CHART)
    team = [
        "--set",
        "scope=namespace",
        "--set",
        f"storageClasses.filesNfs.name={platform_class}",
        "--set",
        f"caches.perf.storageClass={waiting_class}",
    ]

    def as_team(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_helm(helm_version, kube_config, namespace, *args, check=check, as_user=user)

    try:
        denied = as_team("install", "dc", chart, check=False)  # scope release needs cluster rights
        assert denied.returncode != 0 and "storageclasses" in denied.stderr and "forbidden" in denied.stderr.lower()
        assert "namespace-only user? install with --set scope=namespace" in denied.stderr  # the way forward

        as_team("install", "dc", chart, *team)
        assert set(claims()) == {"model-cache", "compilation-cache", "perf-cache"}
        assert claims()["model-cache"]["spec"]["storageClassName"] == platform_class
        as_team("upgrade", "dc", chart, *team)  # unchanged values: no cluster-scoped read
        refused = as_team(
            "upgrade", "dc", chart, *team, "--set", "caches.model.accessModes={ReadWriteOnce}", check=False
        )
        assert refused.returncode != 0 and "caches.model.accessModes" in refused.stderr
        assert phase(claims()["perf-cache"]) == "Pending"  # WaitForFirstConsumer, and no pod
        pending = as_team("upgrade", "dc", chart, *team, "--set", "caches.perf.size=200Gi", check=False)
        assert pending.returncode != 0 and "claim perf-cache is Pending" in pending.stderr
        assert "not Bound" in pending.stderr
        as_team("uninstall", "dc")
        assert "model-cache" in claims()  # kept
        as_team("install", "dc", chart, *team)  # reinstall adopts the kept claims
        assert set(claims()) == {"model-cache", "compilation-cache", "perf-cache"}
        bound_or_skip(kube_config, namespace, "model-cache", "file.csi.azure.com")
        as_team("upgrade", "dc", chart, *team, "--set", "caches.model.size=200Gi")  # a namespace admin grows it
        assert claims()["model-cache"]["spec"]["resources"]["requests"]["storage"] == "200Gi"
    finally:
        as_team("uninstall", "dc", check=False)
        for name in (platform_class, waiting_class):
            kubectl_run(kube_config, "delete", "storageclass", name, "--wait=false", check=False)


def test_preflight_and_doctor_see_a_missing_driver(helm_cluster: Any, kube_config: str, tmp_path: Any) -> None:
    """The preflight refuses a Lustre install while the CSIDriver is missing and lets it
    through once it exists; doctor reports both states. Objects this test creates are
    deleted; objects that were there before are left alone."""
    helm, claims, namespace = helm_cluster
    prefix = f"t-{namespace}"[:40]
    lustre_driver = "azurelustre.csi.azure.com"
    created: list[tuple[str, str]] = []

    def ensure(kind: str, doc: dict[str, Any]) -> None:
        name = doc["metadata"]["name"]
        if kubectl_run(kube_config, "get", kind, name, check=False).returncode != 0:
            kubectl_run(kube_config, "apply", "-f", "-", stdin=yaml_io.dump(doc))
            created.append((kind, name))

    def doctor() -> subprocess.CompletedProcess[str]:
        from genvalues import run as gen

        return gen(
            "doctor",
            "--kubeconfig",
            kube_config,
            "-n",
            namespace,
            "--tier",
            "lustre",
            "--kubectl",
            helmtool.binaries()["kubectl"],
            "--format",
            "json",
        )

    try:
        for name in ("azurefile-csi", "azurefile-csi-premium"):  # AKS's built-in classes the preset names
            ensure(
                "storageclass",
                {
                    "apiVersion": "storage.k8s.io/v1",
                    "kind": "StorageClass",
                    "metadata": {"name": name},
                    "provisioner": "file.csi.azure.com",
                    "parameters": {"skuName": "Premium_LRS"},
                },
            )
        had_driver = kubectl_run(kube_config, "get", "csidriver", lustre_driver, check=False).returncode == 0
        args = ["--set", "tier=lustre", "--set", f"fullnameOverride={prefix}"]
        if not had_driver:
            refused = helm("install", "rel", str(helmtool.CHART), *args, check=False)
            assert refused.returncode != 0
            assert f"CSI driver {lustre_driver} (Azure Managed Lustre) is not installed" in refused.stderr
            assert "model-cache" not in claims()  # nothing was created
            report = json.loads(doctor().stdout)
            assert any(lustre_driver in item for item in report["tiers"]["lustre"])
        ensure(
            "csidriver",
            {
                "apiVersion": "storage.k8s.io/v1",
                "kind": "CSIDriver",
                "metadata": {"name": lustre_driver},
                "spec": {"attachRequired": False, "podInfoOnMount": True},
            },
        )
        helm("install", "rel", str(helmtool.CHART), *args)
        assert "model-cache" in claims()
        report = json.loads(doctor().stdout)
        assert not [item for item in report["tiers"]["lustre"] if lustre_driver in item]
    finally:
        helm("uninstall", "rel", check=False)
        kubectl_run(kube_config, "delete", "pvc", "--all", "-n", namespace, "--wait=false", check=False)
        kubectl_run(kube_config, "delete", "storageclass", f"{prefix}-lustre", "--wait=false", check=False)
        for kind, name in created:
            kubectl_run(kube_config, "delete", kind, name, "--wait=false", check=False)


def test_validate_live_reports_the_charts_message(helm_cluster: Any, kube_config: str, tmp_path: Any) -> None:
    """gen-values validate --live (for CI before Argo CD syncs) against the live release:
    a forbidden change gets the chart's message, an allowed one passes."""
    from genvalues import validate_live

    helm, _claims, namespace = helm_cluster
    base = {"caches": {k: {"storageClass": "-"} for k in ("model", "compilation", "perf")}}
    helm("install", "rel", str(helmtool.CHART), *NO_CLASS)

    def live(values: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        return validate_live(values, tmp_path, namespace, "rel", kube_config, helmtool.binaries()["helm4"])

    unchanged = live(base)
    assert unchanged.returncode == 0, unchanged.stderr
    forbidden = live({"caches": {**base["caches"], "model": {"storageClass": "-", "accessModes": ["ReadWriteOnce"]}}})
    assert forbidden.returncode == 1
    assert "$.caches.model.accessModes: error: claim model-cache has accessModes" in forbidden.stderr


def test_the_api_server_keeps_the_alerts_and_dashboard_as_rendered(
    kube_cluster: Any, kube_config: str, random_namespace_function_scope: Any
) -> None:
    """With prometheus-operator's CRD installed (the test installs it when the cluster lacks
    it), the API server accepts the PrometheusRule and stores its groups exactly as rendered
    (nothing pruned); without it, the preflight refuses before creating anything. Both Helm
    versions, one after the other (the CRD is cluster-wide)."""
    import crds

    namespace = random_namespace_function_scope.name
    crd_file = crds.EXTERNAL / "prometheus-operator" / "monitoring.coreos.com_prometheusrules.yaml"
    crds.schemas("prometheus-operator/monitoring.coreos.com_prometheusrules.yaml")  # skips, naming it, when absent
    crd_name = "prometheusrules.monitoring.coreos.com"
    had_crd = exists(kube_config, "crd", crd_name)
    chart = str(helmtool.CHART)
    args = [
        *NO_CLASS,
        *("--set", "metrics.prometheusRule.enabled=true", "--set", "metrics.dashboard.enabled=true"),
        *("--set", "modelDownload.enabled=true", "--set", "modelDownload.model=Qwen/Qwen3-0.6B"),
    ]
    try:
        if not had_crd:
            refused = run_helm("helm4", kube_config, namespace, "install", "rel", chart, *args, check=False)
            assert refused.returncode != 0 and f"(CRD {crd_name}) is not installed" in refused.stderr
            kubectl_run(kube_config, "apply", "--server-side", "-f", str(crd_file))
            kubectl_run(kube_config, "wait", "--for=condition=Established", f"crd/{crd_name}", "--timeout=60s")
        for version in helmtool.VERSIONS:
            run_helm(version, kube_config, namespace, "install", "rel", chart, *args)
            rendered = run_helm(version, kube_config, namespace, "get", "manifest", "rel").stdout
            (want,) = [d for d in yaml_io.load_all(rendered) if d and d["kind"] == "PrometheusRule"]
            stored = kubectl(kube_config, "get", "prometheusrule", want["metadata"]["name"], "-n", namespace)
            assert stored["spec"] == want["spec"]
            dashboard = kubectl(kube_config, "get", "configmap", "rel-dynamo-cache-dashboard", "-n", namespace)
            assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
            run_helm(version, kube_config, namespace, "uninstall", "rel")
    finally:
        run_helm("helm4", kube_config, namespace, "uninstall", "rel", check=False)
        kubectl_run(kube_config, "delete", "pvc", "--all", "-n", namespace, "--wait=false", check=False)
        if not had_crd:
            kubectl_run(kube_config, "delete", "crd", crd_name, "--wait=false", check=False)
