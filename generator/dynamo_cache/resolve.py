"""Preset merging: what each cache actually gets. Mirrors the chart's
`dynamo-cache.mergeCaches` helper (templates/_helpers.tpl); tests hold the two equal."""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from . import model
from .catalog import CACHE_KEYS, CATALOG, CHART_CLASSES, preset

SPEC_ONLY_KEYS = ("release", "namespace", "modelSize", "existingStorageClasses")
STATIC_CLASS = "-"  # storageClassName: "" (no class, no default class): binds only to our PV


class Cache(NamedTuple):  # NamedTuples, not dataclasses, on every command's path: 1 ms cheaper each
    key: str
    enabled: bool
    name: str
    size: str | None
    access_modes: list[str]
    volume_mode: str
    storage_class: str  # "" = omitted, "-" = empty string
    chart_class: str  # profile of the class this chart creates for it, or ""
    static: str  # kind of existing storage a chart-made PV binds, or ""
    driver: str | None  # catalog driver key, None when unknown
    keep: bool
    existing_claim: str
    class_from_preset: bool  # the tier's own choice (no unknown-class warning)
    annotations: dict[str, str]
    labels: dict[str, str]

    @property
    def rendered(self) -> bool:
        return self.enabled and not self.existing_claim


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's coalescing for our shapes: maps merge, everything else replaces. The result
    shares the parts of `base` that `override` leaves alone (values_of passes a fresh copy)."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def values_of(spec: dict[str, Any]) -> dict[str, Any]:
    """Chart values (defaults + the spec's values keys)."""
    own = {k: v for k, v in spec.items() if k not in SPEC_ONLY_KEYS}
    return deep_merge(model.defaults(), own)


def fullname(release: str, values: dict[str, Any]) -> str:
    """The chart's dynamo-cache.fullname helper."""
    if values.get("fullnameOverride"):
        return str(values["fullnameOverride"])[:63].rstrip("-")
    name = values.get("nameOverride") or "dynamo-cache"
    full = release if name in release else f"{release}-{name}"
    return full[:63].rstrip("-")


def cluster_prefix(release: str, namespace: str, values: dict[str, Any]) -> str:
    """The chart's dynamo-cache.clusterPrefix helper: "<release>.<namespace>.", so no two
    (release, namespace) pairs share a cluster-scoped name; fullnameOverride gives
    "<fullnameOverride>-". (The chart also keeps the names a release installed with 0.2.0
    uses, which it reads from the live cluster: dynamo-cache.keptNames.)"""
    if values.get("fullnameOverride"):
        return fullname(release, values) + "-"
    return f"{release}.{namespace}."


def class_name(profile: str, release: str, namespace: str, values: dict[str, Any]) -> str:
    """The chart's dynamo-cache.className helper: the class made for `profile`."""
    suffix = CATALOG["chartClasses"][profile]["nameSuffix"]
    return values["storageClasses"][profile]["name"] or f"{cluster_prefix(release, namespace, values)}{suffix}"


def lustre_sku(values: dict[str, Any]) -> dict[str, Any]:
    sku: dict[str, Any] = CATALOG["lustre"]["skus"][values["storageClasses"]["lustre"]["parameters"]["sku-name"]]
    return sku


def caches(values: dict[str, Any], release: str = "dynamo-cache", namespace: str = "default") -> dict[str, Cache]:
    presets = preset(values["tier"], values.get("variant", ""))
    names = {class_name(p, release, namespace, values): p for p in CHART_CLASSES}
    out = {}
    for key in CACHE_KEYS:
        pre = presets[key]
        v = values["caches"][key]
        storage_class = v.get("storageClass")
        chart_class = static = ""
        if storage_class is None:
            if pre.get("static"):
                storage_class, static = STATIC_CLASS, pre["static"]
            elif pre.get("chartClass"):
                chart_class = pre["chartClass"]
                storage_class = class_name(chart_class, release, namespace, values)
            else:
                storage_class = pre["class"]
        else:
            chart_class = names.get(storage_class, "")
        class_from_preset = bool(chart_class or static) or storage_class == pre.get("class")
        if chart_class:
            driver = CATALOG["chartClasses"][chart_class]["driver"]
        elif static:
            driver = CATALOG["staticVolumes"][static]["driver"]
        else:
            info = CATALOG["classes"].get(storage_class) or CATALOG["notClasses"].get(storage_class)
            driver = (info or {}).get("driver")
        size = v.get("size") or pre.get("size")
        if not size and chart_class == "lustre":
            size = f"{lustre_sku(values)['minTiB']}Ti"
        keep = v.get("keep")
        out[key] = Cache(
            key=key,
            enabled=bool(v.get("enabled", True)),
            name=v.get("name") or CATALOG["caches"][key]["name"],
            size=size,
            access_modes=list(v.get("accessModes") or pre["accessModes"]),
            volume_mode=v.get("volumeMode") or "Filesystem",
            storage_class=storage_class,
            chart_class=chart_class,
            static=static,
            driver=driver,
            keep=pre["keep"] if keep is None else bool(keep),
            existing_claim=v.get("existingClaim") or "",
            class_from_preset=class_from_preset,
            annotations=dict(v.get("annotations") or {}),
            labels=dict(v.get("labels") or {}),
        )
    return out


def downloads(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The models the download Job warms, in order: modelDownload.model (when set), then each of
    modelDownload.models; each with the JSON path it was given at. The chart's twin:
    dynamo-cache.downloads (templates/_helpers.tpl)."""
    d = values.get("modelDownload") or {}
    out = []
    if d.get("model"):
        out.append({"path": "$.modelDownload", "model": d["model"], "revision": d.get("revision") or "",
                    "include": d.get("include") or [], "exclude": d.get("exclude") or []})  # fmt: skip
    for i, m in enumerate(d.get("models") or []):
        out.append({"path": f"$.modelDownload.models[{i}]", "model": m["model"], "revision": m.get("revision") or "",
                    "include": m.get("include") or [], "exclude": m.get("exclude") or []})  # fmt: skip
    return out
