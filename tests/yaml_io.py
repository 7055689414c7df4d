"""YAML helpers for tests (plain data, safe loader).

Reading uses libyaml through PyYAML where it is installed (the test lock pins it): the suite
parses every manifest helm renders, and ruamel.yaml's pure-Python loader took a large part
of the suite's time. Both read the chart's output alike (tests/test_chart.py renders and
reads every tier)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML

try:
    import yaml as _pyyaml

    _LOADER: Any = getattr(_pyyaml, "CSafeLoader", None)
except ImportError:  # the lower-bounds run has ruamel.yaml only
    _LOADER = None


def load(text: str) -> Any:
    if _LOADER is not None:
        return _pyyaml.load(text, Loader=_LOADER)
    return YAML(typ="safe", pure=True).load(text)


def load_all(text: str) -> Iterator[Any]:
    if _LOADER is not None:
        return iter(list(_pyyaml.load_all(text, Loader=_LOADER)))
    return YAML(typ="safe", pure=True).load_all(text)


def dump(data: Any) -> str:
    import io

    out = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, out)
    return out.getvalue()
