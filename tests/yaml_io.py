"""YAML helpers for tests (plain data, safe loader)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML


def load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def load_all(text: str) -> Iterator[Any]:
    return YAML(typ="safe", pure=True).load_all(text)


def dump(data: Any) -> str:
    import io

    out = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, out)
    return out.getvalue()
