"""The values model: the chart's values.schema.json, the spec schema, the chart's
default values.yaml and gen-values' output all derive from the schema built here
(descriptions included), with enums and limits from the catalog."""

from __future__ import annotations

import copy
from typing import Any

from . import quantity
from .catalog import ACCESS_MODES, CACHE_KEYS, CATALOG, CHART_CLASSES, VARIANTS, VOLUME_MODES

DNS1123_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
CLASS_NAME = r"^(|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$"
CLASS_VALUE = r"^(|-|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$"
OPTIONAL_LABEL = r"^(|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$"
IPV4 = r"^(|((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9]))$"
ABSOLUTE_PATH = r"^/[^,\s]*$"
OPTIONAL_ABSOLUTE_PATH = r"^(|/[^,\s]*)$"
MODEL_ID = r"^[A-Za-z0-9][-A-Za-z0-9_.]*/[A-Za-z0-9][-A-Za-z0-9_.]*$"
COMMIT_SHA = r"^[0-9a-f]{40}$"
GUID = r"^(|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
COMPONENT_NAME = r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
LUSTRE_SUBDIR = r"^[^\s,]*[^/\s,][^\s,]*$"  # not empty, not only '/': the node plugin refuses the root
SCOPES = ["release", "cluster", "namespace"]


def _nullable(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "oneOf": [{"type": "null"}, schema]}


def _string_map(description: str) -> dict[str, Any]:
    return {"type": "object", "description": description, "additionalProperties": {"type": "string"}}


def cache_schema(key: str) -> dict[str, Any]:
    meta = CATALOG["caches"][key]
    return {
        "type": "object",
        "description": f"The {meta['title']} claim (`{meta['name']}` by default). null values come from the "
        f"tier's preset.",
        "additionalProperties": False,
        "properties": {
            "enabled": {"type": "boolean", "description": f"Create the {meta['title']}."},
            "name": {
                "type": "string",
                "maxLength": 253,
                "pattern": DNS1123_SUBDOMAIN,
                "description": f"Claim name (Dynamo recipes reference `{meta['name']}`).",
            },
            "size": _nullable(
                {"type": "string", "pattern": quantity.PATTERN},
                "Requested size, a Kubernetes quantity such as 100Gi; null = preset.",
            ),
            "accessModes": _nullable(
                {
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {"type": "string", "enum": ACCESS_MODES},
                },
                "Access modes; null = preset.",
            ),
            "volumeMode": {"type": "string", "enum": VOLUME_MODES, "description": "Filesystem or Block."},
            "storageClass": _nullable(
                {"type": "string", "maxLength": 253, "pattern": CLASS_VALUE},
                'null = preset; "" = omit storageClassName (cluster default); "-" = storageClassName ""; '
                "else the class name.",
            ),
            "annotations": _string_map("Extra annotations on the claim."),
            "labels": _string_map("Extra labels on the claim."),
            "existingClaim": {
                "type": "string",
                "maxLength": 253,
                "pattern": CLASS_NAME,
                "description": "Use this existing claim; no claim is rendered for this cache.",
            },
            "keep": _nullable(
                {"type": "boolean"},
                "Keep the claim on `helm uninstall` (helm.sh/resource-policy: keep); null = preset.",
            ),
        },
    }


