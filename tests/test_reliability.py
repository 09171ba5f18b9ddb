"""Reliability and agreement (collabcomm.reliability): hand computations, R's psych::alpha
(tests/reference/psych_alpha.R wrote the pinned values) and pingouin."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from collabcomm import reliability as rel
from collabcomm.errors import CollabcommError, MissingDataWarning
from collabcomm.intraclass import icc

REF = Path(__file__).parent / "reference"


def test_alpha_by_hand():
    # items a, b, c; a = b = c gives alpha 1; hand example below
    d = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 4], "c": [1, 3, 3, 5]}, dtype=float)
    # item variances 5/3, 4/3, 8/3 (sum 17/3); totals 4,7,10,13 -> variance 15
    # alpha = 3/2 * (1 - (17/3)/15) = 3/2 * (28/45) = 0.933333...
    assert rel.cronbach_alpha(d).alpha == pytest.approx(14 / 15)
    same = pd.DataFrame({"a": [1, 2, 3.0], "b": [1, 2, 3.0]})
    assert rel.cronbach_alpha(same).alpha == pytest.approx(1.0)


def test_alpha_errors_are_clear():
    with pytest.raises(CollabcommError, match="at least 3 complete cases, got 2"):
        rel.cronbach_alpha(pd.DataFrame({"a": [1.0, 2], "b": [2.0, 1]}), missing="listwise")
    with pytest.raises(CollabcommError, match="answered both items of every pair; a and b were "
                                              "both answered by 2"):
        rel.cronbach_alpha(pd.DataFrame({"a": [1.0, 2, 3, None], "b": [2.0, 1, None, 4]}))
    with pytest.raises(CollabcommError, match="handled pairwise or listwise, not 'all'"):
        rel.cronbach_alpha(pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 1, 3]}), missing="all")
    with pytest.raises(CollabcommError, match="zero variance"):
        rel.cronbach_alpha(pd.DataFrame({"a": [1.0, 2, 3], "b": [3.0, 2, 1]}))
    with pytest.raises(CollabcommError, match=r"lack item column\(s\) \['z'\]"):
        rel.cronbach_alpha(pd.DataFrame({"a": [1.0, 2, 3]}), ["a", "z"])


@pytest.fixture(scope="module")
def psych():
    ref = pd.read_csv(REF / "psych_alpha.csv")
    return {(r.file, r.item, r.statistic): r.value for r in ref.itertuples()}


@pytest.mark.parametrize("name", ["alpha_items.csv", "alpha_items_fragmented.csv"])
def test_against_r_psych_alpha(psych, name):
    d = pd.read_csv(REF / name)
    a = rel.cronbach_alpha(d)
    assert a.alpha == pytest.approx(psych[(name, "(total)", "raw_alpha")], abs=1e-12)
    assert a.std_alpha == pytest.approx(psych[(name, "(total)", "std_alpha")], abs=1e-12)
    assert rel.mean_interitem_r(d) == pytest.approx(psych[(name, "(total)", "average_r")], abs=1e-12)
    assert a.ci_low == pytest.approx(psych[(name, "(total)", "feldt_low")], abs=1e-10)
    assert a.ci_high == pytest.approx(psych[(name, "(total)", "feldt_high")], abs=1e-10)
    items = rel.item_statistics(d).set_index("item")
    for it in d.columns:
        assert items.loc[it, "item_rest_r"] == pytest.approx(psych[(name, it, "r_drop")], abs=1e-12)
        assert items.loc[it, "alpha_if_deleted"] == pytest.approx(
            psych[(name, it, "alpha_if_deleted")], abs=1e-12)
        assert items.loc[it, "mean"] == pytest.approx(psych[(name, it, "mean")], abs=1e-12)
        assert items.loc[it, "sd"] == pytest.approx(psych[(name, it, "sd")], abs=1e-12)


@pytest.mark.parametrize("name", ["alpha_items.csv", "alpha_items_fragmented.csv"])
def test_against_pingouin(name):
    d = pd.read_csv(REF / name)
    a = rel.cronbach_alpha(d)
    pa, (lo, hi) = pg.cronbach_alpha(data=d)
    assert a.alpha == pytest.approx(pa, abs=1e-12)
    assert (round(a.ci_low, 3), round(a.ci_high, 3)) == (lo, hi)  # pingouin rounds to 3


def test_rwg_by_hand():
    # two items, variances 1 and 0 -> mean 0.5; 5 options: sigma_EU^2 = 2; ratio .25
    g = pd.DataFrame({"a": [1, 2, 3.0], "b": [2, 2, 2.0]})
    r = rel.rwg_j(g, 5)
    assert r["rwg_star_j"] == pytest.approx(0.75)
    assert r["rwg_j"] == pytest.approx(2 * 0.75 / (2 * 0.75 + 0.25))
    wide = pd.DataFrame({"a": [1, 5, 1, 5.0], "b": [5, 1, 5, 1.0]})  # variance 5.33 > 2
    r = rel.rwg_j(wide, 5)
    assert r["rwg_j"] == 0.0 and r["rwg_star_j"] < 0


def test_aggregate_suppresses_small_schools():
    scores = pd.DataFrame({"teacher_id": list("abcdefgh"), "school_id": ["A"] * 5 + ["B"] * 3,
                           "collaborative": [10, 20, 30, 40, 50, 60, 70, 80.0]})
    items = pd.DataFrame({"school_id": scores["school_id"], "i1": [1, 2, 3, 4, 5, 1, 2, 3.0],
                          "i2": [2, 2, 3, 4, 4, 1, 1, 1.0]})
    out = rel.aggregate(scores, items, {"collaborative": ["i1", "i2"]}, min_respondents=5)
    assert list(out["schools"]["school_id"]) == ["A"]
    assert out["schools"].loc[0, "collaborative"] == 30.0
    assert list(out["suppressed"].columns) == ["school_id"]
    assert list(out["suppressed"]["school_id"]) == ["B"]
    assert set(out["agreement"]["school_id"]) == {"A"}


def test_formative_composite_predicts_despite_low_alpha():
    demo = rel.formative_demo(n=2000, seed=1)
    assert abs(demo["mean_interitem_r"]) < 0.05
    assert demo["alpha"] < 0.2
    assert demo["r_squared_of_composite"] > 0.6  # theoretical 5 / (5 + 2.5) = .667


def test_alpha_feldt_interval_covers_the_estimate():
    rng = np.random.default_rng(0)
    f = rng.standard_normal((200, 1))
    d = pd.DataFrame(f + rng.standard_normal((200, 5)))
    a = rel.cronbach_alpha(d)
    assert a.ci_low < a.alpha < a.ci_high


def _survey(blocks):
    """Teacher rows from (school, answers) blocks: answers None = a blank row, a number = that
    answer to all 20 items, a dict = item -> answer (others blank)."""
    from collabcomm.schema import ITEM_IDS

    rows = []
    for school, answers in blocks:
        if answers is None:
            cells = dict.fromkeys(ITEM_IDS, np.nan)
        elif isinstance(answers, dict):
            cells = {i: float(answers.get(i, np.nan)) for i in ITEM_IDS}
        else:
            cells = dict.fromkeys(ITEM_IDS, float(answers))
        rows.append({"teacher_id": f"t{len(rows) + 1}", "school_id": school, **cells})
    return pd.DataFrame(rows)


def test_suppression_counts_respondents_not_rows():
    # school B: 4 blank rows and one answering teacher; 5 rows but 1 respondent
    from collabcomm import survey

    responses = _survey([*[("A", a) for a in (1, 2, 3, 4, 5)], *[("B", None)] * 4, ("B", 5),
                         *[("C", a) for a in (2, 2, 3, 3, 4)]])
    tables = survey.analyse(responses, min_respondents=5)
    assert list(tables["schools"]["school_id"]) == ["A", "C"]
    assert list(tables["schools"]["n_respondents"]) == [5, 5]
    assert list(tables["suppressed"]["school_id"]) == ["B"]
    assert set(tables["agreement"]["school_id"]) == {"A", "C"}
    assert list(tables["icc"]["schools"]) == [2, 2, 2, 2]
    assert list(tables["icc"]["teachers"]) == [10, 10, 10, 10]
    assert tables["schools"].loc[0, "collaborative"] == 50.0  # answers 1..5 -> POMP 0..100


def test_suppression_is_per_scale_where_scales_differ():
    # school B: 5 teachers scored on collaborative, only 3 on traditional (two answered no
    # traditional item); its traditional cell and rwg are blank, and it is left out of
    # traditional's ICC, but its collaborative score is shown
    from collabcomm import survey
    from collabcomm.schema import ITEM_IDS

    collab_only = {i: 4 for i in ITEM_IDS if not i.startswith("traditional")}
    responses = _survey([*[("A", a) for a in (1, 2, 3, 4, 5)],
                         *[("B", a) for a in (3, 4, 5)], ("B", collab_only), ("B", collab_only),
                         *[("C", a) for a in (2, 2, 3, 3, 4)]])
    tables = survey.analyse(responses, min_respondents=5)
    schools = tables["schools"].set_index("school_id")
    assert np.isnan(schools.loc["B", "traditional"])
    assert schools.loc["B", "collaborative"] == 100 * (4 - 1) / 4  # answers 3, 4, 5, 4, 4
    assert schools.loc["B", "n_respondents"] == 5
    assert tables["suppressed"].empty
    icc = tables["icc"].set_index("scale")
    assert icc.loc["traditional", "schools"] == 2 and icc.loc["traditional", "teachers"] == 10
    assert icc.loc["collaborative", "schools"] == 3
    agree = tables["agreement"].set_index(["school_id", "scale"])
    assert ("B", "traditional") not in agree.index
    assert ("B", "collaborative") in agree.index


def test_a_school_with_every_answer_missing_does_not_abort_the_icc():
    v = [1.0, 2.0, 4.0, 5.0, np.nan, np.nan]
    g = ["a", "a", "b", "b", "c", "c"]
    with pytest.warns(MissingDataWarning, match=r"left out group\(s\) \['c'\]: every value is "
                                                r"missing"):
        res = icc(v, g)
    assert res == icc(v[:4], g[:4])
    with pytest.raises(CollabcommError, match=r"ICC needs at least two groups with a value, "
                                              r"got 1; group\(s\) \['c'\] have no value"):
        icc([1.0, 2.0, np.nan], ["a", "a", "c"])
    # in the aggregation: a school of blank rows is suppressed, the ICC still computed
    from collabcomm import survey

    responses = _survey([*[("A", a) for a in (1, 2, 3, 4, 5)], *[("B", None)] * 5,
                         *[("C", a) for a in (2, 2, 3, 3, 4)]])
    tables = survey.analyse(responses, min_respondents=5)
    assert list(tables["suppressed"]["school_id"]) == ["B"]
    assert list(tables["icc"]["schools"]) == [2, 2, 2, 2]


def _aggregate_by_loop(scores, responses, scales, n_options, min_respondents, unit):
    """The unit-by-unit reference: rwg_j and icc on each unit and scale, as aggregate once
    computed them in a Python loop."""
    import numpy as np

    counts = rel.respondent_counts(scores, list(scales), unit=unit)
    shown = counts >= min_respondents
    rows = []
    for scale, items in scales.items():
        units_shown = shown.index[shown[scale]]
        r = responses[scores[unit].isin(units_shown).to_numpy()]
        for sid, g in r.groupby(unit):
            complete = g[items].dropna()
            a = (rel.rwg_j(complete, n_options) if len(complete) >= max(2, min_respondents)
                 else {"rwg_j": np.nan, "rwg_star_j": np.nan})
            rows.append((sid, scale, a["rwg_j"], a["rwg_star_j"]))
    return pd.DataFrame(rows, columns=[unit, "scale", "rwg_j", "rwg_star_j"])


@pytest.mark.parametrize("min_respondents", [1, 2, 5])
def test_grouped_aggregate_equals_the_unit_by_unit_loop(min_respondents):
    """Units of every size from 1 to 12, blanks, a unit with no complete answer, a unit whose
    scale is suppressed, an agreeing unit (variance 0) and one beyond the null (rwg_j 0)."""
    import numpy as np

    rng = np.random.default_rng(7)
    sizes = list(range(1, 13)) * 3
    unit = np.repeat([f"u{i:02d}" for i in range(len(sizes))], sizes)
    n = len(unit)
    items = pd.DataFrame(rng.integers(1, 6, (n, 6)).astype(float),
                         columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    items = items.mask(rng.random(items.shape) < 0.15)
    items.loc[unit == "u05", ["a1", "a2", "a3"]] = 3.0   # full agreement
    items.loc[unit == "u11", "a1"] = np.nan               # no complete answer on a
    extreme = np.flatnonzero(unit == "u23")
    items.loc[extreme, ["b1", "b2", "b3"]] = np.where(np.arange(len(extreme)) % 2, 1.0, 5.0)[:, None]
    scales = {"a": ["a1", "a2", "a3"], "b": ["b1", "b2", "b3"]}
    scores = pd.DataFrame({"unit_id": unit, "r": np.arange(n)})
    for s, cols in scales.items():
        scores[s] = items[cols].mean(axis=1).where(items[cols].notna().sum(axis=1) >= 2)
    responses = items.assign(unit_id=unit)
    got = rel.aggregate(scores, responses, scales, n_options=5,
                        min_respondents=min_respondents, unit="unit_id")
    want = _aggregate_by_loop(scores, responses, scales, 5, min_respondents, "unit_id")
    pd.testing.assert_frame_equal(got["agreement"], want, check_exact=False, rtol=0, atol=1e-14)
    a = got["agreement"].set_index(["unit_id", "scale"])
    assert a.loc[("u05", "a"), "rwg_j"] == 1.0 if min_respondents <= 6 else True
    assert a.loc[("u23", "b"), "rwg_j"] == 0.0 and a.loc[("u23", "b"), "rwg_star_j"] < 0
    assert np.isnan(a.loc[("u11", "a"), "rwg_j"])
    small = [f"u{i:02d}" for i, size in enumerate(sizes) if size < min_respondents]
    assert set(got["suppressed"]["unit_id"]) <= set(small)
    for scale in scales:  # ICC over the units shown: the same as icc() on them directly
        on = scores[scores["unit_id"].isin(got["schools"].dropna(subset=[scale])["unit_id"])]
        on = on.dropna(subset=[scale])
        want_icc = icc(on[scale], on["unit_id"])
        row = got["icc"].set_index("scale").loc[scale]
        assert row["icc1"] == pytest.approx(want_icc["icc1"], abs=1e-14)
        assert (row["schools"], row["teachers"]) == (want_icc["groups"], want_icc["n"])


def test_feldt_quantile_is_scipy_stats_f_isf_to_the_bit():
    import itertools

    from scipy import stats

    from collabcomm.reliability import f_upper_quantile
    for q, df1, df2 in itertools.product([0.001, 0.025, 0.5, 0.975], [1, 3, 10, 199_999],
                                         [2, 40, 799_996]):
        assert f_upper_quantile(q, df1, df2) == stats.f.isf(q, df1, df2), (q, df1, df2)
    assert f_upper_quantile(0.025, 10, 40) == pytest.approx(2.388161086689864, abs=1e-12)
    for bad in ((0.025, 0, 40), (0.025, 10, 0), (0.025, -1, 4), (1.5, 10, 40)):
        assert math.isnan(f_upper_quantile(*bad)), bad
