"""How every command reports: the exit codes, and the problems as text on stderr or as one
JSON document on stdout (`--format json`), the same shape for every command:

    {"status": "ok" | "invalid" | "unchecked",
     "problems": [{"file", "path", "level", "rule", "message", "hint"}, ...],
     "output": "..."}          # what the command writes, when it is not written to a file

`rule` is stable (catalog.yaml ruleMessages key, or the id rules.py gives gen-values' own
checks; "schema", "input", "wrongFile", "wireConflict", "liveCluster" otherwise): scripts
match on it, not on the words."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from enum import IntEnum

from .problems import Problem


class Exit(IntEnum):
    OK = 0
    INVALID = 1  # invalid input, a warning with --strict, or a change the live cluster would refuse
    USAGE = 2  # click's own code for a usage error
    UNCHECKED = 3  # validate --live / doctor could not read the cluster at all
    INTERNAL = 70  # a bug in gen-values, never the input's fault (sysexits' EX_SOFTWARE)


STATUS = {Exit.OK: "ok", Exit.INVALID: "invalid", Exit.UNCHECKED: "unchecked"}


def text(problems: Sequence[Problem], filename: str) -> str:
    lines = []
    for p in problems:
        line = f"{filename}::{p.path}: {p.level}: {p.message}"
        if p.hint:
            line += f" (hint: {p.hint})"
        lines.append(line)
    return "\n".join(lines)


def as_json(code: int, problems: Iterable[tuple[str, Problem]], output: str | None = None) -> str:
    document: dict[str, object] = {
        "status": STATUS[Exit(code)],
        "problems": [
            {"file": name, "path": p.path, "level": p.level, "rule": p.rule, "message": p.message, "hint": p.hint}
            for name, p in problems
        ],
    }
    if output is not None:
        document["output"] = output
    return json.dumps(document, indent=2)
