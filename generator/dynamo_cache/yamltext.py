"""Deterministic, commented YAML for values files: each leaf gets a
`## @param path description` line from the schema (the same lines generate the
chart README's values table)."""
from __future__ import annotations

import json
import re
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9._/-]*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


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
        if isinstance(child, dict) and child:
            out.append(f"{pad}{scalar(key)}:")
            for k, v in child.items():
                out.append(f"{pad}  {scalar(k)}: {scalar(v)}")
        elif isinstance(child, list) and child:
            out.append(f"{pad}{scalar(key)}:")
            out.extend(f"{pad}  - {scalar(item)}" for item in child)
        elif isinstance(child, dict):
            out.append(f"{pad}{scalar(key)}: {{}}")
        elif isinstance(child, list):
            out.append(f"{pad}{scalar(key)}: []")
        else:
            out.append(f"{pad}{scalar(key)}: {scalar(child)}")


def dump(values: dict[str, Any], schema: dict[str, Any], header: list[str]) -> str:
    out = [f"# {line}" if line else "#" for line in header]
    _emit(values, schema, "", 0, out)
    return "\n".join(out) + "\n"
