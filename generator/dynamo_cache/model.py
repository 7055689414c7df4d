"""The values model: the chart's values.schema.json, the spec schema, the chart's
default values.yaml and gen-values' output all derive from the schema built here
(descriptions included), with enums and limits from the catalog."""
from __future__ import annotations

import copy
from typing import Any

from . import quantity
from .catalog import ACCESS_MODES, CACHE_KEYS, CATALOG, VOLUME_MODES

DNS1123_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _nullable(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "oneOf": [{"type": "null"}, schema]}


def _string_map(description: str) -> dict[str, Any]:
    return {"type": "object", "description": description, "additionalProperties": {"type": "string"}}


def cache_schema(key: str) -> dict[str, Any]:
    meta = CATALOG["caches"][key]
    return {
        "type": "object",
        "description": f"The {meta['title']} claim (`{meta['name']}` by default). null values come from the tier's preset.",
        "additionalProperties": False,
        "properties": {
            "enabled": {"type": "boolean", "description": f"Create the {meta['title']}."},
            "name": {"type": "string", "maxLength": 253, "pattern": DNS1123_SUBDOMAIN,
                     "description": f"Claim name (Dynamo recipes reference `{meta['name']}`)."},
            "size": _nullable({"type": "string", "pattern": quantity.PATTERN},
                              "Requested size, a Kubernetes quantity such as 100Gi; null = preset."),
            "accessModes": _nullable(
                {"type": "array", "minItems": 1, "uniqueItems": True,
                 "items": {"type": "string", "enum": ACCESS_MODES}},
                "Access modes; null = preset."),
            "volumeMode": {"type": "string", "enum": VOLUME_MODES, "description": "Filesystem or Block."},
            "storageClass": _nullable(
                {"type": "string", "maxLength": 253, "pattern": r"^(|-|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$"},
                'null = preset; "" = omit storageClassName (cluster default); "-" = storageClassName ""; else the class name.'),
            "annotations": _string_map("Extra annotations on the claim."),
            "labels": _string_map("Extra labels on the claim."),
            "existingClaim": {"type": "string", "maxLength": 253, "pattern": r"^(|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$",
                              "description": "Use this existing claim; no claim is rendered for this cache."},
            "keep": _nullable({"type": "boolean"},
                              "Keep the claim on `helm uninstall` (helm.sh/resource-policy: keep); null = preset."),
        },
    }


def _lustre_schema() -> dict[str, Any]:
    lustre = CATALOG["lustre"]
    optional = {name: {"type": "string", "description": f"Driver parameter `{name}`."}
                for name in lustre["optionalParameters"]}
    return {
        "type": "object",
        "description": "Azure Managed Lustre (tier lustre).",
        "additionalProperties": False,
        "properties": {"storageClass": {
            "type": "object",
            "description": "The dynamic Lustre StorageClass.",
            "additionalProperties": False,
            "properties": {
                "create": {"type": "boolean", "description": "Create the class when a cache uses it; false = use the existing class named by `name`."},
                "name": {"type": "string", "maxLength": 253, "pattern": r"^(|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$",
                         "description": "Class name; empty = <fullname>-lustre, derived from the release so releases never collide."},
                "skuName": {"type": "string", "enum": list(lustre["skus"]),
                            "description": "AMLFS SKU: throughput per TiB and size increment."},
                "zone": {"type": "string", "pattern": r"^[1-9]$", "description": "Availability zone of the filesystem."},
                "maintenanceDayOfWeek": {"type": "string", "enum": lustre["days"], "description": "Maintenance window day."},
                "maintenanceTimeOfDayUtc": {"type": "string", "pattern": HHMM, "description": "Maintenance window start, HH:MM UTC."},
                "reclaimPolicy": {"type": "string", "enum": ["Retain", "Delete"],
                                  "description": "Retain keeps the filesystem when its claim is deleted."},
                "mountOptions": {"type": "array", "items": {"type": "string"}, "description": "Mount options."},
                "parameters": {"type": "object", "additionalProperties": False, "properties": optional,
                               "description": "Optional driver parameters; the driver rejects any other key."},
            },
        }},
    }


