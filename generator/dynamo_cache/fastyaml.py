"""A strict reader for the small part of YAML that values and spec files use (block
mappings and sequences, flow [] / {} of scalars, plain, single- and double-quoted
scalars, comments), so that checking a typical file does not import ruamel.yaml
(16 ms, more than all of `gen-values validate` may take).

It gives the same data as ruamel.yaml's safe loader (YAML 1.2) or raises
Unsupported, and the caller hands the text to ruamel.yaml, which also words every
error: anything unusual (anchors, tags, block scalars, several documents, tabs,
duplicate keys, a scalar whose type is not obvious) goes there. The property tests
hold the two equal on generated documents and on random text."""

from __future__ import annotations

import json
import re
from typing import Any

# Plain text that no YAML 1.2 (nor 1.1) resolver reads as anything but a string: it
# starts with a letter, '_', '/' or '$' and holds no indicator a parser could mistake.
PLAIN_TEXT = re.compile(r"[A-Za-z_/$][A-Za-z0-9_./@+=$()%-]*(?: [A-Za-z0-9_./@+=$()%,-]+)*")
INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,17})")
# 100Gi, 140GB: digits then letters only are text (a number's exponent needs digits);
# 0x.. / 0o.. / 0b.. are numbers, so not here.
QUANTITY = re.compile(r"(?![0][xXoObB])[0-9]+(\.[0-9]+)?[A-Za-z]+")
KEY_LINE = re.compile(r"(?P<key>\"(?:[^\"\\]|\\.)*\"|[A-Za-z_][A-Za-z0-9_./-]*):(?: +(?P<value>.*))?")
SPECIAL = {"true": True, "false": False, "null": None, "~": None}
RESERVED = re.compile(r"(?i)(y|yes|n|no|on|off|true|false|null|~|\.inf|-\.inf|\.nan)")


class Unsupported(Exception):
    """Outside the subset: parse with ruamel.yaml instead."""


def scalar(text: str) -> Any:
    if text in SPECIAL:
        return SPECIAL[text]
    if INTEGER.fullmatch(text):
        return int(text)
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        try:
            value = json.loads(text)  # JSON's escapes are a subset of YAML's double-quoted ones
        except ValueError:
            raise Unsupported(text) from None
        if not isinstance(value, str) or "\n" in text:
            raise Unsupported(text)
        return value
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        inner = text[1:-1]
        if "'" in inner.replace("''", ""):
            raise Unsupported(text)
        return inner.replace("''", "'")
    if (PLAIN_TEXT.fullmatch(text) and not RESERVED.fullmatch(text)) or QUANTITY.fullmatch(text):
        return text
    raise Unsupported(text)


def _value_text(text: str) -> str:
    """The value without a trailing comment (" #" outside quotes)."""
    quote = ""
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] == " "):
            return text[:index].strip()
    return text.strip()


def _split(inner: str) -> list[str]:
    """Comma-separated items of a flow collection, respecting quotes and nesting."""
    items, depth, quote, current = [], 0, "", ""
    for char in inner:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(current.strip())
            current = ""
            continue
        current += char
    if quote or depth:
        raise Unsupported(inner)
    items.append(current.strip())
    if not items[-1]:  # a trailing comma
        items.pop()
    if any(not item for item in items):
        raise Unsupported(inner)
    return items


def _flow(text: str) -> Any:
    """A value: a flow [...] / {...} of scalars and flow collections, or a scalar."""
    if text.startswith("[") and text.endswith("]"):
        return [_flow(item) for item in _split(text[1:-1])] if text[1:-1].strip() else []
    if text.startswith("{") and text.endswith("}"):
        out: dict[str, Any] = {}
        for item in _split(text[1:-1]) if text[1:-1].strip() else []:
            match = KEY_LINE.fullmatch(item)
            if not match or not match["value"]:
                raise Unsupported(item)
            key = scalar(match["key"])
            if not isinstance(key, str) or key in out:
                raise Unsupported(item)
            out[key] = _flow(match["value"].strip())
        return out
    if text[:1] in "[{&*!|>%@`?" or "#" in text:
        raise Unsupported(text)
    return scalar(text)


def load(text: str) -> Any:
    lines = []
    for number, raw in enumerate(text.splitlines()):
        if "\t" in raw or raw.startswith(("---", "...", "%")):
            raise Unsupported(f"line {number + 1}")
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        lines.append((len(raw) - len(raw.lstrip(" ")), stripped))
    if not lines:
        return None
    if len(lines) == 1 and lines[0][1][:1] in "[{":
        return _flow(_value_text(lines[0][1]))
    value, end = _block(lines, 0, lines[0][0])
    if end != len(lines):
        raise Unsupported("trailing content")
    return value


def _block(lines: list[tuple[int, str]], start: int, indent: int) -> tuple[Any, int]:
    if lines[start][1].startswith("- ") or lines[start][1] == "-":
        return _sequence(lines, start, indent)
    return _mapping(lines, start, indent)


def _mapping(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == indent:
        match = KEY_LINE.fullmatch(lines[i][1])
        if not match:
            raise Unsupported(lines[i][1])
        key = scalar(match["key"])
        if not isinstance(key, str) or key in out:
            raise Unsupported(f"key {key!r}")
        value_text = _value_text(match["value"] or "")
        i += 1
        if value_text:
            out[key] = _flow(value_text)
        elif i < len(lines) and (lines[i][0] > indent or (lines[i][0] == indent and lines[i][1].startswith("- "))):
            out[key], i = _block(lines, i, lines[i][0])
        else:
            out[key] = None
    if i < len(lines) and lines[i][0] > indent:
        raise Unsupported("bad indentation")
    return out, i


def _sequence(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[list[Any], int]:
    out: list[Any] = []
    while i < len(lines) and lines[i][0] == indent and (lines[i][1].startswith("- ") or lines[i][1] == "-"):
        item = lines[i][1][2:].strip()
        if not item or item.startswith("- "):
            raise Unsupported(lines[i][1])
        if KEY_LINE.fullmatch(item):  # "- key: value" opens a mapping two columns in
            inner = [(indent + 2, item), *lines[i + 1 :]]
            value, used = _mapping(inner, 0, indent + 2)
            out.append(value)
            i += used
        else:
            out.append(_flow(_value_text(item)))
            i += 1
    if i < len(lines) and lines[i][0] > indent:
        raise Unsupported("bad indentation")
    return out, i