TAGS = "^[^=,]+=[^=,]*(,[^=,]+=[^=,]*)*$"
HHMM = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
DNS_HINT = "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (DNS-1123)"
# What each pattern means, for error hints (schema_check).
PATTERN_HINTS = {
    quantity.PATTERN: "a Kubernetes quantity with its unit, such as 100Gi, 1.5Ti or 500G (a bare number would "
    "be bytes)",
    quantity.MODEL_SIZE: "a size with its unit, such as 140GB, 65Gi or 1.5TB",
    HHMM: "HH:MM in UTC, such as 02:00",
    "^(|[1-3])$": "an availability zone, 1, 2 or 3; empty in a region without zones",
    LUSTRE_SUBDIR: "a sub-directory such as models: not empty or '/' (the Lustre node plugin refuses the root)",
    "^(|" + LUSTRE_SUBDIR[1:-1] + ")$": "a sub-directory such as models, or empty for the root; not '/'",
    r"^(|/subscriptions/[^\s]+)$": "an Azure resource ID, /subscriptions/...",
    IPV4: "an IPv4 address such as 10.0.0.4 (the filesystem's MGS IP address in the Azure portal)",
    GUID: "a client ID such as 00000000-0000-0000-0000-000000000000",
    TAGS: "key=value pairs separated by commas, such as team=ml,env=prod",
    r"^[1-9][0-9]*$": "a positive whole number, as a string",
    r"^0?[0-7]{3,4}$": "an octal mode such as 0777",
    r"^(|[a-z0-9]{3,24})$": "3 to 24 lowercase letters or digits",
    r"^(|[a-z0-9][a-z0-9-]{1,61}[a-z0-9])$": "3 to 63 lowercase letters, digits and '-'",
    r"^/[^ ,]*$": "an absolute path without spaces or commas",
    r"^[^\s,]*$": "a path without spaces or commas",
    COMPONENT_NAME: "a component name as in your DynamoGraphDeployment, such as Frontend or decode",
    DNS1123_SUBDOMAIN: DNS_HINT,
    DNS1123_LABEL: DNS_HINT.replace(" and '.'", "") + ", at most 63 characters",
    CLASS_NAME: DNS_HINT,
    CLASS_VALUE: DNS_HINT + '; or "" / "-"',
    ABSOLUTE_PATH: "an absolute path without spaces or commas, such as /model-cache",
    OPTIONAL_ABSOLUTE_PATH: "an absolute path without spaces or commas, or empty for the backend's default",
    r"^(|" + MODEL_ID[1:-1] + r")$": "a Hugging Face model id, org/name, such as Qwen/Qwen3-0.6B",
    r"^[^\s]*$": "no spaces",
    r"^(|sha256:[0-9a-f]{64})$": "sha256: and 64 hex digits",
    r"^[A-Za-z0-9][-A-Za-z0-9_.\[\],]*==[^\s=]+$": "a pinned requirement, such as huggingface_hub==1.33.0",
    r"^[-._a-zA-Z0-9]+$": "letters, digits, '-', '_' and '.'",
    OPTIONAL_LABEL: DNS_HINT.replace(" and '.'", ""),
}


def _parameter_schema(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "description": f"Driver parameter `{name}`."}
    if "enum" in spec:
        schema["enum"] = spec["enum"]
    if "pattern" in spec:
        schema["pattern"] = spec["pattern"]
    if "range" in spec:
        schema["pattern"] = r"^[1-9][0-9]*$"
        schema["description"] += f" An integer from {spec['range'][0]} to {spec['range'][1]}."
    return schema


def _chart_class_schema(profile_name: str) -> dict[str, Any]:
    profile = CATALOG["chartClasses"][profile_name]
    params = profile["parameters"]
    properties: dict[str, Any] = {
        "create": {
            "type": "boolean",
            "description": "Create the class when a cache uses it; false = use the existing class named by `name`.",
        },
        "name": {
            "type": "string",
            "maxLength": 253,
            "pattern": CLASS_NAME,
            "description": f"Class name; empty = <fullname>-<namespace>-{profile['nameSuffix']}, unique per "
            f"release and namespace. With scope namespace: the class the platform team made (required).",
        },
        "reclaimPolicy": {
            "type": "string",
            "enum": ["Retain", "Delete"],
            "description": "Retain keeps the Azure storage when its claim is deleted.",
        },
        "mountOptions": {"type": "array", "items": {"type": "string", "minLength": 1}, "description": "Mount options."},
        "parameters": {
            "type": "object",
            "additionalProperties": False,
            "required": [k for k, v in params.items() if v.get("required")],
            "properties": {k: _parameter_schema(k, v) for k, v in params.items()},
            "description": f"Driver parameters; only these keys are accepted ({profile['source']}).",
        },
    }
    if "blockCache" in profile:
        properties["blockCache"] = {
            "type": "object",
            "additionalProperties": False,
            "description": "blobfuse2 block cache bounds (without them it takes up to 80% of free RAM).",
            "properties": {
                "poolSizeMB": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Memory for cached blocks, MB (--block-cache-pool-size); at least max(11, 2 "
                    "x maxNodeVCPUs) x blockSizeMB, or blobfuse2 refuses to mount.",
                },
                "blockSizeMB": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1024,
                    "description": "Block size, MB (--block-cache-block-size).",
                },
                "maxNodeVCPUs": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Most vCPUs of a node that mounts the volume: blobfuse2 prefetches 2 blocks "
                    "per vCPU.",
                },
                "diskSizeMB": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Disk for cached blocks, MB (--block-cache-disk-size); 0 = memory only. "
                    "Static PersistentVolumes only (each gets its own directory).",
                },
                "path": {
                    "type": "string",
                    "pattern": "^/[^ ,]*$",
                    "description": "Parent of the per-volume disk cache directories on the node "
                    "(--block-cache-path=<path>/<pv name>).",
                },
            },
        }
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "description": f"{profile['title']} ({profile['driver']} driver).",
    }


