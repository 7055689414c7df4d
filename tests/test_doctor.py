"""gen-values doctor, run as a process with the pinned kubectl against the recording
API server holding objects of the shape AKS has (CSIDrivers, StorageClasses, Nodes with
AKS's labels, a Pending claim and its event, Dynamo's CRD)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import fakekube
import helmtool
from genvalues import run as gen

NS = "dynamo"


def node(name: str, pool: str, size: str, gpus: int = 0, os_sku: str = "Ubuntu") -> dict[str, Any]:
    labels = {
        "kubernetes.azure.com/agentpool": pool,
        "node.kubernetes.io/instance-type": size,
        "kubernetes.azure.com/os-sku": os_sku,
        "kubernetes.io/os": "linux",
    }
    capacity = {"cpu": "96", "memory": "1900Gi", **({"nvidia.com/gpu": str(gpus)} if gpus else {})}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "status": {"capacity": capacity, "nodeInfo": {"osImage": "Ubuntu 22.04.5 LTS"}},
    }


def aks_cluster(server: fakekube.FakeKube) -> None:
    for driver in ("disk.csi.azure.com", "file.csi.azure.com"):
        server.put({"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver", "metadata": {"name": driver}, "spec": {}})
    for name, provisioner, sku in (
        ("azurefile-csi", "file.csi.azure.com", "Standard_LRS"),
        ("azurefile-csi-premium", "file.csi.azure.com", "Premium_LRS"),
        ("managed-csi", "disk.csi.azure.com", "StandardSSD_LRS"),
        ("managed-csi-premium", "disk.csi.azure.com", "Premium_LRS"),
    ):
        server.put(
            {
                "apiVersion": "storage.k8s.io/v1",
                "kind": "StorageClass",
                "metadata": {
                    "name": name,
                    "annotations": {"storageclass.kubernetes.io/is-default-class": str(name == "managed-csi").lower()},
                },
                "provisioner": provisioner,
                "parameters": {"skuName": sku},
                # as AKS has them: Azure Disk classes bind when a pod uses the claim
                "volumeBindingMode": "WaitForFirstConsumer" if provisioner == "disk.csi.azure.com" else "Immediate",
            }
        )
    server.put(node("aks-system-0", "system", "Standard_D4s_v5"))
    server.put(node("aks-gpu-0", "gpu", "Standard_ND96isr_H100_v5", gpus=8))
    server.put(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {
                "name": "model-cache",
                "namespace": NS,
                "labels": {"app.kubernetes.io/instance": "dynamo-cache"},
            },
            "spec": {
                "storageClassName": "managed-csi-premium",
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "128Gi"}},
            },
            "status": {"phase": "Pending"},
        }
    )
    server.put(
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "model-cache.1", "namespace": NS},
            "involvedObject": {"kind": "PersistentVolumeClaim", "name": "model-cache"},
            "reason": "WaitForFirstConsumer",
            "message": "waiting for first consumer to be created before binding",
        }
    )
    server.put(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "dynamographdeployments.nvidia.com"},
            "spec": {"versions": [{"name": "v1alpha1", "served": True}, {"name": "v1beta1", "served": True}]},
        }
    )


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[fakekube.FakeKube, Path]]:
    with fakekube.FakeKube() as server:
        aks_cluster(server)
        yield server, server.kubeconfig(tmp_path, NS)


def doctor(config: Path, tmp_path: Path, *args: str) -> Any:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KUBECACHEDIR": str(tmp_path / "cache")}
    return gen(
        "doctor", "--kubeconfig", str(config), "-n", NS, "--kubectl", helmtool.binaries()["kubectl"], *args, env=env
    )


def test_doctor_reports_the_cluster_and_usable_tiers(cluster: Any, tmp_path: Path) -> None:
    _server, config = cluster
    proc = doctor(config, tmp_path, "--tier", "files")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "CSI drivers: disk.csi.azure.com, file.csi.azure.com" in out
    assert "managed-csi" in out and "(default)" in out
    assert "gpu" in out and "Standard_ND96isr_H100_v5" in out and "GPUs 8" in out
    assert "model-cache" in out and "Pending" in out and "WaitForFirstConsumer" in out
    assert "Pending is normal: class managed-csi-premium binds when a pod first uses the claim" in out
    assert "dynamographdeployments.nvidia.com: v1alpha1, v1beta1" in out
    assert "files   usable now" in out and "disk    usable now" in out
    assert "lustre  needs: CSI driver azurelustre.csi.azure.com" in out
    assert "local   needs: StorageClass local-csi" in out


def test_doctor_fails_for_a_tier_the_cluster_cannot_serve_and_recommends(cluster: Any, tmp_path: Path) -> None:
    _server, config = cluster
    proc = doctor(config, tmp_path, "--tier", "lustre", "--model-size", "140GB", "--replicas", "8", "--format", "json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["ok"] is False and report["chosen"] == "lustre"
    assert report["tiers"]["files"] == [] and report["tiers"]["lustre"]
    assert report["recommended"].split("-")[0] in ("files", "disk")  # usable here; lustre is not


def test_doctor_tells_a_namespace_team_both_ways_forward(cluster: Any, tmp_path: Path) -> None:
    server, config = cluster
    assert "You may not create StorageClasses" not in doctor(config, tmp_path).stdout
    server.denied.add(("create", "storageclasses"))
    out = doctor(config, tmp_path).stdout
    assert "You may not create StorageClasses" in out
    assert "--set scope=cluster" in out and "--set variant=builtin --set scope=namespace" in out


def test_doctor_says_what_it_could_not_read(cluster: Any, tmp_path: Path) -> None:
    server, config = cluster
    server.forbidden |= {"/apis/storage.k8s.io/v1/csidrivers", "/api/v1/nodes"}
    proc = doctor(config, tmp_path, "--tier", "files")
    assert proc.returncode == 3, proc.stderr  # files needs a CSI driver it could not see: not judged, not "usable"
    assert (
        "Tier files: could not be judged" in proc.stdout and "unknown: the CSI drivers could not be read" in proc.stdout
    )
    assert "Not checked (could not read):" in proc.stdout
    assert "csidrivers" in proc.stdout and "nodes" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_doctor_without_kubectl_says_so(tmp_path: Path) -> None:
    proc = gen("doctor", "--kubectl", str(tmp_path / "no-kubectl"))
    assert proc.returncode == 3 and "--kubectl" in proc.stderr and "not an executable file" in proc.stderr


def test_doctor_explains_a_pending_claim_by_its_own_class(cluster: Any, tmp_path: Path) -> None:
    server, config = cluster
    server.put(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {
                "name": "perf-cache",
                "namespace": NS,
                "labels": {"app.kubernetes.io/instance": "dynamo-cache"},
            },
            "spec": {"storageClassName": "azurefile-csi", "resources": {"requests": {"storage": "50Gi"}}},
            "status": {"phase": "Pending"},
        }
    )
    out = doctor(config, tmp_path).stdout
    files_line = out.split("perf-cache", 1)[1].splitlines()[1]
    assert "binds at once: the driver has not made the volume yet; the events say why" in files_line
    assert "Lustre" not in files_line  # an Azure Files share is not a Lustre filesystem


def test_a_missing_dynamo_crd_is_an_answer_not_a_failed_read(cluster: Any, tmp_path: Path) -> None:
    server, config = cluster
    del server.objects[fakekube.path_of("CustomResourceDefinition", "dynamographdeployments.nvidia.com")]
    proc = doctor(config, tmp_path, "--tier", "files")
    assert proc.returncode == 0, proc.stdout
    assert "dynamographdeployments.nvidia.com: not installed" in proc.stdout
    assert "Not checked" not in proc.stdout


def test_doctor_says_whether_alerts_can_be_turned_on(cluster: Any, tmp_path: Path) -> None:
    server, config = cluster
    absent = "prometheusrules.monitoring.coreos.com: not installed: metrics.prometheusRule.enabled=true would fail"
    assert absent in doctor(config, tmp_path).stdout
    server.put(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "prometheusrules.monitoring.coreos.com"},
            "spec": {"versions": [{"name": "v1", "served": True}]},
        }
    )
    proc = doctor(config, tmp_path, "--format", "json")
    assert json.loads(proc.stdout)["rule_crd_versions"] == ["v1"], proc.stdout


def test_zero_nodes_cannot_judge_lustres_os(cluster: Any, tmp_path: Path) -> None:
    server, config = cluster
    for name in [p for p in server.objects if p.startswith("/api/v1/nodes/")]:
        del server.objects[name]
    out = doctor(config, tmp_path).stdout
    assert "unknown: the cluster has no nodes to judge by (Azure Managed Lustre needs Ubuntu nodes)" in out
    assert "Ubuntu nodes: the" not in out  # no claim that the nodes lack it


def test_no_cluster_is_said_once(tmp_path: Path) -> None:
    with fakekube.FakeKube() as server:
        config = server.kubeconfig(tmp_path, NS)
    proc = doctor(config, tmp_path)  # the server has stopped: every read is refused for one reason
    assert proc.returncode == 3
    unchecked = proc.stdout.split("Not checked (could not read):\n", 1)[1].splitlines()
    reasons = [line for line in unchecked if line.startswith("  ")]
    assert len(reasons) == 1, unchecked
    assert "csidrivers, storageclasses, nodes" in reasons[0]
