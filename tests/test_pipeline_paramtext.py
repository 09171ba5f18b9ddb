"""Command-line values read by the declared type (collabcomm.pipeline.paramtext); the same
cases through ParamSpec.coerce, with the messages, are in test_pipeline_params.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collabcomm.pipeline.paramtext import Unreadable, from_text


@given(st.text())
def test_text_is_taken_verbatim(text):
    assert from_text(text, "str") == text and from_text(text, "path") == text


@given(st.integers(-10**30, 10**30))
def test_every_decimal_integer_reads_back(n):
    assert from_text(str(n), "int") == n
    assert from_text(f"+{n}" if n >= 0 else str(n), "int") == n


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_reads_back_from_its_repr(x):
    assert from_text(repr(x), "float") == x


@pytest.mark.parametrize("kind, text", [
    ("int", "12:30"), ("int", "1:0"), ("int", "0o17"), ("int", "0b1"), ("int", "1,000"),
    ("float", "12:30.5"), ("float", "1.0.0"), ("float", "infinity"), ("float", "-.inf"),
    ("float", "1e"), ("float", "e5"), ("float", "."), ("bool", "True "), ("bool", "yes"),
    ("bool", "null"), ("list", "1,2"), ("list", "[1,2"), ("list", "{a: 1}"),
])
def test_yaml_spellings_are_not_numbers(kind, text):
    with pytest.raises(Unreadable):
        from_text(text, kind, items="int")


def test_null_only_where_declared_nullable():
    assert from_text(" null ", "int", nullable=True) is None
    with pytest.raises(Unreadable):
        from_text("null", "int")
    assert from_text("null", "str") == "null"
    assert from_text("[a, b c ,d]", "list", items="str") == ["a", "b c", "d"]
