"""The values model (generator/dynamo_cache/data/values-model.yaml) is data: every value
has its type, description and default there, and its shorthands expand into plain
JSON Schema that both Helm versions and jsonschema read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import yaml_io
from dynamo_cache import model
from dynamo_cache.catalog import CATALOG

ROOT = Path(__file__).resolve().parent.parent
HELM_OWNED = {"global"}  # Helm fills .Values.global itself; the chart sets no default


def leaves(schema: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    out = []
    for key, child in schema.get("properties", {}).items():
        where = f"{path}.{key}" if path else key
        out += leaves(child, where) if child.get("properties") else [(where, child)]
    return out


def walk(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node] + [n for v in node.values() for n in walk(v)]
    if isinstance(node, list):
        return [n for v in node for n in walk(v)]
    return []


def test_every_leaf_has_a_description_and_a_default() -> None:
    for path, schema in leaves(model.values_schema()):
        assert schema.get("description"), path
        if ".parameters." in path:  # a driver parameter left out is the driver's own default
            profile, name = path.split(".")[1], path.rsplit(".", 1)[1]
            required = CATALOG["chartClasses"][profile]["parameters"][name].get("required", False)
            assert "default" in schema or not required, path
        else:
            assert "default" in schema or path in HELM_OWNED, f"{path}: no default in values-model.yaml"


def test_no_shorthand_survives_expansion() -> None:
    for node in walk(model.load()):
        assert not model.SHORTHANDS & set(node), sorted(model.SHORTHANDS & set(node))


def test_values_yaml_is_the_defaults() -> None:
    assert yaml_io.load((ROOT / "charts" / "dynamo-cache" / "values.yaml").read_text()) == model.defaults()


def test_defaults_are_valid_against_their_own_schema() -> None:
    from dynamo_cache import schema_check

    assert schema_check.check(model.defaults(), model.values_schema()) == []


def test_nullable_values_accept_null_and_their_type_only() -> None:
    from dynamo_cache import schema_check

    size = model.values_schema()["properties"]["caches"]["properties"]["model"]["properties"]["size"]
    assert size["type"] == ["string", "null"]
    problems = schema_check.check({"caches": {"model": {"size": 100}}}, model.values_schema())
    assert [(p.path, p.message) for p in problems] == [
        ("$.caches.model.size", "100 is a number, expected text or null (nothing)")
    ]


def test_foreach_gives_one_entry_per_catalog_member() -> None:
    props = model.values_schema()["properties"]
    assert list(props["caches"]["properties"]) == list(CATALOG["caches"])
    assert list(props["storageClasses"]["properties"]) == list(CATALOG["chartClasses"])
    has_block_cache = {k for k, v in CATALOG["chartClasses"].items() if "blockCache" in v}
    assert {k for k, v in props["storageClasses"]["properties"].items() if "blockCache" in v["properties"]} == (
        has_block_cache
    )
    for key, meta in CATALOG["caches"].items():
        assert props["caches"]["properties"][key]["properties"]["name"]["default"] == meta["name"]


def test_each_pattern_is_written_once() -> None:
    """The source names patterns (patternOf); only the patterns section holds regexes."""
    text = (ROOT / "generator" / "dynamo_cache" / "data" / "values-model.yaml").read_text()
    catalog_text = (ROOT / "generator" / "dynamo_cache" / "data" / "catalog.yaml").read_text()
    regexes = [p["regex"] for name, p in model.load()["patterns"].items()]
    assert len(regexes) == len(set(regexes))
    assert "pattern:" not in catalog_text.replace("patternOf:", "")
    body = text.split("\nvalues:", 1)[1]
    assert "pattern:" not in body.replace("patternOf:", "")


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ({"type": "string", "patternOf": "nope"}, "values.x: unknown pattern 'nope'; known: hhmm"),
        ({"type": "string", "enumOf": "tiers.nope"}, "values.x: 'tiers.nope' is not in catalog.yaml"),
    ],
)
def test_a_wrong_shorthand_fails_generation_naming_where(node: dict[str, Any], message: str) -> None:
    source = {
        "patterns": {"hhmm": {"regex": "^$", "hint": "x"}},
        "values": {"type": "object", "properties": {"x": node}},
        "specOnly": {},
    }
    with pytest.raises(model.ModelError) as raised:
        model.expand(json.loads(json.dumps(source)))
    assert str(raised.value) == f"values-model.yaml: {message}"


def test_every_pattern_is_used() -> None:
    used = {n["pattern"] for n in walk(model.spec_schema()) if isinstance(n.get("pattern"), str)}
    used.add(model.pattern("commitSha"))  # rules._download: a pinned revision
    unused = [name for name, p in model.load()["patterns"].items() if p["regex"] not in used]
    assert not unused, f"patterns nothing uses: {unused}"


def resolved(node: Any, definitions: dict[str, Any]) -> Any:
    """node with each `$ref` to a definition replaced by the definition (plus the use's own keywords)."""
    if isinstance(node, list):
        return [resolved(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/definitions/")
        return {**definitions[name], **{k: v for k, v in node.items() if k != "$ref"}}
    return {k: resolved(v, definitions) for k, v in node.items()}


def test_the_shipped_schema_is_the_model_with_its_repeated_leaves_shared() -> None:
    """values.schema.json accepts exactly what the model says: written out again, its
    references give the model's schema, descriptions included."""
    shipped = json.loads((ROOT / "charts" / "dynamo-cache" / "values.schema.json").read_text())
    definitions = shipped.pop("definitions")
    del shipped["$comment"]
    assert resolved(shipped, definitions) == model.chart_schema()
    refs = [n["$ref"] for n in walk(shipped) if "$ref" in n]
    assert len(refs) >= 2 * len(definitions) >= 30  # every definition is used at least twice
    assert {r.removeprefix("#/definitions/") for r in refs} == set(definitions)
    assert {"tags", "quantityOrNull", "Retain|Delete", "|privateEndpoint"} <= set(definitions)


def test_leaves_used_once_stay_in_place() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "pattern": "^/[^,\\s]*$", "description": "A."},
            "b": {"type": "string", "pattern": "^/[^,\\s]*$", "description": "B."},
            "c": {"type": "string", "enum": ["x"], "description": "C."},
            "d": {"type": "string", "description": "D."},
        },
    }
    shared = model.shared_leaves(schema)
    assert shared["definitions"] == {"absolutePath": {"type": "string", "pattern": "^/[^,\\s]*$"}}
    assert shared["properties"]["a"] == {"$ref": "#/definitions/absolutePath", "description": "A."}
    assert shared["properties"]["b"] == {"$ref": "#/definitions/absolutePath", "description": "B."}
    assert shared["properties"]["c"] == schema["properties"]["c"]
    assert shared["properties"]["d"] == schema["properties"]["d"]
    assert "definitions" not in schema  # the model's own schema is left as it was
