"""Kubernetes resource quantities ("100Gi", "1.5Ti", "500G"), parsed exactly into whole
bytes (integers, not Decimal: importing decimal costs every command about 2 ms)."""

from __future__ import annotations

import re

BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
DECIMAL = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
SUFFIXES = {**BINARY, **DECIMAL}

# Positive quantities only: a PVC of size 0 or below is never what anyone means.
# RE2-compatible (no look-ahead), so Helm's schema engines accept the same pattern.
# A unit is required: a bare number is bytes to Kubernetes, and "size: 100" is never what
# anyone means by a cache.
# At most 30 digits each side of the point: more is no storage anyone has, and an
# integer that long costs nothing to hold.
PATTERN = r"^([1-9][0-9]{0,29}(\.[0-9]{1,30})?|0\.[0-9]{0,29}[1-9][0-9]{0,29})(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)$"
# How people write a model's size: 140GB, 65Gi, 1.5TB, 300 GiB (a unit is required).
MODEL_SIZE = r"^[0-9]{1,30}(\.[0-9]{1,30})? ?([KkMmGgTtPp][Ii]?[Bb]?)$"
_RE = re.compile(PATTERN)
GiB = 2**30
TiB = 2**40


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _bytes(number: str, multiplier: int) -> int:
    """number ("1.5") x multiplier, exactly; a fraction of a byte counts as a byte, as
    Kubernetes rounds a storage request up."""
    whole, _, fraction = number.partition(".")
    return ceil_div(int(whole + fraction) * multiplier, 10 ** len(fraction))


def parse(text: str) -> int:
    """Bytes in `text`; ValueError when it is not a positive quantity."""
    match = _RE.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    suffix = match.group(3) or ""
    return _bytes(text[: len(text) - len(suffix)], SUFFIXES[suffix])


def human(nbytes: int) -> str:
    """A size a person can type: the largest binary unit, down to Gi, that holds it exactly
    ("4Ti", "1536Gi"), else rounded up to whole Gi ("157Gi"); below 1 Gi, whole Mi."""
    for suffix in ("Ei", "Pi", "Ti", "Gi"):
        unit = BINARY[suffix]
        if nbytes >= unit and nbytes % unit == 0:
            return f"{nbytes // unit}{suffix}"
    unit, suffix = (GiB, "Gi") if nbytes >= GiB else (BINARY["Mi"], "Mi")
    return f"{ceil_div(nbytes, unit)}{suffix}"


def parse_model_size(text: str) -> int:
    """A model size as people write it: a quantity, or "140GB" / "1.5TB" / "300 GiB"."""
    cleaned = str(text).strip().replace(" ", "")
    match = re.fullmatch(r"([0-9]{1,30}(?:\.[0-9]{1,30})?)([KMGTP]i?)B?", cleaned, re.IGNORECASE)
    if match:
        number, unit = match.groups()
        unit = unit[0].upper() + unit[1:].lower()
        unit = "k" if unit == "K" else unit
        if unit in SUFFIXES:
            return _bytes(number, SUFFIXES[unit])
    return parse(cleaned)


def spelling_hint(given: str, nbytes: int) -> str:
    """What to write for a size people write as a model size ("100GB"): the decimal
    quantity that is the same bytes, and the whole binary units that hold it."""
    decimal = next((f"{nbytes // DECIMAL[s]}{s}" for s in "EPTGMk" if nbytes % DECIMAL[s] == 0), f"{nbytes}")
    return f"write {decimal} for exactly {given}, or {human(nbytes)} (whole GiB, as Azure bills) to hold it"
