"""The YAML to merge into a DynamoGraphDeployment so its components use the claims
this chart makes (the DGD CRD, deploy/operator/config/crd/bases in
https://github.com/ai-dynamo/dynamo). The chart's NOTES print the same v1beta1 block
(templates/_helpers.tpl, dynamo-cache.snippet.v1beta1; tests hold the two equal).

Per component, what it needs:
- workers: every cache. The compilation cache as `compilationCache` (v1beta1) or
  `useAsCompilationCache` (v1alpha1), plus the variables the backend's engine reads for
  its compile / engine cache, where the operator does not set them (catalog `dynamo`).
- the frontend: the model cache only, and only when the claim can be shared
  (ReadWriteMany / ReadOnlyMany): a ReadWriteOnce claim mounted by two components on
  two nodes fails with Multi-Attach; the frontend then reads the model card from the
  workers.
A node-local cache cannot be one claim shared by pods on several nodes: it becomes a
generic ephemeral volume (one claim per pod, from the local class).
"""

from __future__ import annotations

import posixpath
from typing import Any

from . import yamltext
from .catalog import CATALOG
from .resolve import Cache, caches

APIS = ("v1beta1", "v1alpha1")
MAIN_CONTAINER = "main"  # the container the operator runs the component in; podTemplate merges by name
SHARED_MODES = {"ReadWriteMany", "ReadOnlyMany"}


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


def compile_env(backend: str, mount: str, operator_mounts: bool) -> list[dict[str, str]]:
    """The engine's compile-cache variables under `mount`, less those the operator sets."""
    info = CATALOG["dynamo"]["backends"][backend]
    if operator_mounts and info["operatorSets"]:
        return []
    return [
        {"name": e["name"], "value": e["value"] if "value" in e else posixpath.join(mount, e["path"]).rstrip("/")}
        for e in info["env"]
    ]


def mount_paths(values: dict[str, Any]) -> dict[str, str]:
    """dynamo.mountPaths, the compilation cache's "" resolved to the backend's path."""
    paths = dict(values["dynamo"]["mountPaths"])
    paths["compilation"] = (
        paths["compilation"] or CATALOG["dynamo"]["backends"][values["dynamo"]["backend"]]["mountPath"]
    )
    return paths


def worker_names(values: dict[str, Any], api: str) -> list[str]:
    if values["dynamo"]["workers"]:
        return list(values["dynamo"]["workers"])
    default = CATALOG["dynamo"]["worker"][api]
    return [default if isinstance(default, str) else default[values["dynamo"]["backend"]]]


def roles(values: dict[str, Any], release: str = "dynamo-cache") -> dict[str, dict[str, Any]]:
    """Per role ("frontend", "worker"): volumes, mounts, env, and the compilation
    cache claim the operator mounts (or None)."""
    paths = mount_paths(values)
    out: dict[str, dict[str, Any]] = {
        role: {"volumes": [], "mounts": [], "env": [], "compilation": None} for role in ("frontend", "worker")
    }
    for key, c in caches(values, release).items():
        if not c.enabled and not c.existing_claim:
            continue
        claim = c.existing_claim or c.name
        local = c.driver == "local" and not c.existing_claim
        volume = _ephemeral(c) if local else {"name": claim, "persistentVolumeClaim": {"claimName": claim}}
        mount = {"name": volume["name"], "mountPath": paths[key]}
        takers = ["worker"]
        if key == "model" and not local and SHARED_MODES & set(c.access_modes):
            takers.append("frontend")
        for role in takers:
            r = out[role]
            if key == "compilation" and not local:
                r["compilation"] = claim  # the operator mounts it
                r["env"] += compile_env(values["dynamo"]["backend"], paths[key], operator_mounts=True)
                continue
            r["volumes"].append(volume)
            r["mounts"].append(mount)
            if key == "model":
                r["env"].append({"name": "HF_HOME", "value": paths[key]})
            if key == "compilation":
                r["env"] += compile_env(values["dynamo"]["backend"], paths[key], operator_mounts=False)
    return out


