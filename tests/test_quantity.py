"""Kubernetes quantities as whole bytes: exact for every unit, a fraction of a byte rounded
up (as Kubernetes rounds a storage request), and sizes shown in units a person types."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dynamo_cache import quantity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100Gi", 100 * 2**30),
        ("1.5Ti", 3 * 2**39),
        ("500G", 500 * 10**9),
        ("0.5k", 500),
        ("1.3Ki", 1332),  # 1331.2 bytes: a fraction of a byte is a byte
        ("32767Gi", 32767 * 2**30),
    ],
)
def test_parse(text: str, expected: int) -> None:
    assert quantity.parse(text) == expected


@pytest.mark.parametrize("text", ["100", "0Gi", "-1Gi", "1.Gi", "lots", "1e3Gi", "100 Gi"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        quantity.parse(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("140GB", 140 * 10**9), ("65Gi", 65 * 2**30), ("1.5TB", 15 * 10**11), ("300 GiB", 300 * 2**30)],
)
def test_model_sizes_as_people_write_them(text: str, expected: int) -> None:
    assert quantity.parse_model_size(text) == expected


@pytest.mark.parametrize(
    ("nbytes", "shown"),
    [(4 * 2**40, "4Ti"), (1536 * 2**30, "1536Gi"), (156 * 2**30 + 1, "157Gi"), (300 * 2**20, "300Mi")],
)
def test_human(nbytes: int, shown: str) -> None:
    assert quantity.human(nbytes) == shown


@given(
    whole=st.integers(min_value=0, max_value=10**6),
    fraction=st.text(alphabet="0123456789", min_size=0, max_size=6),
    suffix=st.sampled_from(sorted(quantity.SUFFIXES.keys() - {""})),
)
def test_parse_is_the_exact_value_rounded_up(whole: int, fraction: str, suffix: str) -> None:
    text = f"{whole}.{fraction}{suffix}" if fraction else f"{whole}{suffix}"
    exact = Decimal(text[: -len(suffix)]) * quantity.SUFFIXES[suffix]
    if exact <= 0 or (whole == 0 and not fraction):
        return  # not a positive quantity: refused (test_parse_refuses)
    if not quantity._RE.match(text):
        return  # e.g. 0.000: the pattern refuses zero
    assert quantity.parse(text) == math.ceil(exact)
