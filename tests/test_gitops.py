"""GitOps: what Argo CD and Flux need from the chart. Kept claims and their static
volumes carry Argo CD's Prune=false,Delete=false; the examples validate against the
tools' own CRDs (Argo CD's Application, Flux's HelmRelease)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import crds
import helmtool
import yaml_io

EXAMPLES = helmtool.ROOT / "examples"
SYNC = "argocd.argoproj.io/sync-options"


def objects(helm_version: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    return helmtool.template(helm_version, yaml_io.dump(values)).docs


def test_kept_claims_and_volumes_carry_argocd_keep(helm_version: str) -> None:
    values = {
        "tier": "lustre",
        "variant": "static",
        "staticVolumes": {"lustre": {"mgsIpAddress": "10.0.0.4"}},
        "caches": {"perf": {"keep": False}},
    }
    docs = objects(helm_version, values)
    for doc in docs:
        if doc["kind"] not in ("PersistentVolumeClaim", "PersistentVolume"):
            continue
        annotations = doc["metadata"].get("annotations", {})
        kept = annotations.get("helm.sh/resource-policy") == "keep"
        assert (annotations.get(SYNC) == "Prune=false,Delete=false") == kept, doc["metadata"]
    assert any(d["kind"] == "PersistentVolume" and SYNC in d["metadata"]["annotations"] for d in docs)


def test_argocd_keep_merges_with_the_users_sync_options_and_can_be_off(helm_version: str) -> None:
    values = {"caches": {"model": {"annotations": {SYNC: "ServerSideApply=true,Prune=false"}}}}
    claims = {d["metadata"]["name"]: d for d in objects(helm_version, values) if d["kind"] == "PersistentVolumeClaim"}
    assert claims["model-cache"]["metadata"]["annotations"][SYNC] == "ServerSideApply=true,Prune=false,Delete=false"
    off = objects(helm_version, {"gitops": {"argocdKeep": False}})
    assert not [d for d in off if SYNC in d["metadata"].get("annotations", {})]
    assert [d for d in off if d["metadata"].get("annotations", {}).get("helm.sh/resource-policy") == "keep"]


def load(path: Path) -> dict[str, Any]:
    return yaml_io.load(path.read_text())


def test_argocd_example_is_a_valid_application_that_protects_the_cache() -> None:
    app = load(EXAMPLES / "argocd" / "application.yaml")
    crds.validate(app, crds.schemas("argocd/application-crd.yaml"))
    options = app["spec"]["syncPolicy"]["syncOptions"]
    assert "ServerSideApply=true" in options and not [o for o in options if o.startswith(("Replace=", "Force="))]
    assert app["spec"]["source"]["helm"]["valuesObject"]["gitops"]["argocdKeep"] is True
    # its values are valid chart values
    assert helmtool.template("helm4", yaml_io.dump(app["spec"]["source"]["helm"]["valuesObject"])).returncode == 0


def test_flux_example_is_a_valid_helmrelease_that_never_uninstalls() -> None:
    release = load(EXAMPLES / "flux" / "helmrelease.yaml")
    crds.validate(release, crds.schemas("flux/helm.toolkit.fluxcd.io_helmreleases.yaml"))
    spec = release["spec"]
    assert spec["install"]["remediation"]["retries"] == 0
    assert spec["upgrade"]["remediation"] == {"retries": 0, "remediateLastFailure": False}
    assert {"paths": ["/spec/resources/requests/storage"], "target": {"kind": "PersistentVolumeClaim"}} in spec[
        "driftDetection"
    ]["ignore"]
    source = load(EXAMPLES / "flux" / "ocirepository.yaml")
    assert spec["chartRef"] == {
        "kind": "OCIRepository",
        "name": source["metadata"]["name"],
        "namespace": source["metadata"]["namespace"],
    }
    assert helmtool.template("helm4", yaml_io.dump(spec["values"])).returncode == 0


@pytest.mark.parametrize("path", sorted(EXAMPLES.rglob("*.yaml")), ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_examples_name_a_released_chart_version(path: Path) -> None:
    chart = yaml_io.load((helmtool.CHART / "Chart.yaml").read_text())
    text = path.read_text()
    if "targetRevision" in text or "semver" in text:
        major_minor = ".".join(chart["version"].split(".")[:2])
        assert major_minor in text, f"{path.name} names another chart version than {chart['version']}"
