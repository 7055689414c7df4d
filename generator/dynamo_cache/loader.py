"""Reading untrusted YAML/JSON input safely: one clear InputError for anything bad.

Refused before or while parsing: missing or unreadable paths, directories, files
over MAX_BYTES, non-UTF-8 or binary bytes, YAML errors (tabs, bad indentation),
duplicate keys (YAML says keys are unique), alias "bombs" whose expansion exceeds
MAX_NODES, nesting deeper than MAX_DEPTH, and a document that is not a mapping.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, BinaryIO

MAX_BYTES = 1 << 20  # a spec or values file is a few KiB
MAX_NODES = 100_000  # expanded size; a billion-laughs document is refused here
MAX_DEPTH = 64


class InputError(Exception):
    """An input that cannot be read as a spec; str() is the user-facing message."""


def read_bytes(name: str, stdin: BinaryIO | None = None) -> bytes:
    if name == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(MAX_BYTES + 1)
    else:
        if os.path.isdir(name):  # os.path, not pathlib: pathlib's imports cost validate 3 ms
            raise InputError("is a directory, expected a YAML or JSON file")
        try:
            with open(name, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise InputError("no such file") from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"larger than {MAX_BYTES} bytes; a spec is a few KiB")
    return data


def decode(data: bytes) -> str:
    if b"\x00" in data:
        raise InputError("binary data (NUL bytes), expected a YAML or JSON text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})") from None


def _check_size(node: Any) -> None:
    """Refuse documents whose alias expansion or nesting is out of bounds.

    Aliases share one Python object, so sizes are memoised by id(): the walk is
    linear in the number of distinct nodes even for an exponential document.
    """
    sizes: dict[int, int] = {}

    def walk(value: Any, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise InputError(f"nested deeper than {MAX_DEPTH} levels")
        if not isinstance(value, (dict, list)):
            return 1
        key = id(value)
        if key in sizes:
            return sizes[key]
        sizes[key] = MAX_NODES + 1  # a cycle counts as too large
        children = value.values() if isinstance(value, dict) else value
        total = 1 + sum(walk(child, depth + 1) for child in children)
        if total > MAX_NODES:
            raise InputError(f"expands to more than {MAX_NODES} nodes (YAML aliases?); refused")
        sizes[key] = total
        return total

    walk(node, 0)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise InputError(f"duplicate key {key!r}: keys must be unique")
        seen[key] = value
    return seen


def parse_text(text: str, name: str = "") -> Any:
    if name.endswith(".json"):
        try:
            return json.loads(text, object_pairs_hook=_reject_duplicates)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise InputError(f"nested deeper than {MAX_DEPTH} levels") from None
    from . import fastyaml

    try:
        return fastyaml.load(text)  # the common case, without importing ruamel.yaml
    except fastyaml.Unsupported:
        pass
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels") from None
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="safe", pure=True)
    try:
        docs = list(yaml.load_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "duplicate key" in str(exc).lower():
            problem = "duplicate key: keys must be unique"
        raise InputError(f"invalid YAML{where}: {problem}") from None
    except YAMLError as exc:
        raise InputError(f"invalid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels") from None
    if len(docs) > 1:
        raise InputError("holds several YAML documents; give one")
    return docs[0] if docs else None


def load_mapping(name: str, stdin: BinaryIO | None = None) -> dict[str, Any]:
    """The mapping in file `name` ("-" = stdin), or InputError."""
    data = read_bytes(name, stdin)
    document = parse_text(decode(data), name)
    if document is None:
        raise InputError("is empty, expected a mapping such as `tier: lustre`")
    _check_size(document)
    if not isinstance(document, dict):
        kind = "a list" if isinstance(document, list) else f"a {type(document).__name__}"
        raise InputError(f"the document is {kind}, expected a mapping such as `tier: lustre`")
    return document
