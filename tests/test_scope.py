"""Who owns what, proved with real helm against a recording API server (fakekube):
the requests a render makes show which objects it reads; 403s stand in for a user
with rights in one namespace only; live claims drive the guard through the real
`lookup`. Both Helm versions, every test."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import fakekube
import genvalues
import helmtool
import yaml_io

NAMESPACE = "team-a"
DISCOVERY = set(fakekube.discovery()) | {"/openapi/v2", "/openapi/v3"}


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[tuple[fakekube.FakeKube, Path]]:
    with fakekube.FakeKube() as server:
        yield server, server.kubeconfig(tmp_path, NAMESPACE)


def helm(
    version: str, config: Path, *args: str, values: dict[str, Any] | None = None
) -> subprocess.CompletedProcess[str]:
    cmd = [
        helmtool.binaries()[version],
        *args,
        "--dry-run=server",
        "--disable-openapi-validation",
        "-n",
        NAMESPACE,
        "--kubeconfig",
        str(config),
        "-f",
        "-",
    ]
    return subprocess.run(
        cmd, input=yaml_io.dump(values or {}), capture_output=True, text=True, timeout=120, cwd=helmtool.ROOT
    )


def template(version: str, config: Path, values: dict[str, Any] | None = None) -> subprocess.CompletedProcess[str]:
    return helm(version, config, "template", "dc", str(helmtool.CHART), values=values)


def reads(server: fakekube.FakeKube) -> set[str]:
    return {path for path in server.requests if path not in DISCOVERY}


def claim(
    name: str = "model-cache",
    size: str = "100Gi",
    modes: tuple[str, ...] = ("ReadWriteMany",),
    storage_class: str = f"dc.{NAMESPACE}.files-nfs",
    phase: str = "Bound",
) -> dict[str, Any]:
    """A live claim this release made (Helm's ownership label and annotations)."""
    return {
        "kind": "PersistentVolumeClaim",
        "apiVersion": "v1",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "labels": {"app.kubernetes.io/managed-by": "Helm"},
            "annotations": {"meta.helm.sh/release-name": "dc", "meta.helm.sh/release-namespace": NAMESPACE},
        },
        "spec": {
            "storageClassName": storage_class,
            "accessModes": list(modes),
            "volumeMode": "Filesystem",
            "resources": {"requests": {"storage": size}},
        },
        "status": {"phase": phase},
    }


TEAM = {"scope": "namespace", "storageClasses": {"filesNfs": {"name": "platform-files-nfs"}}}


def test_namespace_scope_reads_only_its_namespace(kube: Any, helm_version: str) -> None:
    server, config = kube
    # the user may not read anything cluster-scoped: any such read would fail the render
    server.forbidden |= {
        fakekube.path_of("StorageClass", "platform-files-nfs"),
        fakekube.path_of("StorageClass", f"dc.{NAMESPACE}.files-nfs"),
    }
    run = template(helm_version, config, TEAM)
    assert run.returncode == 0, run.stderr
    assert reads(server) and all(p.startswith(f"/api/v1/namespaces/{NAMESPACE}/") for p in reads(server)), reads(server)
    objects = [
        d for d in yaml_io.load_all(run.stdout) if d and "helm.sh/hook" not in d["metadata"].get("annotations", {})
    ]
    assert {d["kind"] for d in objects} == {"PersistentVolumeClaim"}
    classes = {d["spec"].get("storageClassName") for d in objects}
    assert "platform-files-nfs" in classes


@pytest.mark.parametrize(
    "forbidden",
    [
        fakekube.path_of("StorageClass", f"dc.{NAMESPACE}.files-nfs"),  # the guard's read
        fakekube.path_of("Namespace", "kube-system"),  # the preflight's
    ],
)
def test_a_namespace_admins_default_install_names_the_way_forward(kube: Any, helm_version: str, forbidden: str) -> None:
    """A failed lookup cannot be caught, but Helm names the define it failed in: that name
    is the advice, beside Kubernetes' own "forbidden"."""
    server, config = kube
    server.forbidden.add(forbidden)
    run = template(helm_version, config)
    assert run.returncode != 0
    assert "forbidden" in run.stderr
    assert '"namespace-only user? install with --set scope=namespace (README: Shared clusters)"' in run.stderr