def _static_schema() -> dict[str, Any]:
    name = {
        "type": "string",
        "maxLength": 253,
        "pattern": CLASS_NAME,
        "description": "PersistentVolume name; empty = <fullname>-<namespace>-<claim name>. With scope "
        "namespace: the volume the platform team made (required).",
    }
    claim_namespace = {
        "type": "string",
        "maxLength": 63,
        "pattern": OPTIONAL_LABEL,
        "description": "Namespace of the claim the volume is reserved for (claimRef); empty = the release "
        "namespace. Set it with scope cluster.",
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "Existing storage bound to a claim by a PersistentVolume the chart creates (variants `static`).",
        "properties": {
            "lustre": {
                "type": "object",
                "additionalProperties": False,
                "description": "An existing Azure Managed Lustre filesystem (tier lustre, variant static).",
                "properties": {
                    "name": name,
                    "claimNamespace": claim_namespace,
                    "mgsIpAddress": {
                        "type": "string",
                        "pattern": IPV4,
                        "description": "MGS IP address of the filesystem (required).",
                    },
                    "subDir": {
                        "type": "string",
                        "pattern": "^(|" + LUSTRE_SUBDIR[1:-1] + ")$",
                        "description": "Sub-directory to mount, such as models; empty = the root.",
                    },
                },
            },
            "blob": {
                "type": "object",
                "additionalProperties": False,
                "description": "An existing Blob container (tier blob, variant static). Credentials by reference only.",
                "properties": {
                    "name": name,
                    "claimNamespace": claim_namespace,
                    "resourceGroup": {
                        "type": "string",
                        "maxLength": 90,
                        "description": "Resource group of the account; empty = the cluster's node resource group.",
                    },
                    "storageAccount": {
                        "type": "string",
                        "pattern": r"^(|[a-z0-9]{3,24})$",
                        "description": "Storage account name (required).",
                    },
                    "containerName": {
                        "type": "string",
                        "pattern": r"^(|[a-z0-9][a-z0-9-]{1,61}[a-z0-9])$",
                        "description": "Container name (required).",
                    },
                    "protocol": {
                        "type": "string",
                        "enum": ["fuse2", "fuse", "nfs"],
                        "description": "blobfuse2, blobfuse v1, or NFSv3 (needs an NFS-enabled account).",
                    },
                    "secretName": {
                        "type": "string",
                        "pattern": CLASS_NAME,
                        "description": "Secret holding azurestorageaccountname/azurestorageaccountkey (never "
                        "the key itself in values).",
                    },
                    "secretNamespace": {
                        "type": "string",
                        "pattern": OPTIONAL_LABEL,
                        "description": "Namespace of that Secret; empty = the release namespace.",
                    },
                    "clientID": {
                        "type": "string",
                        "pattern": GUID,
                        "description": "Client ID of a managed identity with access to the account (instead of "
                        "a Secret).",
                    },
                },
            },
        },
    }


def _object(description: str) -> dict[str, Any]:
    return {"type": "object", "description": description}


