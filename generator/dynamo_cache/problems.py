"""Problems found in an input: level, JSON path, message, hint; and their formats."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import NamedTuple

ERROR = "error"
WARNING = "warning"


class Problem(NamedTuple):  # a NamedTuple, not a dataclass: every command imports it, and it is 1 ms cheaper
    path: str  # JSON path, e.g. $.caches.model.accessModes[0]
    level: str
    message: str
    hint: str = ""


def json_path(parts: Iterable[object]) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def nearest(word: object, choices: Sequence[str]) -> str | None:
    if not isinstance(word, str):
        return None
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    import difflib  # only when a suggestion is needed

    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[found[0]] if found else None


def sort(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.level, p.message))


def format_text(problems: Sequence[Problem], filename: str) -> str:
    lines = []
    for p in problems:
        line = f"{filename}::{p.path}: {p.level}: {p.message}"
        if p.hint:
            line += f" (hint: {p.hint})"
        lines.append(line)
    return "\n".join(lines)


def format_json(problems: Sequence[Problem], filename: str) -> str:
    return json.dumps([{"file": filename, **p._asdict()} for p in problems], indent=2)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.level == ERROR for p in problems)
