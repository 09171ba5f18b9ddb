"""SPRITE with ranges (collabcomm.audit.sprite): closed-form bounds by hand and against rsprite2's
published values, the search against an exhaustive enumeration of small samples, the paper."""

from __future__ import annotations

import importlib
import itertools
import math
from decimal import ROUND_HALF_UP, Decimal, getcontext
from fractions import Fraction

import pytest
from tables import statuses

from collabcomm import audit, published
from collabcomm.errors import ParameterError

sp = importlib.import_module("collabcomm.audit.sprite")


def test_moments_and_bounds_by_hand():
    assert sp.sample_moments([1, 2, 2, 5]) == (Fraction(5, 2), Fraction(3))
    # two values 0 and 1: population variance 1/4 = (1 - 1/2)(1/2 - 0); sample 1/2
    assert sp.bhatia_davis_variance(2, 1, 0, 1) == Fraction(1, 2)
    # n = 4, total 10 on 1..5 with both ends: the other two sum to 4: (2, 2) least, (1, 3) most
    least, most = sp.extreme_variances(4, 10, 1, 5)
    assert least == sp.sample_moments([1, 2, 2, 5])[1] == 3
    assert most == sp.sample_moments([1, 1, 3, 5])[1] == Fraction(11, 3)
    assert most <= sp.bhatia_davis_variance(4, 10, 1, 5)          # 4/3 x 3 x 1.5 = 6
    assert sp.extreme_variances(3, 15, 1, 5) is None               # 1 + 5 + 9 > 15 needs 9
    assert sp.extreme_variances(3, 4, 2, 2, attained=False) is None
    assert sp.extreme_variances(2, 4, 2, 2) == (0, 0)


def test_sd_limits_of_rsprite2():
    # rsprite2 tests (.sd_limits): n = 5, mean 4.2, scale 1-7 -> SDs 0.45 to 3.03:
    # 4, 4, 4, 4, 5 and 1, 1, 5, 7, 7
    least, most = sp.extreme_variances(5, 21, 1, 7, attained=False)
    assert (round(math.sqrt(least), 2), round(math.sqrt(most), 2)) == (0.45, 3.03)
    # rsprite2's boundary_test examples: n = 20, mean 4, scale 1-7: SD 1.5 within, 3.5 and 5
    # beyond the greatest possible (ten 1s and ten 7s: sqrt(20/19 x 9) = 3.078), here already
    # beyond the Bhatia-Davis bound (a printed 4.0 allows totals 79 to 81: at most 3.078)
    _, most = sp.extreme_variances(20, 80, 1, 7, attained=False)
    assert most == Fraction(180, 19) == sp.bhatia_davis_variance(20, 80, 1, 7)
    assert [sp.sprite(4.0, 1, s, 1, 20, 1, 7, attained=False).verdict
            for s in (1.5, 3.5, 5.0)] == ["found", "bhatia_davis", "bhatia_davis"]
    # where whole numbers fall short of the Bhatia-Davis bound: n = 5, mean 4.2 on 1-7 reaches
    # SD 3.033 at most (1, 1, 5, 7, 7), the bound allows sqrt(5/4 x 2.8 x 3.2) = 3.347; an SD
    # printed 3.1 passes GRIMMER (T = 21, Q = 127) but no five whole numbers have it
    assert sp.grimmer(4.2, 1, 3.1, 1, 5)
    assert sp.sprite(4.2, 1, 3.1, 1, 5, 1, 7, attained=False).verdict == "extremes"


def test_rsprite2s_documented_case_is_found():
    # rsprite2's documentation: set_parameters(mean = 2.2, sd = 1.3, n_obs = 20, min_val = 1,
    # max_val = 5); find_possible_distribution() finds a sample. So does this search, with and
    # without both ends of the scale attained, and the samples fit exactly.
    for attained in (False, True):
        r = sp.sprite(2.2, 1, 1.3, 1, 20, 1, 5, seed=1234, attained=attained)
        assert r.found and len(r.sample) == 20
        mean, var = sp.sample_moments(r.sample)
        assert Fraction(215, 100) <= mean <= Fraction(225, 100)
        assert Fraction(125, 100) ** 2 <= var <= Fraction(135, 100) ** 2
        assert not attained or (min(r.sample), max(r.sample)) == (1, 5)
    # deterministic: the same seed, the same sample
    assert sp.sprite(2.2, 1, 1.3, 1, 20, 1, 5, seed=7) == sp.sprite(2.2, 1, 1.3, 1, 20, 1, 5,
                                                                    seed=7)