def _dynamo_schema() -> dict[str, Any]:
    paths = {
        key: {
            "type": "string",
            "pattern": ABSOLUTE_PATH,
            "description": f"Where Dynamo's pods mount the {CATALOG['caches'][key]['title']}.",
        }
        for key in CACHE_KEYS
    }
    paths["compilation"] = {
        "type": "string",
        "pattern": OPTIONAL_ABSOLUTE_PATH,
        "description": "Where Dynamo's workers mount the compilation cache; empty = the backend's "
        "(/home/dynamo/.cache/vllm, .../sglang, .../trtllm).",
    }
    component = {"type": "string", "maxLength": 63, "pattern": COMPONENT_NAME}
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "How Dynamo's pods use the caches (NOTES, `gen-values snippet`, the download Job).",
        "properties": {
            "backend": {
                "type": "string",
                "enum": list(CATALOG["dynamo"]["backends"]),
                "description": "The DGD's backendFramework: decides the compile-cache variables the snippet sets.",
            },
            "frontend": {**component, "description": "Name of the frontend component in your DynamoGraphDeployment."},
            "workers": {
                "type": "array",
                "uniqueItems": True,
                "items": component,
                "description": "Names of the worker components; [] = the name Dynamo's examples use (decode).",
            },
            "mountPaths": {
                "type": "object",
                "additionalProperties": False,
                "properties": paths,
                "description": "Mount paths (HF_HOME = the model cache's); /model-cache as in Dynamo's recipes.",
            },
        },
    }


def _tests_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "`helm test`: a Job per cache that writes, fsyncs, reads back and deletes a file, and "
        "prints MB/s.",
        "properties": {
            "sizeMB": {
                "type": "integer",
                "minimum": 1,
                "maximum": 1048576,
                "description": "Size of the test file, MB.",
            },
            "minReadMBps": {
                "type": "integer",
                "minimum": 0,
                "description": "Fail when a cache reads slower; 0 = report only.",
            },
            "parallel": {
                "type": "integer",
                "minimum": 1,
                "maximum": 64,
                "description": "Readers at once on a ReadWriteMany cache, to show shared throughput.",
            },
        },
    }


def _download_schema() -> dict[str, Any]:
    patterns = {"type": "array", "items": {"type": "string", "minLength": 1}}
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "A Job that downloads the model into the model cache (off by default).",
        "properties": {
            "enabled": {"type": "boolean", "description": "Render the download Job."},
            "model": {
                "type": "string",
                "pattern": r"^(|" + MODEL_ID[1:-1] + r")$",
                "description": "Hugging Face model id, org/name (required when enabled).",
            },
            "revision": {
                "type": "string",
                "maxLength": 255,
                "pattern": r"^[^\s]*$",
                "description": "A commit SHA (40 hex): a branch such as main lets the cache change under "
                "running workers.",
            },
            "requireCommit": {
                "type": "boolean",
                "description": "Fail the render when revision is not a commit SHA (else a loud warning).",
            },
            "include": {**patterns, "description": "Only files matching these patterns (hf download --include)."},
            "exclude": {**patterns, "description": "Skip files matching these patterns (hf download --exclude)."},
            "tokenSecret": {
                "type": "object",
                "additionalProperties": False,
                "description": "Secret holding the Hugging Face token, mounted as a file; empty name = public model.",
                "properties": {
                    "name": {"type": "string", "pattern": CLASS_NAME, "description": "Secret name."},
                    "key": {"type": "string", "pattern": r"^[-._a-zA-Z0-9]+$", "description": "Key in the Secret."},
                },
            },
            "image": {
                "type": "object",
                "additionalProperties": False,
                "description": "Container image with Python 3.",
                "properties": {
                    "repository": {"type": "string", "minLength": 1, "description": "Image repository."},
                    "tag": {"type": "string", "minLength": 1, "description": "Image tag (never latest)."},
                    "digest": {
                        "type": "string",
                        "pattern": r"^(|sha256:[0-9a-f]{64})$",
                        "description": "sha256:... pins the exact image (recommended).",
                    },
                    "pullPolicy": {
                        "type": "string",
                        "enum": ["IfNotPresent", "Always", "Never"],
                        "description": "Image pull policy.",
                    },
                },
            },
            "pipPackages": {
                "type": "array",
                "items": {"type": "string", "pattern": r"^[A-Za-z0-9][-A-Za-z0-9_.\[\],]*==[^\s=]+$"},
                "description": "pip requirements, each pinned with ==, installed into /tmp at start.",
            },
            "networkPolicy": {
                "type": "boolean",
                "description": "Limit the download pod to DNS and HTTPS egress, no ingress.",
            },
            "lustreStripe": {
                "type": "boolean",
                "description": "Stripe the target directories over all OSTs when the model cache is on Lustre.",
            },
            "fsGroup": {
                "type": "integer",
                "minimum": 0,
                "description": "Pod fsGroup: the group that may write the volume (Dynamo images use gid 0).",
            },
            "resources": _object("Container resources."),
            "nodeSelector": _string_map("Node selector."),
            "tolerations": {"type": "array", "items": {"type": "object"}, "description": "Tolerations."},
            "affinity": _object("Affinity."),
            "backoffLimit": {
                "type": "integer",
                "minimum": 0,
                "description": "Retries after a transient failure (network, 5xx); each keeps the files earlier "
                "attempts finished. Errors no retry can fix fail the Job at once.",
            },
            "ttlSecondsAfterFinished": {
                "type": "integer",
                "minimum": 0,
                "description": "Delete the finished Job after this long (a later upgrade recreates it: a no-op run).",
            },
            "tmpSizeLimit": {
                "type": "string",
                "pattern": quantity.PATTERN,
                "description": "Size of the writable /tmp (pip packages, caches).",
            },
        },
    }


