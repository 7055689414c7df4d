"""Structural validation of a spec or values mapping against its JSON Schema:
every error, with its JSON path, the allowed values and the nearest spelling."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

from .problems import ERROR, Problem, json_path, nearest

SPEC_SCHEMA_FILE = "dynamo-cache-spec.schema.json"


@functools.cache
def load_spec_schema() -> dict[str, Any]:
    """The spec schema shipped in schemas/ (installed as dynamo_cache.schemas)."""
    import os

    from . import schemas  # type: ignore[attr-defined]  # a package mapped onto schemas/ (pyproject.toml)

    with open(
        os.path.join(os.path.dirname(os.path.abspath(schemas.__file__)), SPEC_SCHEMA_FILE), encoding="utf-8"
    ) as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def validator_class() -> Any:
    """Draft-07 with Helm's pattern semantics (fastcheck.regex): what Helm refuses,
    gen-values refuses too."""
    from jsonschema import Draft7Validator, ValidationError, validators

    from .fastcheck import regex

    def pattern(validator: Any, value: str, instance: Any, schema: dict[str, Any]) -> Any:
        if validator.is_type(instance, "string") and not regex(value).search(instance):
            yield ValidationError(f"{instance!r} does not match {value!r}")

    return validators.extend(Draft7Validator, {"pattern": pattern})


@functools.cache
def _validator(schema_json: str) -> Any:
    return validator_class()(json.loads(schema_json))


def _messages(error: Any) -> Iterator[tuple[list[Any], str, str]]:
    """(path, message, hint) for one jsonschema error, unwrapping oneOf/allOf."""
    path = list(error.absolute_path)
    if error.validator == "oneOf" and error.context:
        # oneOf [null, X]: report what X said, not "is not valid under any".
        inner = [e for e in error.context if e.validator != "type" or e.validator_value != "null"]
        if inner:
            for sub in inner:
                yield from _messages(sub)
            return
    given = _shown(error.instance)
    if len(given) > 80:
        given = given[:77] + "..."
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extras = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        for extra in extras:
            near = nearest(extra, allowed)
            hint = f"did you mean {near!r}?" if near else f"allowed keys: {', '.join(allowed)}"
            yield path + [extra], f"unknown key {extra!r}", hint
        return
    if error.validator == "enum":
        allowed = [str(v) for v in error.validator_value]
        near = nearest(error.instance, allowed)
        hint = f"did you mean {near!r}?" if near else ""
        yield path, f"{given} is not allowed; allowed: {', '.join(allowed)}", hint
        return
    if error.validator == "pattern":
        yield path, f"{given} does not have the expected form", _pattern_hint(error.validator_value, error.instance)
        return
    if error.validator == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        pattern = error.schema.get("pattern")
        if pattern and "string" in wanted:  # say what text: "quote it" would not help a size
            expected = " or ".join("text" if t == "string" else YAML_TYPES.get(str(t), str(t)) for t in wanted)
            yield path, f"{given} is {_yaml_kind(error.instance)}, expected {expected}", _pattern_hint(pattern)
            return
        expected = " or ".join(YAML_TYPES.get(str(t), str(t)) for t in wanted)
        yield path, f"{given} is {_yaml_kind(error.instance)}, expected {expected}", ""
        return
    if error.validator in ("maxLength", "minLength"):
        bound = "at most" if error.validator == "maxLength" else "at least"
        yield path, f"{given} has {len(error.instance)} characters; {bound} {error.validator_value} allowed", ""
        return
    if error.validator in ("maximum", "minimum"):
        bound = "at most" if error.validator == "maximum" else "at least"
        yield path, f"{given} is out of range: {bound} {error.validator_value}", ""
        return
    yield path, error.message if len(error.message) < 300 else error.message[:297] + "...", ""


# What each JSON Schema type is called in a YAML file, with an example of it.
YAML_TYPES = {
    "string": 'text (quote it, e.g. "2")',
    "array": "a list, e.g. [ReadWriteMany]",
    "object": "a mapping of keys to values",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "null": "null (nothing)",
}


def _shown(value: Any) -> str:
    """The value as the file has it, for a message: JSON, a number too long to convert
    by its first digits (loader.HugeNumber), an infinity as YAML writes it."""
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        text = getattr(value, "text", "")
        return repr(value) if text else (".inf" if value > 0 else "-.inf")
    return json.dumps(value, default=str)


def _yaml_kind(value: Any) -> str:
    if value is None:
        return "null (empty)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _pattern_hint(pattern: str, given: Any = None) -> str:
    from . import quantity
    from .model import pattern_hints

    if pattern == quantity.PATTERN and isinstance(given, str):
        try:  # a size as people write it, 100GB: say the quantity that means it
            nbytes = quantity.parse_model_size(given)
        except ValueError:
            pass
        else:
            return quantity.spelling_hint(given, nbytes)
    return pattern_hints().get(pattern, f"a string matching {pattern}")


def check(document: Any, schema: dict[str, Any]) -> list[Problem]:
    from . import fastcheck

    try:
        if fastcheck.valid(document, schema):
            return []
    except fastcheck.Unsupported:
        pass
    validator = _validator(json.dumps(schema, sort_keys=True))
    problems = []
    for error in validator.iter_errors(document):
        for path, message, hint in _messages(error):
            problems.append(Problem(json_path(path), ERROR, message, hint, "schema"))
    return problems
