"""The precision policy (collabcomm.precision): what is written, digit by digit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from collabcomm import precision
from collabcomm.precision import format_number, format_table, round_significant, snap_zero


def test_policy_constants():
    # seven digits: three more than the paper's most precise printed number (4 significant)
    assert (precision.ESTIMATE_DIGITS, precision.P_VALUE_DIGITS) == (7, 4)
    assert precision.ZERO_RELATIVE == 1e-9


@pytest.mark.parametrize("name, expected", [
    ("p", True), ("p_value", True), ("p_hc3", True), ("t_p", True), ("power", False),
    ("published", False), ("api_2012", False), ("sd", False), ("pairs", False),
])
def test_p_value_columns_by_name(name, expected):
    assert precision.is_p_value_column(name) is expected


@pytest.mark.parametrize("value, digits, text", [
    (0.548860518, 7, "0.5488605"),
    (1020.20413974, 7, "1020.204"),
    (849.22, 7, "849.22"),
    (26.0, 7, "26"),
    (-0.17331105832, 7, "-0.1733111"),
    (5.8609424e-18, 4, "5.861e-18"),
    (1.25e-8, 4, "1.25e-08"),
    (123456789.0, 7, "1.234568e+08"),
    (0.0, 7, "0"),
    (-0.0, 7, "0"),
    (math.nan, 7, ""),
    (math.inf, 7, "inf"),
])
def test_format_number(value, digits, text):
    assert format_number(value, digits) == text


def test_round_significant_matches_what_is_written():
    x = np.array([0.548860518, -1234.56789, 0.0, math.nan, 2.5e-18])
    got = round_significant(x, 4)
    np.testing.assert_array_equal(got[[0, 1, 2, 4]], [0.5489, -1235.0, 0.0, 2.5e-18])
    assert math.isnan(got[3])
    assert [float(format_number(v, 4)) for v in x[[0, 1, 4]]] == got[[0, 1, 4]].tolist()


def test_snap_zero_is_relative_to_scale():
    # 2.8e-14 on a mean of 66.38 is round-off; 0.004 on a correlation is a real difference
    out = snap_zero([2.8e-14, 0.004, -1e-17, 5e-8, 5e-8], scale=[66.38, 1, 1, 1, 100])
    assert out.tolist() == [0.0, 0.004, 0.0, 5e-8, 0.0]
    assert math.copysign(1, snap_zero(-1e-20)) == 1.0  # no negative zero
    assert snap_zero(0.5) == 0.5 and isinstance(snap_zero(0.5), float)
    assert snap_zero(1e-6, rel=1e-5) == 0.0


def test_format_table_by_kind():
    df = pd.DataFrame({"coef": [0.12345678901, -2.0], "p": [0.012345678, 1e-20],
                       "n": [26, 25], "flag": [True, False], "term": ["a", "b"],
                       "mixed": [0.123456789, "text"]})
    out = format_table(df)
    assert out.to_dict("list") == {
        "coef": ["0.1234568", "-2"], "p": ["0.01235", "1e-20"], "n": [26, 25],
        "flag": [True, False], "term": ["a", "b"], "mixed": ["0.1234568", "text"]}
    assert df["coef"].iloc[0] == 0.12345678901  # the input is not modified


def test_format_table_float_index():
    df = pd.DataFrame({"v": [1]}, index=pd.Index([0.1 + 0.2], name="x"))
    assert format_table(df).index.tolist() == ["0.3"]


def test_machine_noise_does_not_reach_the_written_digits():
    # values that differ in the 12th digit, as different BLAS kernels give, write the same
    a = np.array([0.548860518123, 1020.20413974001, 0.0300000000001])
    b = a * (1 + 3e-12)
    assert [format_number(v) for v in a] == [format_number(v) for v in b]


# --- reading: matches_published ---------------------------------------------------------------

@pytest.mark.parametrize("x, p, d, expected", [
    (0.9549, 0.95, 2, True),
    (0.9551, 0.95, 2, False),
    (0.955, 0.95, 2, True),      # exactly on the boundary: matches
    (0.9450, 0.95, 2, True),
    (0.9449999, 0.95, 2, False),
    (-0.29499, -0.29, 2, True),
    (-0.2951, -0.29, 2, False),
    (849.224, 849.22, 2, True),
    (26.0, 26.0, 0, True),
    (26.6, 26.0, 0, False),
    (0.07895, 0.0790, 4, True),
    (float("nan"), 0.5, 1, False),
])
def test_matches_published_at_the_edges(x, p, d, expected):
    assert precision.matches_published(x, p, d) is expected


def test_binary_float_cannot_tip_a_boundary():
    # 0.1 + 0.2 = 0.30000000000000004 still rounds to 0.3 at any precision up to 15
    assert precision.matches_published(0.1 + 0.2, 0.3, 15)
