"""Lifecycle on a real cluster: install, grow, forbidden change, uninstall keeps
the kept claims, reinstall adopts them. Runs only with --kubeconfig PATH (any
conformant cluster: claims may stay Pending, so no provisioner is needed)."""
from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest

import helmtool
import yaml_io

pytestmark = pytest.mark.cluster


@pytest.fixture
def helm_cluster(kube_cluster: Any, kube_config: str, random_namespace_function_scope: Any, helm_version: str):
    namespace = random_namespace_function_scope.name

    def helm(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [helmtool.binaries()[helm_version], *args, "-n", namespace, "--kubeconfig", kube_config]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=300)

    def claims() -> dict[str, dict[str, Any]]:
        out = subprocess.run([helmtool.binaries()["kubectl"], "--kubeconfig", kube_config, "get", "pvc", "-n", namespace, "-o", "yaml"],
                             capture_output=True, text=True, check=True).stdout
        return {i["metadata"]["name"]: i for i in yaml_io.load(out)["items"]}

    yield helm, claims, namespace
    helm("uninstall", "rel", check=False)
    subprocess.run([helmtool.binaries()["kubectl"], "--kubeconfig", kube_config, "delete", "pvc", "--all", "-n", namespace, "--wait=false"],
                   capture_output=True)


def test_lifecycle(helm_cluster: Any) -> None:
    helm, claims, _ = helm_cluster
    chart = str(helmtool.CHART)
    # "-" = storageClassName "": binds only to a matching PV, so it works on any cluster
    base = ["--set", "caches.model.storageClass=-", "--set", "caches.compilation.storageClass=-",
            "--set", "caches.perf.storageClass=-"]
    helm("install", "rel", chart, *base)
    assert set(claims()) == {"model-cache", "compilation-cache", "perf-cache"}

    forbidden = helm("upgrade", "rel", chart, *base, "--set", "caches.model.accessModes={ReadWriteOnce}", check=False)
    assert forbidden.returncode != 0
    assert "caches.model.accessModes" in forbidden.stderr and "immutable" not in forbidden.stderr

    pending_grow = helm("upgrade", "rel", chart, *base, "--set", "caches.model.size=200Gi", check=False)
    assert pending_grow.returncode != 0 and "not Bound" in pending_grow.stderr

    helm("uninstall", "rel")
    time.sleep(2)
    left = claims()
    assert "model-cache" in left and "compilation-cache" in left
    assert "perf-cache" not in left or left["perf-cache"]["metadata"].get("deletionTimestamp")

    other = helm("install", "other", chart, *base, check=False)
    assert other.returncode != 0 and 'belongs to release "rel"' in other.stderr

    helm("install", "rel", chart, *base)
    assert {"model-cache", "compilation-cache"} <= set(claims())


def kubectl(kube_config: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([helmtool.binaries()["kubectl"], "--kubeconfig", kube_config, *args, "-o", "yaml"],
                         capture_output=True, text=True, check=True).stdout
    return yaml_io.load(out)


def test_static_volume_binds_to_its_claim_and_survives_uninstall(helm_cluster: Any, kube_config: str) -> None:
    helm, claims, namespace = helm_cluster
    prefix = f"t-{namespace}"[:40]  # cluster-scoped names unique per test namespace
    args = ["--set", "tier=lustre", "--set", "variant=static", "--set", "staticVolumes.lustre.mgsIpAddress=10.0.0.4",
            "--set", f"fullnameOverride={prefix}"]
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
        subprocess.run([helmtool.binaries()["kubectl"], "--kubeconfig", kube_config, "delete", "pvc", "model-cache", "-n", namespace,
                        "--wait=false"], capture_output=True)
        subprocess.run([helmtool.binaries()["kubectl"], "--kubeconfig", kube_config, "delete", "pv", f"{prefix}-model-cache", "--wait=false"],
                       capture_output=True)


def test_storage_class_change_is_stopped_by_the_chart(helm_cluster: Any, kube_config: str) -> None:
    helm, _, namespace = helm_cluster
    prefix = f"t-{namespace}"[:40]
    args = ["--set", "tier=lustre", "--set", f"fullnameOverride={prefix}"]
    try:
        helm("install", "rel", str(helmtool.CHART), *args)  # the class exists; the claim waits for a driver
        changed = helm("upgrade", "rel", str(helmtool.CHART), *args,
                       "--set", "storageClasses.lustre.parameters.sku-name=AMLFS-Durable-Premium-250", check=False)
        assert changed.returncode != 0
        assert "storageClasses.lustre.parameters" in changed.stderr and "AMLFS-Durable-Premium-250" in changed.stderr
    finally:
        helm("uninstall", "rel", check=False)
        subprocess.run([helmtool.binaries()["kubectl"], "--kubeconfig", kube_config, "delete", "storageclass", f"{prefix}-lustre",
                        "--wait=false"], capture_output=True)
