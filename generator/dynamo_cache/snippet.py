"""The YAML to paste into a DynamoGraphDeployment so its pods use the claims this
chart makes, at the paths Dynamo's images expect (the DynamoGraphDeployment CRD and
its examples: https://github.com/ai-dynamo/dynamo, deploy/cloud/operator).

v1beta1 (the operator's storage version): per component `compilationCache:
{pvcName, mountPath}`, and the other caches through `podTemplate`.
v1alpha1: top-level `pvcs` with `create: false`, per service `volumeMounts`
(`useAsCompilationCache: true` on the compilation cache) and `envs`.
A node-local cache cannot be one claim shared by workers on several nodes: it
becomes a generic ephemeral volume (one claim per pod, from the local class).
"""
from __future__ import annotations

from typing import Any

from . import yamltext
from .catalog import CATALOG
from .resolve import Cache, caches

APIS = ("v1beta1", "v1alpha1")
MAIN_CONTAINER = "main"  # the container the operator runs the component in; podTemplate merges by name


def _ephemeral(c: Cache) -> dict[str, Any]:
    spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": c.size}}}
    if c.storage_class not in ("", "-"):
        spec["storageClassName"] = c.storage_class
    annotations = {}
    note = CATALOG["classes"].get(c.storage_class, {}).get("acceptEphemeralAnnotation")
    if note:
        annotations[note] = "true"
    template: dict[str, Any] = {"metadata": {"annotations": annotations}} if annotations else {}
    template["spec"] = spec
    return {"name": c.name, "ephemeral": {"volumeClaimTemplate": template}}


def parts(values: dict[str, Any], release: str = "dynamo-cache") -> dict[str, Any]:
    """What every pod of the DGD needs: volumes, mounts, env, and which caches are
    shared claims (by key) or per-pod ephemeral volumes."""
    paths = values["dynamo"]["mountPaths"]
    volumes, mounts, env = [], [], []
    shared: dict[str, str] = {}  # cache key -> claim name, for caches that are one shared claim
    for key, c in caches(values, release).items():
        if not c.enabled and not c.existing_claim:
            continue
        claim = c.existing_claim or c.name
        local = c.driver == "local" and not c.existing_claim
        if local:
            volumes.append(_ephemeral(c))
        else:
            shared[key] = claim
            volumes.append({"name": claim, "persistentVolumeClaim": {"claimName": claim}})
        mounts.append({"name": c.name if local else claim, "mountPath": paths[key]})
        if key == "model":
            env.append({"name": "HF_HOME", "value": paths[key]})
        if key == "compilation" and local:
            env.append({"name": "VLLM_CACHE_ROOT", "value": paths[key]})
    return {"volumes": volumes, "mounts": mounts, "env": env, "shared": shared, "paths": paths}


def v1beta1(values: dict[str, Any], release: str) -> list[dict[str, Any]]:
    p = parts(values, release)
    component: dict[str, Any] = {}
    volumes, mounts = p["volumes"], p["mounts"]
    if "compilation" in p["shared"]:
        claim = p["shared"]["compilation"]
        component["compilationCache"] = {"pvcName": claim, "mountPath": p["paths"]["compilation"]}
        # the operator mounts it (and sets VLLM_CACHE_ROOT): not again in podTemplate
        volumes = [v for v in volumes if v["name"] != claim]
        mounts = [m for m in mounts if m["name"] != claim]
    container: dict[str, Any] = {"name": MAIN_CONTAINER}
    if p["env"]:
        container["env"] = p["env"]
    if mounts:
        container["volumeMounts"] = mounts
    component["podTemplate"] = {"spec": {"containers": [container], "volumes": volumes}}
    return [component]


def v1alpha1(values: dict[str, Any], release: str) -> list[dict[str, Any]]:
    p = parts(values, release)
    claims = set(p["shared"].values())
    top = {"pvcs": [{"name": name, "create": False} for name in sorted(claims)]}
    service: dict[str, Any] = {"volumeMounts": []}
    for mount in p["mounts"]:
        if mount["name"] not in claims:
            continue
        entry = {"name": mount["name"], "mountPoint": mount["mountPath"]}
        if mount["name"] == p["shared"].get("compilation"):
            entry["useAsCompilationCache"] = True
        service["volumeMounts"].append(entry)
    if p["env"]:
        service["envs"] = p["env"]
    local = [v for v in p["volumes"] if "ephemeral" in v]
    if local:
        service["extraPodSpec"] = {
            "volumes": local,
            "mainContainer": {"volumeMounts": [m for m in p["mounts"] if m["name"] not in claims]},
        }
    return [top, service]


WHERE = {
    "v1beta1": ["DynamoGraphDeployment nvidia.com/v1beta1: paste under every component that loads the model",
                "(spec.components.<name>: the frontend and each worker)."],
    "v1alpha1": ["DynamoGraphDeployment nvidia.com/v1alpha1, document 1: paste under spec (the claims already exist,",
                 "so create: false). Document 2: paste under every service that loads the model (spec.services.<name>)."],
}


def render(values: dict[str, Any], release: str, namespace: str | None, api: str) -> str:
    docs = v1beta1(values, release) if api == "v1beta1" else v1alpha1(values, release)
    where = f"namespace {namespace}" if namespace else "the release's namespace"
    header = WHERE[api] + [f"The claims belong to Helm release {release} in {where}: the DGD must run there too."]
    local = [v["name"] for v in parts(values, release)["volumes"] if "ephemeral" in v]
    if local:
        header += [f"{', '.join(local)}: node-local, so a per-pod ephemeral volume (a node-local claim cannot be",
                   "shared across nodes); the chart's claim of that name serves a single pod and stays unused here."]
    texts = [yamltext.dump(doc, {}, header if i == 0 else []) for i, doc in enumerate(docs)]
    return "---\n".join(texts)
