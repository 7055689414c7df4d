"""Validate documents against a CustomResourceDefinition's schema as the API server
would keep them: unknown fields are errors here, since the API server prunes them
silently (a field the controller does not know would be lost without a word)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import helmtool

EXTERNAL = helmtool.ROOT.parent / "shared" / "external"


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
    """version -> strict schema of the CRD at shared/external/<relative>; skips without it."""
    path: Path = EXTERNAL / relative
    if not path.is_file():
        pytest.skip(f"the CRD is not at {path} (third-party data, not shipped with this repository)")
    import yaml  # PyYAML's C loader: the CRDs are large, and ruamel.yaml's pure loader takes seconds

    crd = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return {v["name"]: strict(v["schema"]["openAPIV3Schema"]) for v in crd["spec"]["versions"]}


def validate(document: dict[str, Any], crd_schemas: dict[str, Any]) -> None:
    import jsonschema

    version = document["apiVersion"].split("/")[-1]
    jsonschema.Draft7Validator(crd_schemas[version]).validate(document)
