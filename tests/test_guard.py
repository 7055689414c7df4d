"""The upgrade guard (templates/_guard.tpl) fed simulated live claims.

`lookup` is empty under `helm template`, so a copy of the chart gets one extra
template that calls the guard's compare helper with live objects from values;
the helper under test is the chart's own, unchanged."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import helmtool
import yaml_io

PROBE = """{{- $caches := include "dynamo-cache.caches" . | fromJson -}}
{{- range $key, $sim := .Values.simulated }}
---
kind: GuardResult
cache: {{ $key }}
{{- $cache := index $caches $key }}
{{- $expandable := include "dynamo-cache.expandable" (dict "root" $ "cache" $cache) }}
{{- $args := dict "root" $ "cache" $cache "live" $sim.live "expandable" $expandable }}
{{- $_ := merge $args (dict "release" $.Release.Name "namespace" $.Release.Namespace) }}
messages: {{ include "dynamo-cache.guard.compare" $args }}
{{- end }}
{{- range $profile, $live := .Values.simulatedClasses }}
---
kind: GuardResult
class: {{ $profile }}
messages: {{ include "dynamo-cache.guard.compareClass" (dict "root" $ "profile" $profile "live" $live) }}
{{- end }}
"""


@pytest.fixture(scope="module")
def probe_chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chart = tmp_path_factory.mktemp("guard") / "dynamo-cache"
    shutil.copytree(helmtool.CHART, chart)
    (chart / "values.schema.json").unlink()  # the probe's `simulated` key is not a chart value
    (chart / "templates" / "zz-guard-probe.yaml").write_text(PROBE)
    return chart


def live_claim(release: str = "dynamo-cache", namespace: str = "default", **spec: Any) -> dict[str, Any]:
    base = {
        "storageClassName": "azurefile-csi-premium",
        "accessModes": ["ReadWriteMany"],
        "volumeMode": "Filesystem",
        "resources": {"requests": {"storage": "100Gi"}},
    }
    phase = spec.pop("phase", "Bound")
    base.update(spec)
    annotations = {"meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": namespace} if release else {}
    return {"metadata": {"name": "model-cache", "annotations": annotations}, "spec": base, "status": {"phase": phase}}


def probe(chart: Path, version: str, doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The GuardResult documents the probe template renders for `doc`."""
    proc = subprocess.run(
        [helmtool.binaries()[version], "template", "dynamo-cache", str(chart), "-f", "-"],
        input=yaml_io.dump(doc),
        capture_output=True,
        text=True,
        check=True,
    )
    return [d for d in yaml_io.load_all(proc.stdout) if d and d.get("kind") == "GuardResult"]


def guard(chart: Path, version: str, live: dict[str, Any], values: dict[str, Any] | None = None) -> list[str]:
    # the built-in variant: the live claim below was made on azurefile-csi-premium
    doc = {"variant": "builtin", "simulated": {"model": {"live": live}}, **(values or {})}
    (result,) = [d for d in probe(chart, version, doc) if "cache" in d]
    return result["messages"]


def model(**fields: Any) -> dict[str, Any]:
    return {"caches": {"model": fields}}


LUSTRE = {"tier": "lustre", "variant": "dynamic"}  # the chart's Lustre class: allowVolumeExpansion false


@pytest.mark.parametrize(
    ("live", "values", "fragments"),
    [
        (live_claim(), None, []),
        (
            live_claim(),
            model(storageClass="managed-csi-premium", accessModes=["ReadWriteOnce"]),
            ["caches.model.storageClass", '"azurefile-csi-premium"', '"managed-csi-premium"', "new name"],
        ),
        (
            live_claim(accessModes=["ReadWriteOnce"]),
            None,
            ["caches.model.accessModes", "ReadWriteOnce", "ReadWriteMany"],
        ),
        (live_claim(volumeMode="Block"), None, ["caches.model.volumeMode", "Block"]),
        (live_claim(resources={"requests": {"storage": "200Gi"}}), None, ["never shrink", "200Gi", "100Gi"]),
        (
            live_claim(resources={"requests": {"storage": "50Gi"}}, phase="Pending"),
            None,
            ["not Bound", "Pending", "once the driver has made the volume", "kubectl describe pvc model-cache"],
        ),  # azurefile-csi-premium binds at once: nothing about pods
        (
            live_claim(
                storageClassName="managed-csi-premium",
                accessModes=["ReadWriteOnce"],
                resources={"requests": {"storage": "50Gi"}},
                phase="Pending",
            ),
            model(storageClass="managed-csi-premium", accessModes=["ReadWriteOnce"]),
            ["not Bound", "when a pod first uses it (WaitForFirstConsumer)"],
        ),
        (
            live_claim(storageClassName="dynamo-cache.default.lustre", resources={"requests": {"storage": "2Ti"}}),
            LUSTRE,
            ["does not allow volume expansion", '"dynamo-cache.default.lustre"'],
        ),
        (live_claim(resources={"requests": {"storage": "50Gi"}}), None, []),  # Azure Files: expandable
        (
            live_claim(storageClassName="my-class", resources={"requests": {"storage": "50Gi"}}),
            model(storageClass="my-class"),
            [],
        ),  # a class the catalog does not know: the API server decides
        (live_claim(resources={"requests": {"storage": "0.1Ti"}}), model(size="102.4Gi"), []),
        (live_claim(release="other"), None, ['belongs to release "other"', "existingClaim"]),
        (live_claim(release=""), None, ["not created by Helm", "caches.model.existingClaim=model-cache"]),
        (live_claim(storageClassName="whatever"), model(storageClass=""), []),  # "" = cluster default: not compared
    ],
    ids=[
        "unchanged",
        "class",
        "access",
        "volume-mode",
        "shrink",
        "grow-pending",
        "grow-pending-first-consumer",
        "grow-not-expandable",
        "grow-ok",
        "grow-unknown-class",
        "same-size-other-unit",
        "other-release",
        "not-helm",
        "default-class",
    ],
)
def test_guard(
    probe_chart: Path, helm_version: str, live: dict[str, Any], values: dict[str, Any] | None, fragments: list[str]
) -> None:
    messages = guard(probe_chart, helm_version, live, values)
    if not fragments:
        assert messages == []
        return
    assert len(messages) >= 1
    text = "\n".join(messages)
    assert "%!" not in text  # no printf leftovers
    for fragment in fragments:
        assert fragment in text, text