def _printed(num: int, den: int, d: int) -> str:
    getcontext().prec = 40
    return str((Decimal(num) / Decimal(den)).quantize(Decimal(1).scaleb(-d),
                                                      rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(("low", "high", "nmax"), [(1, 5, 8), (1, 7, 6), (0, 10, 5)])
def test_search_finds_every_sample_an_enumeration_finds(low, high, nmax):
    # every multiset of n values in [low, high] with both ends, its mean printed to 2 and its
    # SD to 1 decimal: SPRITE must find a sample for each printed pair; for printed SDs no
    # multiset has (same mean), it must not, and the bounds must rule out most of them
    found, ruled, searched = 0, 0, 0
    for n in range(2, nmax + 1):
        pairs = set()
        for s in itertools.combinations_with_replacement(range(low, high + 1), n):
            if min(s) != low or max(s) != high:
                continue
            t, q = sum(s), sum(v * v for v in s)
            var = (q - Fraction(t * t, n)) / (n - 1)
            sd = (Decimal(var.numerator) / Decimal(var.denominator)).sqrt()
            pairs.add((_printed(t, n, 2), str(sd.quantize(Decimal("0.1"), ROUND_HALF_UP))))
        for mean, sd in sorted(pairs):
            r = sp.sprite(mean, 2, sd, 1, n, low, high, max_steps=2000)
            assert r.found, (n, mean, sd, r.verdict)
            found += 1
        for mean in sorted({m for m, _ in pairs}):
            for k in range(0, 10 * (high - low), 3):
                sd = f"{k / 10:.1f}"
                if (mean, sd) not in pairs:
                    r = sp.sprite(mean, 2, sd, 1, n, low, high, max_steps=300)
                    assert not r.found
                    ruled += r.verdict != "not_found"
                    searched += r.verdict == "not_found"
    assert found > 50 and ruled > 10 * searched


def test_bad_input_is_named():
    with pytest.raises(ParameterError, match="low must be a whole number"):
        sp.sprite(3.0, 1, 1.0, 1, 5, 1.5, 5)
    with pytest.raises(ParameterError, match="low .* must not be above high"):
        sp.sprite(3.0, 1, 1.0, 1, 5, 6, 5)
    with pytest.raises(ParameterError, match="max_steps must be at least 1"):
        sp.sprite(3.0, 1, 1.0, 1, 5, 1, 5, max_steps=0)
    with pytest.raises(ParameterError, match="n must be at least 2"):
        sp.sprite(3.0, 1, 1.0, 1, 1, 1, 5)


def test_paper_samples_at_every_n_where_grim_passes():
    desc = published.descriptives()
    table = sp.sprite_table(desc, 26)
    at26 = table[table["n"] == 26]
    assert list(at26["verdict"]) == ["grim"] * 3
    assert set(table["verdict"]) == {"grim", "found"}  # found wherever the mean passes GRIM
    other = table[table["verdict"] == "found"]
    assert {v: list(t["n"]) for v, t in other.groupby("variable", sort=False)} == {
        "api_2012": [18, 23, 27, 32, 36, 37, 40], "api_2011": [20, 23, 27, 30, 33, 37, 40],
        "school_size": [16, 20, 24, 28, 32, 36, 40]}
    d = desc.set_index(["variable", "statistic"])["value"]
    for r in other.itertuples():  # each sample fits exactly, its extremes attained
        xs = [int(v) for v in r.sample.split()]
        assert (len(xs), min(xs), max(xs)) == (r.n, d[(r.variable, "min")],
                                               d[(r.variable, "max")])
        mean, var = sp.sample_moments(xs)
        assert abs(mean - Fraction(str(d[(r.variable, "mean")]))) <= Fraction(1, 200)
        assert abs(math.sqrt(var) - d[(r.variable, "sd")]) <= 0.005 + 1e-12
        assert r.steps < 2000  # fast: a few hundred moves
    # the closed-form bounds at N = 18 for API 2012, by hand: 740, 967 and sixteen values
    # summing to 15286 - 1707 = 13579 = 16 x 848 + 11: least SD 38.96
    r18 = table[(table.variable == "api_2012") & (table.n == 18)].iloc[0]
    assert round(r18.sd_least, 2) == 38.96
    rows = sp.check_sprite(desc, 26, table=table)
    assert statuses(rows) == {"not_checkable": 3}
    assert "Found at N = 18, 23, 27, 32, 36, 37, 40" in rows.iloc[0]["note"]


def test_possible_n_table_puts_the_three_tests_side_by_side():
    table = sp.possible_n_table(published.descriptives(), 26)
    assert len(table) == 3 * 25 and list(table.columns[:7]) == [
        "variable", "n", "grim", "grim_tie_only", "grimmer", "grimmer_failed", "totals"]
    assert (table["grimmer"] == (table["sprite"] == "found")).all()
    row = table[(table.variable == "api_2012") & (table.n == 40)].iloc[0]
    assert (row.grim_tie_only, row.totals, row.sprite) == (True, "33969", "found")
    summary = sp.possible_n_summary(table).set_index("variable")
    assert summary.loc["api_2011", "sprite"] == "20, 23, 27, 30, 33, 37, 40"
    # the three variables describe the same schools: only N = 40 serves all three, and only
    # if API 2012's mean 849.225 (33969 / 40) was printed 849.22
    assert summary.loc["all"].to_dict() == {"grim": "40", "grimmer": "40", "sprite": "40",
                                            "tie_only": "40"}


def test_consistent_tables_and_a_planted_range(consistent):
    _, t = consistent
    assert statuses(sp.check_sprite(t["descriptives"], t["n"])) == {"match": 3}
    bad = t["descriptives"].copy()
    i = bad.index[(bad.variable == "school_size") & (bad.statistic == "max")][0]
    mean = bad[(bad.variable == "school_size") & (bad.statistic == "mean")]["value"].iloc[0]
    bad.loc[i, "value"] = float(math.ceil(mean) + 1)  # a range too narrow for the SD
    out = sp.check_sprite(bad, t["n"])
    flagged = out[out.status == "inconsistent"]
    assert list(flagged["quantity"]) == [
        "a sample of school_size with the printed mean, SD, min and max at N = 26"]


def test_each_search_takes_well_under_a_second():
    # the budget: at most 1 s per variable and N on 2 cores; each takes milliseconds
    import time

    d = published.descriptives().set_index(["variable", "statistic"])["value"]
    slowest = 0.0
    for var, sizes in (("api_2012", (18, 40)), ("api_2011", (20, 40)),
                       ("school_size", (16, 40))):
        for k in sizes:
            start = time.perf_counter()
            r = sp.sprite(d[(var, "mean")], 2, d[(var, "sd")], 2, k, d[(var, "min")],
                          d[(var, "max")])
            slowest = max(slowest, time.perf_counter() - start)
            assert r.found
    assert slowest < 1.0


def test_audit_package_exports_sprite():
    assert audit.sprite is sp.sprite and "check_sprite" in audit.__all__