def _class_rules() -> list[dict[str, Any]]:
    """draft-07 if/then per cache for classes whose driver is known from the catalog."""
    rules = []
    by_driver: dict[str, list[str]] = {}
    for name, info in sorted(CATALOG["classes"].items()):
        by_driver.setdefault(info["driver"], []).append(name)
    for driver_name, classes in sorted(by_driver.items()):
        driver = CATALOG["drivers"][driver_name]
        then: dict[str, Any] = {"properties": {}}
        if not driver["blockAllowed"]:
            then["properties"]["volumeMode"] = {"enum": ["Filesystem"]}
        if set(driver["accessModes"]) != set(ACCESS_MODES):
            then["properties"]["accessModes"] = {"oneOf": [
                {"type": "null"}, {"type": "array", "items": {"enum": driver["accessModes"]}}]}
        if not then["properties"]:
            continue
        # Only for a claim the chart renders (enabled, no existingClaim).
        rules.append({"if": {"required": ["storageClass"], "properties": {
                          "storageClass": {"enum": classes}, "enabled": {"const": True},
                          "existingClaim": {"const": ""}}},
                      "then": then})
    return rules


def values_schema() -> dict[str, Any]:
    caches = {}
    for key in CACHE_KEYS:
        schema = cache_schema(key)
        schema["allOf"] = _class_rules()
        caches[key] = schema
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "dynamo-cache chart values",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "tier": {"type": "string", "enum": list(CATALOG["tiers"]),
                     "description": "Storage preset for all three caches (README, Presets)."},
            "nameOverride": {"type": "string", "maxLength": 63, "description": "Replaces the chart name in labels and object names."},
            "fullnameOverride": {"type": "string", "maxLength": 63, "description": "Replaces the release-derived prefix of cluster-scoped objects."},
            "commonLabels": _string_map("Labels added to every object the chart creates."),
            "caches": {"type": "object", "additionalProperties": False, "properties": caches,
                       "description": "The three Dynamo caches."},
            "lustre": _lustre_schema(),
            "global": {"type": "object", "description": "Helm global values (unused by this chart)."},
        },
    }


def spec_schema() -> dict[str, Any]:
    """The high-level spec: any values file, plus facts about where it will go."""
    schema = copy.deepcopy(values_schema())
    for cache in schema["properties"]["caches"]["properties"].values():
        del cache["allOf"]  # rules.py says the same with the reason and the fix
    schema["$id"] = "https://dynamo-cache.example/schemas/dynamo-cache-spec.schema.json"
    schema["title"] = "dynamo-cache spec (gen-values input)"
    schema["properties"].update({
        "release": {"type": "string", "maxLength": 53, "pattern": DNS1123_LABEL,
                    "description": "Helm release name (Helm allows 53 characters)."},
        "namespace": {"type": "string", "maxLength": 63, "pattern": DNS1123_LABEL,
                      "description": "Namespace of the claims (the DynamoGraphDeployment's namespace)."},
        "modelSize": {"type": "string", "maxLength": 32,
                      "description": "Size of the model's files, e.g. 140GB or 65Gi: checks the model cache is large enough."},
        "existingStorageClasses": {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
                                   "description": "Classes that exist in your cluster besides AKS built-ins (silences the unknown-class warning)."},
    })
    return schema


def defaults() -> dict[str, Any]:
    """The chart's default values: preset-driven (null) caches, tier = catalog default."""
    lustre = CATALOG["lustre"]
    return {
        "tier": CATALOG["defaultTier"],
        "nameOverride": "",
        "fullnameOverride": "",
        "commonLabels": {},
        "caches": {key: {
            "enabled": True, "name": meta["name"], "size": None, "accessModes": None,
            "volumeMode": "Filesystem", "storageClass": None, "annotations": {}, "labels": {},
            "existingClaim": "", "keep": None,
        } for key, meta in CATALOG["caches"].items()},
        "lustre": {"storageClass": {
            "create": True, "name": "", "skuName": lustre["defaultSku"], "zone": "1",
            "maintenanceDayOfWeek": "Sunday", "maintenanceTimeOfDayUtc": "02:00",
            "reclaimPolicy": "Retain", "mountOptions": list(lustre["mountOptions"]), "parameters": {},
        }},
    }

