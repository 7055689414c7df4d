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
        out = subprocess.run(["kubectl", "--kubeconfig", kube_config, "get", "pvc", "-n", namespace, "-o", "yaml"],
                             capture_output=True, text=True, check=True).stdout
        return {i["metadata"]["name"]: i for i in yaml_io.load(out)["items"]}

    yield helm, claims, namespace
    helm("uninstall", "rel", check=False)
    subprocess.run(["kubectl", "--kubeconfig", kube_config, "delete", "pvc", "--all", "-n", namespace, "--wait=false"],
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
