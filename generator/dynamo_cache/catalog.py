"""The preset catalog (data/catalog.yaml), loaded once, read-only."""
from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any


@functools.lru_cache(maxsize=None)
def _catalog_text() -> str:
    return resources.files("dynamo_cache").joinpath("data/catalog.yaml").read_text("utf-8")


STORAGE_KINDS = {"class", "chartClass", "static"}


def _lookup(data: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        data = data[part]
    return data


def _expand(data: dict[str, Any]) -> dict[str, Any]:
    """`enumOf: lustre.skus` -> `enum: [...]` (one list, kept in one place), and each
    tier's variants flattened into complete presets: `presets[tier][variant][cache]`."""
    for profile in data["chartClasses"].values():
        for spec in profile["parameters"].values():
            if "enumOf" in spec:
                spec["enum"] = list(_lookup(data, spec.pop("enumOf")))
    presets: dict[str, Any] = {}
    for tier_name, tier in data["tiers"].items():
        presets[tier_name] = {}
        for variant_name, variant in tier["variants"].items():
            caches = {}
            for key, base in tier["caches"].items():
                override = variant["caches"].get(key, {})
                merged = dict(base)
                if STORAGE_KINDS & set(override):  # a variant's storage replaces the tier's
                    for kind in STORAGE_KINDS:
                        merged.pop(kind, None)
                merged.update(override)
                caches[key] = merged
            presets[tier_name][variant_name] = caches
    data["presets"] = presets
    return data


@functools.lru_cache(maxsize=None)
def _catalog_json() -> str:
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(_catalog_text())
    return json.dumps(_expand(data))  # keeps the file's order (caches: model first)


def load() -> dict[str, Any]:
    """A fresh copy of the catalog as plain dicts and lists."""
    return json.loads(_catalog_json())


CATALOG: dict[str, Any] = load()
TIERS: list[str] = list(CATALOG["tiers"])
VARIANTS: list[str] = sorted({v for tier in CATALOG["tiers"].values() for v in tier["variants"]})
CACHE_KEYS: list[str] = list(CATALOG["caches"])
CHART_CLASSES: list[str] = list(CATALOG["chartClasses"])
ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]
VOLUME_MODES = ["Filesystem", "Block"]


def preset(tier: str, variant: str) -> dict[str, Any]:
    """The three cache presets of `tier` / `variant` ("" = the tier's default)."""
    return CATALOG["presets"][tier][variant or CATALOG["tiers"][tier]["defaultVariant"]]
