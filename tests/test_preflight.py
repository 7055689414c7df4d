"""Before and after an install: the chart's preflight (real helm with real lookups
against the recording API server) and the `helm test` Jobs (rendered, validated,
checkov; their script run for real on a local folder)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

import fakekube
import helmtool
import yaml_io

NAMESPACE = "team-a"
SCRIPT = helmtool.CHART / "files" / "cache-test.py"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[fakekube.FakeKube, Path]]:
    with fakekube.FakeKube() as server:
        server.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}})
        yield server, server.kubeconfig(tmp_path, NAMESPACE)


def csi_driver(name: str) -> dict[str, Any]:
    return {"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver", "metadata": {"name": name}, "spec": {}}


def storage_class(name: str, provisioner: str = "file.csi.azure.com") -> dict[str, Any]:
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": name},
        "provisioner": provisioner,
    }


def render(version: str, config: Path | None, values: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    cmd = [helmtool.binaries()[version], "template", "dc", str(helmtool.CHART), "-n", NAMESPACE, "-f", "-"]
    if config:
        cmd += ["--dry-run=server", "--disable-openapi-validation", "--kubeconfig", str(config)]
    return subprocess.run(cmd, input=yaml_io.dump(values), capture_output=True, text=True, timeout=120)


def test_preflight_names_what_is_missing_and_how_to_get_it(cluster: Any, helm_version: str) -> None:
    server, config = cluster
    run = render(helm_version, config, {"tier": "lustre"})
    assert run.returncode != 0
    assert "CSI driver azurelustre.csi.azure.com (Azure Managed Lustre) is not installed" in run.stderr
    assert "StorageClass azurefile-csi (caches.perf) does not exist" in run.stderr
    assert "preflight.enabled=false" in run.stderr and "Nothing was created" in run.stderr
    for obj in (
        csi_driver("azurelustre.csi.azure.com"),
        storage_class("azurefile-csi-premium"),
        storage_class("azurefile-csi"),
    ):
        server.put(obj)
    assert render(helm_version, config, {"tier": "lustre"}).returncode == 0


def test_preflight_can_be_skipped_and_stands_down_offline_and_for_namespace_teams(
    cluster: Any, helm_version: str
) -> None:
    server, config = cluster
    assert render(helm_version, config, {"tier": "lustre", "preflight": {"enabled": False}}).returncode == 0
    assert render(helm_version, None, {"tier": "lustre"}).returncode == 0  # helm template: no cluster
    server.requests.clear()
    team = {"scope": "namespace", "tier": "lustre", "storageClasses": {"lustre": {"name": "platform-lustre"}}}
    assert render(helm_version, config, team).returncode == 0
    assert not [p for p in server.requests if "csidrivers" in p or "storageclasses" in p or "kube-system" in p]


def test_preflight_checks_the_class_a_value_names(cluster: Any, helm_version: str) -> None:
    server, config = cluster
    server.put(csi_driver("file.csi.azure.com"))
    server.put(storage_class("azurefile-csi"))
    run = render(helm_version, config, {"caches": {"model": {"storageClass": "my-fast-class"}}})
    assert run.returncode != 0 and "StorageClass my-fast-class (caches.model) does not exist" in run.stderr
    assert "caches.model.storageClass" in run.stderr


def test_preflight_needs_the_prometheus_rule_kind_for_alerts(tmp_path: Path, helm_version: str) -> None:
    alerts = {"metrics": {"prometheusRule": {"enabled": True}}}
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "prometheusrules.monitoring.coreos.com"},
    }
    for installed in (False, True):  # the CRD, and the group the API server then serves
        served = {"monitoring.coreos.com": [("prometheusrules", "PrometheusRule", True)]} if installed else {}
        with fakekube.FakeKube(extra_groups=served) as server:
            server.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}})
            for obj in (
                csi_driver("file.csi.azure.com"),
                storage_class("azurefile-csi"),
                storage_class("azurefile-csi-premium"),
            ):
                server.put(obj)
            if installed:
                server.put(crd)
            run = render(helm_version, server.kubeconfig(tmp_path, NAMESPACE), alerts)
        assert (run.returncode == 0) is installed, run.stderr
        missing = "the PrometheusRule kind (CRD prometheusrules.monitoring.coreos.com) is not installed"
        assert (missing in run.stderr) is not installed


# -- helm test -------------------------------------------------------------------------


def hook_docs(version: str = "helm4", values: str = "") -> list[dict[str, Any]]:
    return helmtool.template(version, values or None, "dynamo-cache", "--namespace", "dynamo").hooks


def cache_test_jobs(version: str = "helm4", values: str = "") -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in hook_docs(version, values) if d["kind"] == "Job"}


@pytest.mark.parametrize("tier", ["files", "local", "lustre"])
def test_one_test_job_per_cache_valid_on_both_helms(tier: str) -> None:
    jobs = {v: cache_test_jobs(v, f"tier: {tier}\n") for v in helmtool.VERSIONS}
    assert jobs["helm3"] == jobs["helm4"] and len(jobs["helm4"]) == 3
    for job in jobs["helm4"].values():
        for k8s in ("1.29", "1.37"):
            kubernetes_validate.validate(job, k8s, strict=True)
        pod = job["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False and pod["securityContext"]["runAsNonRoot"] is True
        (volume,) = pod["volumes"]
        if tier == "local" and not job["metadata"]["name"].endswith("model"):
            assert volume["ephemeral"]["volumeClaimTemplate"]["spec"]["storageClassName"] == "local-csi"
        else:
            assert "persistentVolumeClaim" in volume


def test_parallel_readers_only_where_the_claim_is_shared() -> None:
    jobs = cache_test_jobs(values="tier: disk\ntests: {parallel: 4}\n")
    assert {j["spec"]["parallelism"] for j in jobs.values()} == {1}  # ReadWriteOnce: one pod
    shared = cache_test_jobs(values="tier: files\ntests: {parallel: 4}\n")
    assert {j["spec"]["parallelism"] for j in shared.values()} == {4}


def run_test_script(mount: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {
        "PATH": os.environ["PATH"],
        "MOUNT": str(mount),
        "CACHE": "model-cache",
        "SIZE_MB": "8",
        "MIN_READ_MBPS": "0",
        "EXPECTED": "110 MiB/s (Premium Files, 100 GiB)",
        **env,
    }
    return subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, env=full, timeout=60)


def test_the_test_script_measures_and_cleans_up(tmp_path: Path) -> None:
    proc = run_test_script(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "wrote 8 MB at" in proc.stdout and "read it back at" in proc.stdout and "planner: 110 MiB/s" in proc.stdout
    assert not any((tmp_path / ".dynamo-cache-test").iterdir())
    slow = run_test_script(tmp_path, MIN_READ_MBPS="100000000")
    assert slow.returncode == 1 and "tests.minReadMBps" in slow.stdout
    (tmp_path / "ro").mkdir(mode=0o500)
    if os.geteuid() != 0:  # root writes anywhere
        broken = run_test_script(tmp_path / "ro")
        assert broken.returncode == 1 and "FAILED" in broken.stdout
