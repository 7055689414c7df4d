"""Preset merging: what each cache actually gets. Mirrors the chart's
`dynamo-cache.caches` helper (templates/_helpers.tpl); tests hold the two equal."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from . import model
from .catalog import CACHE_KEYS, CATALOG

SPEC_ONLY_KEYS = ("release", "namespace", "modelSize", "existingStorageClasses")


@dataclass
class Cache:
    key: str
    enabled: bool
    name: str
    size: str | None
    access_modes: list[str]
    volume_mode: str
    storage_class: str           # "" = omitted, "-" = empty string
    chart_class: bool            # the Lustre class this chart creates
    driver: str | None           # catalog driver key, None when unknown
    keep: bool
    existing_claim: str
    class_from_preset: bool      # the tier's own choice (no unknown-class warning)
    annotations: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def rendered(self) -> bool:
        return self.enabled and not self.existing_claim


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's coalescing for our shapes: maps merge, everything else replaces."""
    out = copy.deepcopy(base)
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
        return values["fullnameOverride"][:63].rstrip("-")
    name = values.get("nameOverride") or "dynamo-cache"
    full = release if name in release else f"{release}-{name}"
    return full[:63].rstrip("-")


def lustre_class_name(release: str, values: dict[str, Any]) -> str:
    return values["lustre"]["storageClass"]["name"] or f"{fullname(release, values)}-lustre"


def lustre_sku(values: dict[str, Any]) -> dict[str, Any]:
    return CATALOG["lustre"]["skus"][values["lustre"]["storageClass"]["skuName"]]


def caches(values: dict[str, Any], release: str = "dynamo-cache") -> dict[str, Cache]:
    tier = CATALOG["tiers"][values["tier"]]
    lustre_class = lustre_class_name(release, values)
    out = {}
    for key in CACHE_KEYS:
        preset = tier["caches"][key]
        v = values["caches"][key]
        storage_class = v.get("storageClass")
        chart_class = False
        if storage_class is None:
            storage_class = preset["class"]
            if preset.get("chartClass"):
                storage_class, chart_class = lustre_class, True
        elif storage_class == lustre_class:
            chart_class = True
        class_from_preset = chart_class or storage_class == preset["class"]
        info = CATALOG["classes"].get(storage_class) or CATALOG["notClasses"].get(storage_class)
        driver = "lustre" if chart_class else (info or {}).get("driver")
        size = v.get("size") or preset.get("size")
        if not size and driver == "lustre":
            size = f"{lustre_sku(values)['minTiB']}Ti"
        keep = v.get("keep")
        out[key] = Cache(
            key=key, enabled=bool(v.get("enabled", True)),
            name=v.get("name") or CATALOG["caches"][key]["name"], size=size,
            access_modes=list(v.get("accessModes") or preset["accessModes"]),
            volume_mode=v.get("volumeMode") or "Filesystem", storage_class=storage_class,
            chart_class=chart_class, driver=driver, keep=preset["keep"] if keep is None else bool(keep),
            existing_claim=v.get("existingClaim") or "", class_from_preset=class_from_preset,
            annotations=dict(v.get("annotations") or {}), labels=dict(v.get("labels") or {}),
        )
    return out
