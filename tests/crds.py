"""Validate documents against a CustomResourceDefinition's schema as the API server
would keep them: unknown fields are errors here, since the API server prunes them
silently (a field the controller does not know would be lost without a word)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import helmtool

# Third-party files the tests read and this repository does not ship: a folder holding them
# at these relative paths (DYNAMO_CACHE_EXTERNAL; default: the folder beside the checkout).
EXTERNAL = Path(os.environ.get("DYNAMO_CACHE_EXTERNAL") or helmtool.ROOT.parent / "shared" / "external")
# relative path -> (public repository, path in it, commit the tests were written against)
SOURCES = {
    "dynamo/nvidia.com_dynamographdeployments.yaml": (
        "https://github.com/ai-dynamo/dynamo",
        "deploy/operator/config/crd/bases/nvidia.com_dynamographdeployments.yaml",
        "2a6da14c83617f5412caba5777dbf0e2399e9c5f",
    ),
    "dynamo/nvidia.com_dynamographdeploymentrequests.yaml": (
        "https://github.com/ai-dynamo/dynamo",
        "deploy/operator/config/crd/bases/nvidia.com_dynamographdeploymentrequests.yaml",
        "2a6da14c83617f5412caba5777dbf0e2399e9c5f",
    ),
    "argocd/application-crd.yaml": (
        "https://github.com/argoproj/argo-cd",
        "manifests/crds/application-crd.yaml",
        "37ee0097cf851bc2dd7665fc081bbce61a7e836e",
    ),
    "prometheus-operator/monitoring.coreos.com_prometheusrules.yaml": (
        "https://github.com/prometheus-operator/prometheus-operator",
        "example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml",
        "01fad0d64bee2ea20ff20200b86fc0f4ae2744d3",
    ),
    "flux/helm.toolkit.fluxcd.io_helmreleases.yaml": (
        "https://github.com/fluxcd/helm-controller",
        "config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml",
        "0f61a8607a62be64638f2f912d9487e653960a6e",
    ),
}


def strict(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items()}
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


def schemas(relative: str) -> dict[str, Any]:
    """version -> strict schema of the CRD at EXTERNAL/<relative>; skips, naming its public source, without it."""
    path: Path = EXTERNAL / relative
    if not path.is_file():
        repo, source, commit = SOURCES[relative]
        pytest.skip(
            f"needs {source} from {repo} at commit {commit}: save it as <folder>/{relative} and set "
            "DYNAMO_CACHE_EXTERNAL=<folder> (CONTRIBUTING.md, Third-party files)"
        )
    import yaml  # PyYAML's C loader: the CRDs are large, and ruamel.yaml's pure loader takes seconds

    crd = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return {v["name"]: strict(v["schema"]["openAPIV3Schema"]) for v in crd["spec"]["versions"]}


def validate(document: dict[str, Any], crd_schemas: dict[str, Any]) -> None:
    import jsonschema

    version = document["apiVersion"].split("/")[-1]
    jsonschema.Draft7Validator(crd_schemas[version]).validate(document)
