"""Missing answers in reliability (collabcomm.reliability, through collabcomm.survey): pairwise
as R's psych::alpha by default, listwise (complete cases) on request, pinned to psych on real
data with missing answers (tests/reference/psych_missing.R wrote the values)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference_missing import (
    REF,
    SCALES,
    cohesion_file,
    r_value,
)

from collabcomm import codebook, instrument, survey
from collabcomm import reliability as rel
from collabcomm.errors import CodebookError
from collabcomm.pipeline.cli import main

TOL = 1e-9  # the two agree to about 1e-14


def test_the_data_have_real_missing_answers(missing_surveys):
    lq, _ = missing_surveys["lq2002_missing"]
    items = [c for s in ("LEAD", "TSIG", "HOSTIL") for c in SCALES[s]]
    per_item = lq[items].isna().sum()
    assert per_item.sum() == 1940 and per_item.min() >= 85  # 5 %, every item loses some
    coh, _ = missing_surveys["cohesion"]
    assert coh[SCALES["COH"]].isna().sum().sum() == 1


@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
@pytest.mark.parametrize("data", ["lq2002_missing", "cohesion"])
def test_reliability_table_equals_psych(missing_ref, missing_surveys, data, missing):
    responses, cb = missing_surveys[data]
    tables = survey.analyse(responses, cb, reliability_missing=missing)
    table = tables["reliability"].set_index("scale")
    assert list(table.index) == ([s for s in SCALES if s != "COH"] if data != "cohesion"
                                 else ["COH"])
    for scale, row in table.iterrows():
        def r(stat, scale=scale):
            return r_value(missing_ref, data, scale, missing, stat)
        assert row["missing_answers"] == missing
        assert row["alpha"] == pytest.approx(r("raw_alpha"), abs=TOL)
        assert row["std_alpha"] == pytest.approx(r("std_alpha"), abs=TOL)
        assert row["mean_interitem_r"] == pytest.approx(r("average_r"), abs=TOL)
        assert row["ci_low"] == pytest.approx(r("feldt_low"), abs=TOL)
        assert row["ci_high"] == pytest.approx(r("feldt_high"), abs=TOL)
        assert (row["n"], row["n_complete"], row["n_pairwise_min"]) == (
            r("n_feldt"), r("n_complete"), r("n_pairwise_min"))
    items = tables["items"].set_index("item")
    for scale in table.index:
        for item in SCALES[scale]:
            def ri(stat, scale=scale, item=item):
                return r_value(missing_ref, data, scale, missing, stat, item)
            assert items.loc[item, "n"] == ri("n")
            for col, stat in (("mean", "mean"), ("sd", "sd"), ("item_rest_r", "r_drop"),
                              ("alpha_if_deleted", "alpha_if_deleted")):
                assert items.loc[item, col] == pytest.approx(ri(stat), abs=TOL), (item, col)


def test_the_two_modes_differ_where_answers_are_missing(missing_surveys):
    # the example: cohesion's one missing answer moves alpha in the third decimal
    responses, cb = missing_surveys["cohesion"]
    pair = survey.analyse(responses, cb)
    listwise = survey.analyse(responses, cb, reliability_missing="listwise")
    assert round(pair["reliability"]["alpha"].iloc[0], 4) == 0.8839
    assert round(listwise["reliability"]["alpha"].iloc[0], 4) == 0.8848
    coh02 = pair["items"].set_index("item").loc["COH02"]
    assert (coh02["n"], round(coh02["item_rest_r"], 3)) == (10, 0.609)
    assert listwise["items"].set_index("item").loc["COH02", "item_rest_r"] == pytest.approx(
        0.654, abs=5e-4)
    assert (pair["reliability"]["n"].iloc[0], listwise["reliability"]["n"].iloc[0]) == (11, 10)


def test_without_missing_answers_the_modes_agree():
    d = pd.read_csv(REF / "alpha_items.csv")
    a, b = rel.cronbach_alpha(d), rel.cronbach_alpha(d, missing="listwise")
    assert a == rel.Alpha(**{**b.__dict__, "missing": "pairwise"})
    pd.testing.assert_frame_equal(rel.item_statistics(d),
                                  rel.item_statistics(d, missing="listwise"))
    assert a.n == a.n_complete == a.n_pairwise_min == len(d)


def test_pairwise_by_hand():
    # b misses the last answer: var(a) over 4 answers, var(b) and cov(a, b) over 3
    d = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [1.0, 3, 2, np.nan]})
    c = np.array([[5 / 3, 0.5], [0.5, 1.0]])
    a = rel.cronbach_alpha(d)
    assert a.alpha == pytest.approx(2 * (1 - (5 / 3 + 1) / c.sum()))
    assert a.std_alpha == pytest.approx(2 * (0.5 / np.sqrt(5 / 3)) / (1 + 0.5 / np.sqrt(5 / 3)))
    assert (a.n, a.n_complete, a.n_pairwise_min) == (4, 3, 3)
    items = rel.item_statistics(d)
    assert items["n"].tolist() == [4, 3]
    assert items["mean"].tolist() == pytest.approx([2.5, 2.0])
    # a respondent with no answer at all takes no part (not even in Feldt's n)
    blank = pd.concat([d, pd.DataFrame({"a": [np.nan], "b": [np.nan]})], ignore_index=True)
    assert rel.cronbach_alpha(blank) == a


def test_codebook_key_and_its_errors():
    from conftest import minimal_codebook

    cb = codebook.from_mapping(minimal_codebook(reliability_missing="listwise"), "x.yaml")
    assert cb.reliability_missing == "listwise"
    assert codebook.from_mapping(minimal_codebook(), "x.yaml").reliability_missing == "pairwise"
    assert codebook.from_mapping(codebook.to_mapping(cb), "x.yaml") == cb
    with pytest.raises(CodebookError, match=r"x.yaml: reliability_missing: must be pairwise or "
                                            r"listwise, not 'complete'"):
        codebook.from_mapping(minimal_codebook(reliability_missing="complete"), "x.yaml")
    assert instrument.resolve(cb, reliability_missing="pairwise").reliability_missing == \
        "pairwise"


def test_score_option_and_codebook_choose_the_mode(tmp_path, missing_surveys, missing_ref):
    path, cb = cohesion_file(tmp_path)
    book = tmp_path / "cohesion.yaml"
    book.write_text(codebook.to_yaml(cb), encoding="utf-8")
    assert main(["score", str(path), "--codebook", str(book), "--out",
                 str(tmp_path / "pair.csv")]) == 0
    assert main(["score", str(path), "--codebook", str(book), "--reliability-missing",
                 "listwise", "--out", str(tmp_path / "list.csv")]) == 0
    listwise_book = tmp_path / "listwise.yaml"
    listwise_book.write_text(codebook.to_yaml(codebook.with_options(
        cb, reliability_missing="listwise")), encoding="utf-8")
    assert "reliability_missing: \"listwise\"" in listwise_book.read_text(encoding="utf-8")
    assert main(["score", str(path), "--codebook", str(listwise_book), "--out",
                 str(tmp_path / "book.csv")]) == 0
    for name, missing in (("pair", "pairwise"), ("list", "listwise"), ("book", "listwise")):
        table = pd.read_csv(tmp_path / f"{name}_reliability.csv")
        assert table["missing_answers"].tolist() == [missing]
        assert table["alpha"].iloc[0] == pytest.approx(
            r_value(missing_ref, "cohesion", "COH", missing, "raw_alpha"), abs=1e-6)


def test_a_one_item_scale_gets_a_row_with_counts_and_a_note():
    from conftest import minimal_codebook

    cb = codebook.from_mapping(minimal_codebook(items=[
        {"id": "a1", "scale": "a"}, {"id": "b1", "scale": "b"}, {"id": "b2", "scale": "b"}]),
        "x.yaml")
    responses = pd.DataFrame({"r": list("123456"), "u": ["x"] * 6,
                              "a1": [1.0, 2, 3, 4, 5, np.nan], "b1": [1.0, 2, 3, 4, 5, 1],
                              "b2": [2.0, 2, 3, 5, 5, 1]})
    row = survey.analyse(responses, cb)["reliability"].set_index("scale").loc["a"]
    assert np.isnan(row["alpha"]) and np.isnan(row["omega"])
    assert (row["n"], row["n_complete"], row["k"]) == (5, 5, 1) and pd.isna(row["n_pairwise_min"])
    assert row["note"].startswith("reliability needs at least two items; omega needs at least")