def values_schema() -> dict[str, Any]:
    # Types, enums, patterns and ranges only: rules across fields (access modes per driver,
    # Block mode, ...) live in rules.py and templates/_validate.tpl, which name the path and the fix.
    caches = {key: cache_schema(key) for key in CACHE_KEYS}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "dynamo-cache chart values",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "tier": {
                "type": "string",
                "enum": list(CATALOG["tiers"]),
                "description": "Storage preset for all three caches (README, Presets).",
            },
            "variant": {
                "type": "string",
                "enum": ["", *VARIANTS],
                "description": "Variant of the tier (README, Presets); empty = the tier's default.",
            },
            "scope": {
                "type": "string",
                "enum": SCOPES,
                "description": "Which objects this release owns (README, Shared clusters): release = all it needs; "
                "cluster = only StorageClasses and static PersistentVolumes (platform team); "
                "namespace = only objects in its namespace, no cluster-scoped reads (namespace teams).",
            },
            "nameOverride": {
                "type": "string",
                "maxLength": 63,
                "description": "Replaces the chart name in labels and object names.",
            },
            "fullnameOverride": {
                "type": "string",
                "maxLength": 63,
                "description": "Replaces the prefix of cluster-scoped objects (by default "
                "<fullname>-<namespace>, unique per release and namespace).",
            },
            "commonLabels": _string_map("Labels added to every object the chart creates."),
            "caches": {
                "type": "object",
                "additionalProperties": False,
                "properties": caches,
                "description": "The three Dynamo caches.",
            },
            "storageClasses": {
                "type": "object",
                "additionalProperties": False,
                "description": "StorageClasses the chart creates when a cache's preset uses them.",
                "properties": {k: _chart_class_schema(k) for k in CHART_CLASSES},
            },
            "staticVolumes": _static_schema(),
            "dynamo": _dynamo_schema(),
            "modelDownload": _download_schema(),
            "preflight": {
                "type": "object",
                "additionalProperties": False,
                "description": "Checks at install and upgrade that the cluster has what the release needs "
                "(README, Before and after you install).",
                "properties": {
                    "enabled": {
                        "type": "boolean",
                        "description": "Fail before creating anything when a CSI driver or a named StorageClass "
                        "is missing "
                        "(skipped offline and with scope namespace).",
                    }
                },
            },
            "tests": _tests_schema(),
            "gitops": {
                "type": "object",
                "additionalProperties": False,
                "description": "Protections for tools that apply the chart without Helm's keep policy (README, "
                "GitOps).",
                "properties": {
                    "argocdKeep": {
                        "type": "boolean",
                        "description": "Kept claims and their static volumes carry argocd.argoproj.io/sync-options "
                        "Prune=false,Delete=false, so Argo CD keeps them wherever Helm would.",
                    }
                },
            },
            "global": {"type": "object", "description": "Helm global values (unused by this chart)."},
        },
    }


