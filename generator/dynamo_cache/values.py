"""From a validated spec to complete chart values, with every preset value
spelled out, and the commented YAML text gen-values prints."""
from __future__ import annotations

from typing import Any

from . import __version__, model, yamltext
from .catalog import CATALOG
from .resolve import SPEC_ONLY_KEYS, caches, values_of


def build(spec: dict[str, Any]) -> dict[str, Any]:
    """Chart values for `spec`: the preset resolved into explicit per-cache values.

    The chart-created Lustre class stays `storageClass: null` because its name
    derives from the release at install time.
    """
    values = values_of(spec)
    release = spec.get("release", "dynamo-cache")
    for key, c in caches(values, release).items():
        v = values["caches"][key]
        v["size"] = c.size
        v["accessModes"] = c.access_modes
        v["keep"] = c.keep
        if not c.chart_class or v["storageClass"] is not None:
            v["storageClass"] = c.storage_class
    return values


def render(spec: dict[str, Any], source: str) -> str:
    values = build(spec)
    tier = values["tier"]
    header = [
        f"Helm values for the dynamo-cache chart, written by gen-values {__version__} (tier {tier}; input: {source}).",
        f"Tier {tier}: {CATALOG['tiers'][tier]['summary']}",
        "Install: helm upgrade --install "
        f"{spec.get('release', 'dynamo-cache')} charts/dynamo-cache"
        + (f" -n {spec['namespace']}" if spec.get("namespace") else "") + " -f THIS_FILE",
    ]
    for key in SPEC_ONLY_KEYS:
        if key in spec:
            header.append(f"spec {key}: {spec[key]}")
    header.append("")
    return yamltext.dump(values, model.values_schema(), header)
