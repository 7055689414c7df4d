"""Reading untrusted YAML/JSON input safely: one clear InputError for anything bad.

Refused before or while parsing: missing or unreadable paths, directories, files
over MAX_BYTES, non-UTF-8 or binary bytes, YAML errors (tabs, bad indentation),
duplicate keys (YAML says keys are unique), alias "bombs" whose expansion exceeds
MAX_NODES, nesting deeper than MAX_DEPTH, and a document that is not a mapping.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, BinaryIO

MAX_BYTES = 1 << 20  # a spec or values file is a few KiB
MAX_NODES = 100_000  # expanded size; a billion-laughs document is refused here
MAX_DEPTH = 64


class InputError(Exception):
    """An input that cannot be read as a spec; str() is the user-facing message, `path`
    the JSON path of the value it is about ("$" for the whole file)."""

    def __init__(self, message: str, path: str = "$") -> None:
        super().__init__(message)
        self.path = path


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
    yaml.constructor.add_constructor("tag:yaml.org,2002:int", _construct_int)
    try:
        nodes = list(yaml.compose_all(text))
        for node in nodes:
            _refuse_yaml11_scalars(node, [])
        docs = [yaml.constructor.construct_document(node) for node in nodes]
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


# Plain scalars that Helm (sigs.k8s.io/yaml: go-yaml v2, YAML 1.1) and a YAML 1.2 reader read
# differently: yes/no/on/off/y/n are booleans to Helm and text to YAML 1.2; 0755 is octal
# (493) to Helm and 755 to YAML 1.2. One file must mean one thing, so they are refused.
# go-yaml v2's words: https://github.com/go-yaml/yaml/blob/v2.4.0/resolve.go#L39-L46
YAML11_BOOLEANS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), "true"),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), "false"),
}
LEADING_ZERO = re.compile(r"[-+]?0[0-9_]+")


def abbreviated(text: str) -> str:
    """A value for a message: as it is, or, past 20 characters, its start and its length."""
    return text if len(text) <= 20 else f"{text[:12]}...({len(text)} characters)"


class HugeNumber(float):
    """An integer too long for Python to convert (over 4,300 digits): kept as its sign's
    infinity, so a schema check finds it out of range or of the wrong type, with its text
    for messages. It counts as a whole number, as it is one."""

    text = ""

    def is_integer(self) -> bool:
        return True

    def __repr__(self) -> str:
        return abbreviated(self.text)


def _construct_int(constructor: Any, node: Any) -> Any:
    from ruamel.yaml.constructor import SafeConstructor

    try:
        value = SafeConstructor.construct_yaml_int(constructor, node)
        if value.bit_length() < 14_000:  # under 4,300 decimal digits: it can be printed
            return value
    except ValueError:  # Python's limit on decimal digits (sys.get_int_max_str_digits)
        pass
    number = HugeNumber("-inf" if node.value.startswith("-") else "inf")
    number.text = node.value
    return number


def _refuse_yaml11_scalars(node: Any, path: list[Any], seen: set[int] | None = None) -> None:
    """Walk each node once (an alias shares its node: a billion-laughs document stays
    linear, a recursive one ends)."""
    from .problems import json_path

    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if node.id == "scalar":
        if node.style is not None or node.tag not in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:int"):
            return
        value, line, where = node.value, node.start_mark.line + 1, json_path(path)
        if value in YAML11_BOOLEANS:
            raise InputError(
                f"line {line}: {value} is {YAML11_BOOLEANS[value]} to Helm (YAML 1.1) but the text {value!r} to "
                f'YAML 1.2; write {YAML11_BOOLEANS[value]}, or "{value}" in quotes for the text',
                where,
            )
        if LEADING_ZERO.fullmatch(value):
            raise InputError(
                f"line {line}: {abbreviated(value)} is an octal number to Helm (YAML 1.1) and a decimal one to "
                "YAML 1.2; write it without the leading 0, or quote it for the text",
                where,
            )
    elif node.id == "sequence":
        for index, item in enumerate(node.value):
            _refuse_yaml11_scalars(item, [*path, index], seen)
    elif node.id == "mapping":
        for key, value in node.value:
            _refuse_yaml11_scalars(key, path, seen)
            _refuse_yaml11_scalars(value, [*path, key.value], seen)


def spec_comments(text: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """The `# spec KEY: VALUE` lines at the top of a values file gen-values wrote: the spec
    keys Helm values have no place for (the release, its namespace), so that feeding the
    file back gives the same names. VALUE is JSON; older files wrote plain text."""
    found: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comment = line[1:].strip()
        key, sep, value = comment.removeprefix("spec ").partition(": ")
        if sep and key in keys and comment.startswith("spec "):
            try:
                found[key] = json.loads(value)
            except ValueError:
                found[key] = value
    return found


def load_mapping(name: str, stdin: BinaryIO | None = None, comment_keys: tuple[str, ...] = ()) -> dict[str, Any]:
    """The mapping in file `name` ("-" = stdin), or InputError; with comment_keys, the
    keys of spec_comments() the file does not set itself are added."""
    data = read_bytes(name, stdin)
    text = decode(data)
    document = parse_text(text, name)
    if document is None:
        raise InputError("is empty, expected a mapping such as `tier: lustre`")
    _check_size(document)
    if not isinstance(document, dict):
        kind = "a list" if isinstance(document, list) else f"a {type(document).__name__}"
        raise InputError(f"the document is {kind}, expected a mapping such as `tier: lustre`")
    if comment_keys and text.startswith("#"):
        return {**spec_comments(text, comment_keys), **document}
    return document
