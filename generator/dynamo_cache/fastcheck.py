"""A yes/no draft-07 check for the keywords our generated schemas use, so that a
valid spec never pays for importing jsonschema (about 30 ms, more than a whole
`helm template`). Only a "no" goes on to jsonschema, which says what is wrong.
tests/test_property.py holds its verdicts equal to jsonschema's."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

# Keywords that never change a verdict.
_ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "default"}
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


class Unsupported(Exception):
    """A keyword this checker does not know: the caller must use jsonschema."""


@functools.cache
def regex(pattern: str) -> re.Pattern[str]:
    """`pattern` with Helm's (Go RE2) meaning of a final `$`: the end of the text.
    Python's `$` also matches before a trailing newline, which Helm would refuse."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _matches(text: str, pattern: str) -> bool:
    # "^(|...)$" is how the schemas say "empty, or ...": an empty value needs no regex compiled
    # (compiling costs about 0.2 ms each, and a values file leaves most optional strings empty).
    if not text and pattern.startswith("^(|"):
        return True
    return regex(pattern).search(text) is not None


def _equal(a: Any, b: Any) -> bool:
    # JSON equality: True is not 1 (Python says it is).
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def valid(instance: Any, schema: dict[str, Any] | bool) -> bool:
    if schema is True or schema == {}:
        return True
    if schema is False:
        return False
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if not _KEYWORDS.get(keyword, _unsupported)(instance, value, schema):
            return False
    return True


def _unsupported(instance: Any, value: Any, schema: dict[str, Any]) -> bool:
    raise Unsupported(str(sorted(set(schema) - set(_KEYWORDS) - _ANNOTATIONS)))


def _type(instance: Any, value: Any, _: dict[str, Any]) -> bool:
    return any(_TYPES[t](instance) for t in ([value] if isinstance(value, str) else value))


def _properties(instance: Any, value: dict[str, Any], _: dict[str, Any]) -> bool:
    if not isinstance(instance, dict):
        return True
    return all(valid(instance[k], s) for k, s in value.items() if k in instance)


def _additional(instance: Any, value: Any, schema: dict[str, Any]) -> bool:
    if not isinstance(instance, dict):
        return True
    extra = [k for k in instance if k not in schema.get("properties", {})]
    return all(valid(instance[k], value) for k in extra)


def _items(instance: Any, value: Any, _: dict[str, Any]) -> bool:
    return not isinstance(instance, list) or all(valid(item, value) for item in instance)


def _unique(instance: Any, value: bool, _: dict[str, Any]) -> bool:
    if not (value and isinstance(instance, list)):
        return True
    seen = [json.dumps(item, sort_keys=True) for item in instance]
    return len(seen) == len(set(seen))


def _if(instance: Any, value: Any, schema: dict[str, Any]) -> bool:
    branch = schema.get("then") if valid(instance, value) else schema.get("else")
    return branch is None or valid(instance, branch)


def _sized(kind: type, check: Any) -> Any:
    return lambda instance, value, _: not isinstance(instance, kind) or check(instance, value)


def _numeric(check: Any) -> Any:
    return lambda instance, value, _: not _TYPES["number"](instance) or check(instance, value)


_KEYWORDS: dict[str, Any] = {
    "type": _type,
    "enum": lambda instance, value, _: any(_equal(instance, v) for v in value),
    "const": lambda instance, value, _: _equal(instance, value),
    "properties": _properties,
    "additionalProperties": _additional,
    "required": lambda instance, value, _: not isinstance(instance, dict) or all(k in instance for k in value),
    "items": _items,
    "uniqueItems": _unique,
    "minItems": _sized(list, lambda i, v: len(i) >= v),
    "maxItems": _sized(list, lambda i, v: len(i) <= v),
    "minLength": _sized(str, lambda i, v: len(i) >= v),
    "maxLength": _sized(str, lambda i, v: len(i) <= v),
    "pattern": _sized(str, lambda i, v: _matches(i, v)),
    "minimum": _numeric(lambda i, v: i >= v),
    "maximum": _numeric(lambda i, v: i <= v),
    "exclusiveMinimum": _numeric(lambda i, v: i > v),  # draft-07: a number, not draft-04's boolean
    "exclusiveMaximum": _numeric(lambda i, v: i < v),
    "oneOf": lambda instance, value, _: sum(valid(instance, s) for s in value) == 1,
    "anyOf": lambda instance, value, _: any(valid(instance, s) for s in value),
    "allOf": lambda instance, value, _: all(valid(instance, s) for s in value),
    "if": _if,
    "then": lambda *_: True,  # applied by "if"
    "else": lambda *_: True,
}
