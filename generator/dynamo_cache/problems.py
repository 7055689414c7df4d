"""Problems found in an input: JSON path, level, message, hint and rule (report.py prints them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

ERROR = "error"
WARNING = "warning"


class Problem(NamedTuple):  # a NamedTuple, not a dataclass: every command imports it, and it is 1 ms cheaper
    path: str  # JSON path, e.g. $.caches.model.accessModes[0]
    level: str
    message: str
    hint: str = ""
    rule: str = ""  # a stable id scripts match on: catalog.yaml ruleMessages key, or gen-values' own (rules.py)


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


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.level == ERROR for p in problems)