def test_a_static_claim_keeps_its_volume(probe_chart: Path, helm_version: str) -> None:
    """A claim bound to a PersistentVolume cannot change volumeName (upgrading from 0.1.0,
    whose volume names had no namespace, meets this)."""
    live = live_claim(
        storageClassName="",
        accessModes=["ReadWriteMany"],
        volumeName="dynamo-cache-model-cache",
        resources={"requests": {"storage": "4Ti"}},
    )
    values = {"variant": "static", "tier": "lustre", "staticVolumes": {"lustre": {"mgsIpAddress": "10.0.0.4"}}}
    messages = guard(probe_chart, helm_version, live, values)
    text = "\n".join(messages)
    assert "staticVolumes.lustre.name" in text and "staticVolumes.lustre.name=dynamo-cache-model-cache" in text
    kept = {**values, "staticVolumes": {"lustre": {"mgsIpAddress": "10.0.0.4", "name": "dynamo-cache-model-cache"}}}
    assert guard(probe_chart, helm_version, live, kept) == []


def test_guard_runs_in_the_real_templates() -> None:
    """pvc.yaml calls the guard (so an install with lookup data hits it)."""
    pvc = (helmtool.CHART / "templates" / "pvc.yaml").read_text()
    assert '{{- include "dynamo-cache.guard" . -}}' in pvc


def live_lustre_class(**fields: Any) -> dict[str, Any]:
    params = {
        "sku-name": "AMLFS-Durable-Premium-500",
        "zone": "1",
        "maintenance-day-of-week": "Sunday",
        "maintenance-time-of-day-utc": "02:00",
    }
    return {
        "metadata": {"name": "dynamo-cache.default.lustre"},
        "provisioner": "azurelustre.csi.azure.com",
        "reclaimPolicy": "Retain",
        "parameters": params,
        **fields,
    }


@pytest.mark.parametrize(
    ("live", "values", "fragments"),
    [
        (live_lustre_class(), {}, []),
        (
            live_lustre_class(),
            {"storageClasses": {"lustre": {"parameters": {"sku-name": "AMLFS-Durable-Premium-250"}}}},
            ["storageClasses.lustre.parameters", "AMLFS-Durable-Premium-250", "cannot change", "new name"],
        ),
        (live_lustre_class(reclaimPolicy="Delete"), {}, ["storageClasses.lustre.reclaimPolicy", "Delete", "Retain"]),
        (live_lustre_class(provisioner="file.csi.azure.com"), {}, ["not this chart's class"]),
    ],
    ids=["unchanged", "sku-change", "reclaim-change", "foreign-class"],
)
def test_class_guard(
    probe_chart: Path, helm_version: str, live: dict[str, Any], values: dict[str, Any], fragments: list[str]
) -> None:
    doc = {"tier": "lustre", "simulatedClasses": {"lustre": live}, **values}
    (result,) = [d for d in probe(probe_chart, helm_version, doc) if d.get("class") == "lustre"]
    text = "\n".join(result["messages"])
    assert bool(result["messages"]) == bool(fragments), text
    for fragment in fragments:
        assert fragment in text, text


def test_from_predicts_the_guards_own_words(probe_chart: Path, helm_version: str, tmp_path: Path) -> None:
    """`gen-values --from` (rules.migration) and the chart's guard word a forbidden change
    alike (catalog.yaml ruleMessages.claimChange): the claim a disk release made, met by
    files values, gets the same messages from both."""
    from genvalues import run as gen

    installed = tmp_path / "installed.yaml"
    assert gen("--tier", "disk", "-o", str(installed)).returncode == 0
    rendered = helmtool.template(helm_version, installed.read_text(), "dynamo-cache").kinds("PersistentVolumeClaim")
    live = rendered["model-cache"]
    live["metadata"]["annotations"] = {
        "meta.helm.sh/release-name": "dynamo-cache",
        "meta.helm.sh/release-namespace": "default",
    }
    live["status"] = {"phase": "Bound"}
    (result,) = [
        d
        for d in probe(probe_chart, helm_version, {"tier": "files", "simulated": {"model": {"live": live}}})
        if "cache" in d
    ]
    chart = sorted(result["messages"])
    predicted = gen("--tier", "files", "--from", str(installed))
    lines = [line.split("::", 1)[1] for line in predicted.stderr.splitlines() if "::$.caches.model." in line]
    python = sorted(line.replace("$.", "", 1).replace(": warning: ", ": ", 1) for line in lines)
    assert chart and chart == python
