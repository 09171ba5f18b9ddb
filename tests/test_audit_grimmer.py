"""GRIMMER in exact arithmetic (collabcomm.audit.grimmer): the published cases of rsprite2 and
scrutiny, a brute-force check against every small sample, hand-worked ties, the paper's means."""

from __future__ import annotations

import importlib
import itertools
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from tables import statuses

from collabcomm import audit, published
from collabcomm.errors import ParameterError

g = importlib.import_module("collabcomm.audit.grimmer")  # the module; audit.grimmer is the test


def _dec(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


# (mean, sd, n, possible): rsprite2's GRIMMER_test examples and tests (5.21/1.6/28 TRUE,
# 3.44/2.47/18 FALSE, 5.19/1.5/28 FALSE by GRIM, 3.5/1.21/10 FALSE), and scrutiny's
# tests/testthat/test-grimmer.R, which compares grimmer() with rsprite2's GRIMMER_test() on
# these value sets (the verdicts are rsprite2 0.2.1.9002's, read off its code by running it).
PUBLISHED = [
    ("5.21", "1.6", 28, True), ("3.44", "2.47", 18, False), ("5.19", "1.5", 28, False),
    ("3.5", "1.21", 10, False), ("2.57", "2.57", 30, True), ("3.33", "1.234", 250, True),
    ("8.3", "7.5", 103, True), ("5.23", "2.55", 35, False), ("5.23", "2.55", 127, True),
    ("5.2", "2.5", 35, True), ("3.756", "4.485", 89, False), ("3.756", "4.485", 12, False),
    ("3.75", "4.48", 12, False), ("3.75", "4.48", 89, True),
]


@pytest.mark.parametrize(("mean", "sd", "n", "possible"), PUBLISHED)
def test_published_grimmer_cases(mean, sd, n, possible):
    assert g.grimmer(mean, _dec(mean), sd, _dec(sd), n) is possible


def test_which_test_fails_in_the_published_cases():
    # 3.44 x 18 = 61.92 -> T = 62; the SD window holds one sum of squares, 317, which is odd
    r = g.grimmer_test("3.44", 2, "2.47", 2, 18)
    assert (r.failed, r.totals, r.windows) == ("parity", (62,), ((62, 317, 317),))
    assert g.grimmer_test("5.19", 2, "1.5", 1, 28).failed == "grim"
    # 3.5 at N = 10: T = 35; SD 1.21 needs 10 Q in [1225 + 90 x 1.205^2, 1225 + 90 x 1.215^2]
    # = [1355.68..., 1357.85...]: Q = 135.6 .. 135.8, no integer
    assert g.grimmer_test("3.5", 1, "1.21", 2, 10).failed == "sum_of_squares"


def test_two_totals_give_rsprite2s_two_sds():
    # rsprite2's test: mean 3.33 at N = 250 allows T = 832 and 833; SD 1.234 (3 decimals) is
    # reached by one sum of squares each, with SDs 1.2339 and 1.2345
    r = g.grimmer_test("3.33", 2, "1.234", 3, 250)
    assert r.possible and r.totals == (832, 833)
    assert r.sums_of_squares == ((832, 3148), (833, 3155))
    sds = [((q - Fraction(t * t, 250)) / 249) for t, q in r.sums_of_squares]
    assert [round(float(v) ** 0.5, 4) for v in sds] == [1.2339, 1.2345]


def test_least_sum_of_squares_catches_what_the_float_tools_pass():
    # scrutiny's tests compare 1.2 / 0.3 / N = 57 with rsprite2, which passes it. It is not
    # possible: a mean that rounds to 1.2 needs a total of at least 66 (1.15 x 57 = 65.55),
    # and 57 integers with total 66 have at least the sum of squares of 48 ones and 9 twos,
    # 84, so the SD is at least sqrt((84 - 66^2/57) / 56) = 0.3679 > 0.35.
    r = g.grimmer_test("1.2", 1, "0.3", 1, 57)
    assert not r.possible and r.failed == "least_sum_of_squares"
    assert g.least_sum_of_squares(66, 57) == 84
    assert (84 - Fraction(66**2, 57)) / 56 > Fraction(35, 100) ** 2


def _printed(x: Fraction, d: int, mode) -> str:
    exact = Decimal(x.numerator) / Decimal(x.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-d), rounding=mode))