def test_release_scope_reads_only_its_claims_and_the_class_it_makes(kube: Any, helm_version: str) -> None:
    server, config = kube
    run = template(helm_version, config)
    assert run.returncode == 0, run.stderr
    cluster_reads = {p for p in reads(server) if not p.startswith(f"/api/v1/namespaces/{NAMESPACE}/")}
    # the class it makes (the guard), and kube-system's namespace object: the preflight's
    # "am I online" probe (this server has none, so the preflight stands down)
    assert cluster_reads == {
        fakekube.path_of("StorageClass", f"dc.{NAMESPACE}.files-nfs"),
        fakekube.path_of("Namespace", "kube-system"),
    }


def test_cluster_scope_makes_only_cluster_scoped_objects(kube: Any, helm_version: str) -> None:
    server, config = kube
    values = {
        "scope": "cluster",
        "tier": "lustre",
        "variant": "static",
        "staticVolumes": {"lustre": {"mgsIpAddress": "10.0.0.4", "claimNamespace": "team-b"}},
    }
    run = template(helm_version, config, values)
    assert run.returncode == 0, run.stderr
    docs = [d for d in yaml_io.load_all(run.stdout) if d]
    assert {d["kind"] for d in docs} == {"PersistentVolume"}  # the other caches use AKS classes: no claim here
    (pv,) = [d for d in docs if d["kind"] == "PersistentVolume"]
    assert pv["spec"]["claimRef"]["namespace"] == "team-b"
    assert not [p for p in reads(server) if "persistentvolumeclaims" in p]


def test_the_guard_speaks_through_the_real_lookup(kube: Any, helm_version: str) -> None:
    server, config = kube
    server.put(claim(modes=("ReadWriteOnce",)))
    run = template(helm_version, config)
    assert run.returncode != 0
    assert "caches.model.accessModes" in run.stderr and "ReadWriteOnce" in run.stderr and "%!" not in run.stderr


def test_the_guard_works_for_a_namespace_team_without_cluster_reads(kube: Any, helm_version: str) -> None:
    server, config = kube
    server.forbidden.add(fakekube.path_of("StorageClass", "platform-files-nfs"))
    server.put(claim(storage_class="platform-files-nfs", size="200Gi"))
    run = template(helm_version, config, TEAM)
    assert run.returncode != 0 and "never shrink" in run.stderr, run.stderr
    grown = template(helm_version, config, {**TEAM, "caches": {"model": {"size": "300Gi"}}})
    assert grown.returncode == 0, grown.stderr  # Azure Files can grow: the catalog knows, no class read needed


def test_a_lustre_claim_cannot_grow(kube: Any, helm_version: str) -> None:
    server, config = kube
    server.put(claim(size="4Ti", storage_class=f"dc.{NAMESPACE}.lustre"))
    run = template(helm_version, config, {"tier": "lustre", "caches": {"model": {"size": "8Ti"}}})
    assert run.returncode != 0 and "does not allow volume expansion" in run.stderr


def test_notes_warn_that_a_grown_claim_cannot_be_rolled_back(kube: Any, helm_version: str) -> None:
    server, config = kube
    server.put(claim(size="100Gi"))
    run = helm(
        helm_version,
        config,
        "upgrade",
        "--install",
        "dc",
        str(helmtool.CHART),
        values={"caches": {"model": {"size": "200Gi"}}},
    )
    assert run.returncode == 0, run.stderr
    assert "model-cache grows from 100Gi to 200Gi" in run.stdout and "helm rollback" in run.stdout


def test_platform_notes_give_the_team_command(kube: Any, helm_version: str) -> None:
    _server, config = kube
    run = helm(helm_version, config, "upgrade", "--install", "dc", str(helmtool.CHART), values={"scope": "cluster"})
    assert run.returncode == 0, run.stderr
    name = f"dc.{NAMESPACE}.files-nfs"
    assert f"StorageClass {name}" in run.stdout
    assert f"--set scope=namespace --set storageClasses.filesNfs.name={name}" in run.stdout


# -- gen-values validate --live: the chart's guard where lookup cannot run (Argo CD) ------


def validate_live(config: Path, tmp_path: Path, values: dict[str, Any], helm_version: str) -> Any:
    return genvalues.validate_live(values, tmp_path, NAMESPACE, "dc", config, helmtool.binaries()[helm_version])