def _v1beta1_component(name: str, role: dict[str, Any], paths: dict[str, str]) -> dict[str, Any]:
    component: dict[str, Any] = {"name": name}
    if role["compilation"]:
        component["compilationCache"] = {"pvcName": role["compilation"], "mountPath": paths["compilation"]}
    if role["mounts"] or role["env"]:
        container: dict[str, Any] = {"name": MAIN_CONTAINER}
        if role["env"]:
            container["env"] = role["env"]
        if role["mounts"]:
            container["volumeMounts"] = role["mounts"]
        spec: dict[str, Any] = {"containers": [container]}
        if role["volumes"]:
            spec["volumes"] = role["volumes"]
        component["podTemplate"] = {"spec": spec}
    return component


def v1beta1(values: dict[str, Any], release: str) -> dict[str, Any]:
    r, paths = roles(values, release), mount_paths(values)
    components = [_v1beta1_component(values["dynamo"]["frontend"], r["frontend"], paths)]
    components += [_v1beta1_component(name, r["worker"], paths) for name in worker_names(values, "v1beta1")]
    return {"spec": {"components": [c for c in components if len(c) > 1]}}


def _v1alpha1_service(role: dict[str, Any], paths: dict[str, str]) -> dict[str, Any]:
    claims = {v["name"] for v in role["volumes"] if "persistentVolumeClaim" in v}
    service: dict[str, Any] = {}
    mounts = [{"name": m["name"], "mountPoint": m["mountPath"]} for m in role["mounts"] if m["name"] in claims]
    if role["compilation"]:
        mounts.append({"name": role["compilation"], "mountPoint": paths["compilation"], "useAsCompilationCache": True})
    if mounts:
        service["volumeMounts"] = mounts
    if role["env"]:
        service["envs"] = role["env"]
    local = [v for v in role["volumes"] if "ephemeral" in v]
    if local:
        service["extraPodSpec"] = {
            "volumes": local,
            "mainContainer": {"volumeMounts": [m for m in role["mounts"] if m["name"] not in claims]},
        }
    return service


def v1alpha1(values: dict[str, Any], release: str) -> dict[str, Any]:
    r, paths = roles(values, release), mount_paths(values)
    claims = sorted(
        {v["name"] for role in r.values() for v in role["volumes"] if "persistentVolumeClaim" in v}
        | {role["compilation"] for role in r.values() if role["compilation"]}
    )
    services = {values["dynamo"]["frontend"]: _v1alpha1_service(r["frontend"], paths)}
    services.update({name: _v1alpha1_service(r["worker"], paths) for name in worker_names(values, "v1alpha1")})
    spec: dict[str, Any] = {"pvcs": [{"name": name, "create": False} for name in claims]}
    spec["services"] = {name: s for name, s in services.items() if s}
    return {"spec": spec}


def render(values: dict[str, Any], release: str, namespace: str | None, api: str) -> str:
    doc = v1beta1(values, release) if api == "v1beta1" else v1alpha1(values, release)
    where = f"namespace {namespace}" if namespace else "the release's namespace"
    field = "spec.components (a list matched by name)" if api == "v1beta1" else "spec.services (a map keyed by name)"
    header = [
        f"Merge into your DynamoGraphDeployment (nvidia.com/{api}, backendFramework "
        f"{values['dynamo']['backend']}): the entries of {field}",
        "are your components; rename them with --frontend / --worker (or dynamo.frontend / dynamo.workers).",
        f"The claims belong to Helm release {release} in {where}: the DGD must run there too.",
    ]
    r = roles(values, release)
    model_on_workers = any(e["name"] == "HF_HOME" for e in r["worker"]["env"])
    if model_on_workers and not r["frontend"]["mounts"]:
        header.append(
            "The frontend mounts no cache: the model cache is not ReadWriteMany, and one ReadWriteOnce claim "
            "in two components fails (Multi-Attach)."
        )
    local = [v["name"] for v in r["worker"]["volumes"] if "ephemeral" in v]
    if local:
        header += [
            f"{', '.join(local)}: node-local, so a per-pod ephemeral volume (a node-local claim cannot be",
            "shared across nodes); the chart's claim of that name serves a single pod and stays unused here.",
        ]
    return yamltext.dump(doc, {}, header)
