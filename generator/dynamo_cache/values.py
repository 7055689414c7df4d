"""From a validated spec to complete chart values, with every preset value
spelled out, and the commented YAML text gen-values prints."""

from __future__ import annotations

import json
from typing import Any

from . import __version__, model, yamltext
from .catalog import CATALOG
from .resolve import SPEC_ONLY_KEYS, caches, values_of


def build(spec: dict[str, Any], prune: bool = True) -> dict[str, Any]:
    """Chart values for `spec`: the preset resolved into explicit per-cache values.

    Chart-made classes and static volumes stay `storageClass: null`: their names
    derive from the release at install time.
    """
    values = values_of(spec)
    values["variant"] = values["variant"] or CATALOG["tiers"][values["tier"]]["defaultVariant"]
    release, namespace = spec.get("release", "dynamo-cache"), spec.get("namespace") or "default"
    for key, c in caches(values, release, namespace).items():
        v = values["caches"][key]
        v["size"] = c.size
        v["accessModes"] = c.access_modes
        v["keep"] = c.keep
        if not (c.chart_class or c.static) or v["storageClass"] is not None:
            v["storageClass"] = c.storage_class
    if not prune:
        return values
    # Only the classes and volumes this release uses: the chart's defaults cover the rest.
    resolved = caches(values, release, namespace).values()
    # A static volume takes its mount options from a profile too (catalog staticVolumes.mountOptionsFrom).
    used = {c.chart_class for c in resolved if c.rendered and c.chart_class}
    used |= {_mount_options_profile(c.static, values) for c in resolved if c.rendered and c.static}
    values["storageClasses"] = {k: v for k, v in values["storageClasses"].items() if k in used}
    values["staticVolumes"] = {
        k: v for k, v in values["staticVolumes"].items() if any(c.rendered and c.static == k for c in resolved)
    }
    if not values["modelDownload"]["enabled"]:
        del values["modelDownload"]
    return values


def _mount_options_profile(kind: str, values: dict[str, Any]) -> str:
    sources = CATALOG["staticVolumes"][kind]["mountOptionsFrom"]
    return str(sources.get(values["staticVolumes"][kind].get("protocol", ""), sources.get("any", "")))


def render(spec: dict[str, Any], source: str) -> str:
    values = build(spec)
    tier, variant = values["tier"], values["variant"]
    header = [
        f"Helm values for the dynamo-cache chart, written by gen-values {__version__} (tier {tier}, variant "
        f"{variant}; input: {source}).",
        f"Tier {tier}: {CATALOG['tiers'][tier]['summary']}",
        f"Variant {variant}: {CATALOG['tiers'][tier]['variants'][variant]['summary']}",
        "Install: helm upgrade --install "
        f"{spec.get('release', 'dynamo-cache')} charts/dynamo-cache"
        + (f" -n {spec['namespace']}" if spec.get("namespace") else "")
        + " -f THIS_FILE",
    ]
    for key in SPEC_ONLY_KEYS:
        if key in spec:
            header.append(f"spec {key}: {json.dumps(spec[key])}")  # read back by loader.spec_comments
    header.append("")
    return yamltext.dump(values, model.values_schema(), header)
