"""Deterministic, commented YAML for values files: each leaf gets a
`## @param path description` line from the schema (the same lines generate the
chart README's values table)."""

from __future__ import annotations

import json
import re
from typing import Any

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*")  # used with fullmatch: "a\n" is not plain
_YAML_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    # JSON's double-quoted string is YAML's too, once the characters YAML refuses
    # raw (DEL, C1 controls, non-characters) are escaped as well.
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def _emit(value: Any, schema: dict[str, Any] | None, path: str, indent: int, out: list[str]) -> None:
    pad = " " * indent
    props = (schema or {}).get("properties", {})
    for key, child in value.items():
        child_schema = props.get(key)
        child_path = f"{path}.{key}" if path else key
        is_section = isinstance(child, dict) and child and child_schema and "properties" in child_schema
        description = (child_schema or {}).get("description", "")
        if is_section:
            if description:
                out.append(f"{pad}## {description}")
            out.append(f"{pad}{scalar(key)}:")
            _emit(child, child_schema, child_path, indent + 2, out)
            continue
        if description:
            out.append(f"{pad}## @param {child_path} {description}")
        _entry(f"{pad}{scalar(key)}:", child, indent, out)


def _entry(lead: str, value: Any, indent: int, out: list[str]) -> None:
    """`lead` ("key:" or "-") followed by any value: scalars inline, empty
    collections as {} / [], others as indented blocks."""
    pad = " " * (indent + 2)
    if isinstance(value, dict) and value:
        out.append(lead)
        for k, v in value.items():
            _entry(f"{pad}{scalar(k)}:", v, indent + 2, out)
    elif isinstance(value, list) and value:
        out.append(lead)
        for item in value:
            if isinstance(item, dict) and item:
                first, *rest = item.items()
                inner: list[str] = []
                _entry(f"{pad}- {scalar(first[0])}:", first[1], indent + 4, inner)
                for k, v in rest:
                    _entry(f"{pad}  {scalar(k)}:", v, indent + 4, inner)
                out.extend(inner)
            else:
                _entry(f"{pad}-", item, indent + 2, out)
    elif isinstance(value, (dict, list)):
        out.append(f"{lead} {'{}' if isinstance(value, dict) else '[]'}")
    else:
        out.append(f"{lead} {scalar(value)}")


def dump(values: dict[str, Any], schema: dict[str, Any], header: list[str]) -> str:
    out = [f"# {line}" if line else "#" for line in header]
    _emit(values, schema, "", 0, out)
    return "\n".join(out) + "\n"
