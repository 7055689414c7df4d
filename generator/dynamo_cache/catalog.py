"""The preset catalog (data/catalog.yaml), loaded once, read-only."""
from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any


@functools.lru_cache(maxsize=None)
def _catalog_text() -> str:
    return resources.files("dynamo_cache").joinpath("data/catalog.yaml").read_text("utf-8")


@functools.lru_cache(maxsize=None)
def _catalog_json() -> str:
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(_catalog_text())
    return json.dumps(data)  # keeps the file's order (caches: model first)


def load() -> dict[str, Any]:
    """A fresh copy of the catalog as plain dicts and lists."""
    return json.loads(_catalog_json())


CATALOG: dict[str, Any] = load()
TIERS: list[str] = list(CATALOG["tiers"])
CACHE_KEYS: list[str] = list(CATALOG["caches"])
ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]
VOLUME_MODES = ["Filesystem", "Block"]