def test_validate_live_reports_the_charts_message(kube: Any, helm_version: str, tmp_path: Path) -> None:
    server, config = kube
    server.put(claim(modes=("ReadWriteOnce",)))
    refused = validate_live(config, tmp_path, {}, helm_version)
    assert refused.returncode == 1, refused.stderr
    assert "::$.caches.model.accessModes: error: claim model-cache has accessModes ReadWriteOnce" in refused.stderr
    (line,) = [line for line in refused.stderr.splitlines() if "$.caches.model.accessModes" in line]
    assert line.count("(hint: ") == 1 and "(hint: give caches.model a new name" in line  # the chart's hint
    assert [p for p in server.requests if "persistentvolumeclaims/model-cache" in p]  # it read the live claim
    allowed = validate_live(config, tmp_path, {"caches": {"model": {"accessModes": ["ReadWriteOnce"]}}}, helm_version)
    assert allowed.returncode == 0, allowed.stderr
    assert "ok:" in allowed.stderr and "live release dc" in allowed.stderr


def test_validate_live_says_when_it_could_not_check(helm_version: str, tmp_path: Path) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(
        yaml_io.dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "x",
                "clusters": [{"name": "x", "cluster": {"server": "http://127.0.0.1:9"}}],
                "users": [{"name": "x", "user": {}}],
                "contexts": [{"name": "x", "context": {"cluster": "x", "user": "x"}}],
            }
        )
    )
    proc = validate_live(config, tmp_path, {}, helm_version)
    assert proc.returncode == 3 and "not checked against the cluster" in proc.stderr, proc.stderr


# -- names: no two releases share one; an installed release keeps the names it has -----

LEGACY = f"dc-dynamo-cache-{NAMESPACE}-"  # what 0.2.0 named this release's cluster-scoped objects


def test_an_installed_release_keeps_its_class_name(kube: Any, helm_version: str) -> None:
    """A claim's class cannot change: the chart reads the class the live claim has, and keeps
    making and naming that one (no rename, no refusal)."""
    server, config = kube
    server.put(claim(storage_class=f"{LEGACY}files-nfs"))
    run = template(helm_version, config)
    assert run.returncode == 0, run.stderr
    docs = [d for d in yaml_io.load_all(run.stdout) if d]
    assert [d["metadata"]["name"] for d in docs if d["kind"] == "StorageClass"] == [f"{LEGACY}files-nfs"]
    classes = {d["spec"].get("storageClassName") for d in docs if d["kind"] == "PersistentVolumeClaim"}
    assert f"{LEGACY}files-nfs" in classes and f"dc.{NAMESPACE}.files-nfs" not in classes
    # one read of each claim by the templates serves the names, the guard and NOTES; Helm 4
    # reads it once more on its own (measured: one more than Helm 3 before this change too)
    reads = server.requests.count(f"/api/v1/namespaces/{NAMESPACE}/persistentvolumeclaims/model-cache")
    assert reads == {"helm3": 1, "helm4": 2}[helm_version]


def test_an_installed_static_volume_keeps_its_name(kube: Any, helm_version: str) -> None:
    server, config = kube
    bound = claim(storage_class="", size="4Ti")
    bound["spec"]["volumeName"] = f"{LEGACY}model-cache"
    server.put(bound)
    values = {"tier": "lustre", "variant": "static", "staticVolumes": {"lustre": {"mgsIpAddress": "10.0.0.4"}}}
    run = template(helm_version, config, values)
    assert run.returncode == 0, run.stderr
    docs = [d for d in yaml_io.load_all(run.stdout) if d]
    assert [d["metadata"]["name"] for d in docs if d["kind"] == "PersistentVolume"] == [f"{LEGACY}model-cache"]


def test_the_platform_release_keeps_the_classes_it_owns(kube: Any, helm_version: str) -> None:
    server, config = kube
    server.put(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {
                "name": f"{LEGACY}files-nfs",
                "labels": {"app.kubernetes.io/managed-by": "Helm"},
                "annotations": {"meta.helm.sh/release-name": "dc", "meta.helm.sh/release-namespace": NAMESPACE},
            },
            "provisioner": "file.csi.azure.com",
            "parameters": {"protocol": "nfs", "skuName": "Premium_LRS"},
            "reclaimPolicy": "Retain",
        }
    )
    run = template(helm_version, config, {"scope": "cluster"})
    assert run.returncode == 0, run.stderr
    made = [d["metadata"]["name"] for d in yaml_io.load_all(run.stdout) if d and d["kind"] == "StorageClass"]
    assert made == [f"{LEGACY}files-nfs"]