@pytest.mark.parametrize("n", [2, 3, 5, 8])
def test_every_small_sample_passes_its_own_grimmer(n):
    # brute force: each multiset of n values on 1..5, its exact mean and SD printed with two
    # decimals (either rounding of a tie), must be possible; a test that flags a real sample
    # is wrong. The SD is printed from its exact square root to 30 digits.
    from decimal import getcontext

    getcontext().prec = 40
    seen = 0
    for sample in itertools.combinations_with_replacement(range(1, 6), n):
        t, q = sum(sample), sum(v * v for v in sample)
        mean, var = Fraction(t, n), (q - Fraction(t * t, n)) / (n - 1)
        sd = (Decimal(var.numerator) / Decimal(var.denominator)).sqrt()
        for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN):
            m_txt = _printed(mean, 2, mode)
            s_txt = str(sd.quantize(Decimal("0.01"), rounding=mode))
            assert g.grimmer(m_txt, 2, s_txt, 2, n), (sample, m_txt, s_txt)
            seen += 1
    assert seen > 0


def test_a_tie_of_the_sd_follows_the_rounding_rule():
    # -1, -1, 1, 2: total 1, sum of squares 7, SD exactly sqrt((7 - 1/4)/3) = 1.5, a tie
    # between the whole numbers 1 and 2. With T = 1, n = 4: 4Q = 1 + 12 v.
    # printed 2: v in [1.5^2, 2.5^2] -> 4Q in [28, 76] -> Q in [7, 19], both ends ties
    assert g.sum_of_squares_window(1, 4, "2", 0) == (7, 19)
    assert g.sum_of_squares_window(1, 4, "2", 0, ties="half_up") == (7, 18)   # 2.5 -> 3
    assert g.sum_of_squares_window(1, 4, "2", 0, ties="half_even") == (7, 19)  # 2 is even
    # printed 1: v in [0.5^2, 1.5^2] -> 4Q in [4, 28] -> Q in [1, 7], both ends ties
    assert g.sum_of_squares_window(1, 4, "1", 0) == (1, 7)
    assert g.sum_of_squares_window(1, 4, "1", 0, ties="half_up") == (1, 6)    # 1.5 -> 2
    assert g.sum_of_squares_window(1, 4, "1", 0, ties="half_even") == (2, 6)  # 1 is odd


def test_helpers_by_hand_and_bad_input():
    assert g.least_sum_of_squares(21, 5) == 89 and g.least_sum_of_squares(0, 3) == 0
    assert g.sd_interval("0.004", 2) == (0, Fraction(9, 1000))       # clipped at 0
    assert g.nearest_totals(849.22, 2, 26) == (22080,)               # 22079.72
    assert g.nearest_totals(34.25, 2, 26) == (890, 891)              # 890.5: halfway
    with pytest.raises(ParameterError, match="n must be at least 2"):
        g.grimmer_test(3.0, 1, 1.0, 1, 1)
    with pytest.raises(ParameterError, match="sd must not be negative"):
        g.sd_interval(-1.0, 1)
    with pytest.raises(ParameterError, match="ties must be one of"):
        g.grimmer(3.0, 1, 1.0, 1, 5, ties="bankers")


def test_paper_grimmer_table_and_rows():
    desc = published.descriptives()
    table = g.grimmer_table(desc, 26)
    assert g.jointly_possible(table, "api_2012") == [18, 23, 27, 32, 36, 37, 40]
    assert g.jointly_possible(table, "api_2011") == [20, 23, 27, 30, 33, 37, 40]
    assert g.jointly_possible(table, "school_size") == [16, 20, 24, 28, 32, 36, 40]
    # GRIMMER never removes an N that GRIM allows here: the SD windows are wide
    assert (table["grim"] == table["grimmer"]).all()
    tie = table[table["grim_tie_only"]]
    assert list(zip(tie["variable"], tie["n"], strict=True)) == [("api_2012", 40)]
    rows = g.check_grimmer(desc, 26)
    assert statuses(rows) == {"not_checkable": 3}
    api = rows[rows.quantity == "SD of api_2012 with its mean at N = 26"].iloc[0]
    assert "nearest total(s) 22080 the SD 66.38 would be possible" in api["note"]
    size = rows[rows.quantity == "SD of school_size with its mean at N = 26"].iloc[0]
    assert "890 or 891" in size["note"]


def test_consistent_tables_pass_and_a_planted_sd_is_caught(consistent):
    data, t = consistent
    rows = g.check_grimmer(t["descriptives"], t["n"])
    assert statuses(rows) == {"match": 3}
    # a planted SD no 26 whole numbers can have: school size's SD set near 0
    bad = t["descriptives"].copy()
    i = bad.index[(bad.variable == "school_size") & (bad.statistic == "sd")][0]
    bad.loc[i, "value"] = 0.01
    out = g.check_grimmer(bad, t["n"])
    flagged = out[out.status == "inconsistent"]
    assert list(flagged["quantity"]) == ["SD of school_size with its mean at N = 26"]


def test_audit_package_exports_grimmer():
    assert audit.grimmer is g.grimmer and "check_grimmer" in audit.__all__
