"""Kubernetes resource quantities ("100Gi", "1.5Ti", "500G"), parsed exactly."""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal

BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
DECIMAL = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
SUFFIXES = {**BINARY, **DECIMAL}

# Positive quantities only: a PVC of size 0 or below is never what anyone means.
# RE2-compatible (no look-ahead), so Helm's schema engines accept the same pattern.
# A unit is required: a bare number is bytes to Kubernetes, and "size: 100" is never what
# anyone means by a cache.
PATTERN = r"^([1-9][0-9]*(\.[0-9]+)?|0\.[0-9]*[1-9][0-9]*)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)$"
# How people write a model's size: 140GB, 65Gi, 1.5TB, 300 GiB (a unit is required).
MODEL_SIZE = r"^[0-9]+(\.[0-9]+)? ?([KkMmGgTtPp][Ii]?[Bb]?)$"
_RE = re.compile(PATTERN)
GiB = 2**30
TiB = 2**40


def parse(text: str) -> Decimal:
    """Bytes in `text`; ValueError when it is not a positive quantity."""
    match = _RE.match(text) if isinstance(text, str) and len(text) <= 64 else None
    if not match:
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    suffix = match.group(3) or ""
    return Decimal(text[: len(text) - len(suffix)]) * SUFFIXES[suffix]


def human(nbytes: Decimal | int) -> str:
    """A size a person can type: the largest binary unit, down to Gi, that holds it exactly
    ("4Ti", "1536Gi"), else rounded up to whole Gi ("157Gi"); below 1 Gi, whole Mi."""
    value = Decimal(nbytes)
    for suffix in ("Ei", "Pi", "Ti", "Gi"):
        unit = BINARY[suffix]
        if value >= unit and value % unit == 0:
            return f"{value // unit}{suffix}"
    unit, suffix = (GiB, "Gi") if value >= GiB else (BINARY["Mi"], "Mi")
    return f"{(value / unit).to_integral_value(ROUND_CEILING)}{suffix}"


def parse_model_size(text: str) -> Decimal:
    """A model size as people write it: a quantity, or "140GB" / "1.5TB" / "300 GiB"."""
    cleaned = str(text).strip().replace(" ", "")
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([KMGTP]i?)B?", cleaned, re.IGNORECASE)
    if match:
        number, unit = match.groups()
        unit = unit[0].upper() + unit[1:].lower()
        unit = "k" if unit == "K" else unit
        if unit in SUFFIXES:
            return Decimal(number) * SUFFIXES[unit]
    return parse(cleaned)