def spec_schema() -> dict[str, Any]:
    """The high-level spec: any values file, plus facts about where it will go."""
    schema = copy.deepcopy(values_schema())
    for profile in schema["properties"]["storageClasses"]["properties"].values():
        del profile["properties"]["parameters"]["required"]  # a spec is partial: the chart's defaults fill it
    schema["$id"] = "https://dynamo-cache.example/schemas/dynamo-cache-spec.schema.json"
    schema["title"] = "dynamo-cache spec (gen-values input)"
    schema["properties"].update(
        {
            "release": {
                "type": "string",
                "maxLength": 53,
                "pattern": DNS1123_LABEL,
                "description": "Helm release name (Helm allows 53 characters).",
            },
            "namespace": {
                "type": "string",
                "maxLength": 63,
                "pattern": DNS1123_LABEL,
                "description": "Namespace of the claims (the DynamoGraphDeployment's namespace).",
            },
            "modelSize": {
                "type": "string",
                "maxLength": 32,
                "pattern": quantity.MODEL_SIZE,
                "description": "Size of the model's files, e.g. 140GB or 65Gi: checks the model cache is large enough.",
            },
            "existingStorageClasses": {
                "type": "array",
                "items": {"type": "string"},
                "uniqueItems": True,
                "description": "Classes that exist in your cluster besides AKS built-ins (silences the "
                "unknown-class warning).",
            },
        }
    )
    return schema


def _chart_class_defaults(name: str) -> dict[str, Any]:
    profile = CATALOG["chartClasses"][name]
    out = {
        "create": True,
        "name": "",
        "reclaimPolicy": profile["reclaimPolicy"],
        "mountOptions": list(profile["mountOptions"]),
        "parameters": {k: v["default"] for k, v in profile["parameters"].items() if "default" in v},
    }
    if "blockCache" in profile:
        out["blockCache"] = dict(profile["blockCache"])
    return out


def defaults() -> dict[str, Any]:
    """The chart's default values: preset-driven (null) caches, tier = catalog default."""
    return {
        "tier": CATALOG["defaultTier"],
        "variant": "",
        "scope": "release",
        "nameOverride": "",
        "fullnameOverride": "",
        "commonLabels": {},
        "caches": {
            key: {
                "enabled": True,
                "name": meta["name"],
                "size": None,
                "accessModes": None,
                "volumeMode": "Filesystem",
                "storageClass": None,
                "annotations": {},
                "labels": {},
                "existingClaim": "",
                "keep": None,
            }
            for key, meta in CATALOG["caches"].items()
        },
        "storageClasses": {name: _chart_class_defaults(name) for name in CHART_CLASSES},
        "staticVolumes": {
            "lustre": {"name": "", "claimNamespace": "", "mgsIpAddress": "", "subDir": ""},
            "blob": {
                "name": "",
                "claimNamespace": "",
                "resourceGroup": "",
                "storageAccount": "",
                "containerName": "",
                "protocol": "fuse2",
                "secretName": "",
                "secretNamespace": "",
                "clientID": "",
            },
        },
        # The model cache where Dynamo's recipes mount it (HF_HOME=/model-cache), so their deploy.yaml and
        # this chart's snippet mix; the compilation cache "" = the backend's path (catalog dynamo.backends).
        "dynamo": {
            "backend": "vllm",
            "frontend": CATALOG["dynamo"]["frontend"],
            "workers": [],
            "mountPaths": {"model": "/model-cache", "compilation": "", "perf": "/perf-cache"},
        },
        "preflight": {"enabled": True},
        "tests": {"sizeMB": 1024, "minReadMBps": 0, "parallel": 1},
        "gitops": {"argocdKeep": True},
        "modelDownload": {
            "enabled": False,
            "model": "",
            "revision": "",
            "requireCommit": False,
            "include": [],
            "exclude": [],
            "tokenSecret": {"name": "", "key": "HF_TOKEN"},  # the recipes' hf-token-secret uses key HF_TOKEN
            "image": {"repository": "python", "tag": "3.12-slim", "digest": "", "pullPolicy": "IfNotPresent"},
            # huggingface_hub 1.x: HF_XET_HIGH_PERFORMANCE is its fast path (dynamo.md).
            "pipPackages": ["huggingface_hub==1.33.0"],
            "lustreStripe": True,
            "networkPolicy": True,
            "fsGroup": 0,
            "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "4", "memory": "8Gi"}},
            "nodeSelector": {},
            "tolerations": [],
            "affinity": {},
            "backoffLimit": 3,
            "ttlSecondsAfterFinished": 86400,
            "tmpSizeLimit": "2Gi",
        },
    }
