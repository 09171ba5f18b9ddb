"""The audit's rows in words (collabcomm.audit.words): what notebook 06's tables show in place
of the shared identifiers and status codes, and the status tallies it prints."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from collabcomm import audit
from collabcomm.paths import project
from collabcomm.schema import AUDIT_STATUSES

ITEM_IDS = [f"{scale}_{facet}"
            for scale in ("traditional", "bureaucratic", "collaborative", "fragmented")
            for facet in ("policies", "disagreements", "recruitment", "administrators", "union")]


@pytest.fixture(scope="module")
def committed() -> pd.DataFrame:
    """data/derived/audit.csv as committed (notebook 06 writes it)."""
    return pd.read_csv(project().derived / "audit.csv", dtype=str, keep_default_na=False)


def test_every_status_of_the_schema_has_words_and_only_those():
    assert list(audit.STATUS_WORDS) == list(AUDIT_STATUSES)
    assert audit.STATUS_WORDS["not_checkable"] == "not checkable"
    assert len(set(audit.STATUS_WORDS.values())) == len(AUDIT_STATUSES)


def test_the_figure_and_the_website_use_the_same_status_words():
    from collabcomm.figures.consistency import STATUS_LABELS
    from collabcomm.pipeline import pages

    assert pages.STATUS_LABELS is audit.STATUS_WORDS
    assert STATUS_LABELS == {**audit.STATUS_WORDS, "not checked": "not checked"}


def test_identifiers_are_the_paper_s_labels():
    words = audit.identifier_words()
    assert {k: v for k, v in words.items() if k not in ITEM_IDS} == {
        "api_2012": "API 2012", "api_2011": "API 2011", "sed_pct": "% SED",
        "school_size": "School Size", "r_squared": "R²", "n_obs": "N",
        "not_significant": "not significant",
        "weakly_significant": "weakly significant", "strongly_significant": "strongly significant"}
    assert sorted(k for k in words if k in ITEM_IDS) == sorted(ITEM_IDS)
    assert words["collaborative_policies"] == "the collaborative item on policies"
    assert words["traditional_administrators"] == "the traditional item on administrators"


@pytest.mark.parametrize(("code", "words"), [
    ("mean of api_2012 at N = 26", "mean of API 2012 at N = 26"),
    ("star of r(sed_pct, api_2011)", "star of r(% SED, API 2011)"),
    ("Model 6: school_size (stars)", "Model 6: School Size (stars)"),
    ("Model 1: r_squared", "Model 1: R²"),
    ("sign of fragmented_union", "sign of the fragmented item on union"),
    ("r(school_size, collaborative)", "r(School Size, collaborative)"),
    ("positive strongly_significant", "positive strongly significant"),
    # only whole identifiers: inside a longer name nothing is replaced
    ("my_sed_pct, sed_pct2, api_20123, r_squared_adj", "my_sed_pct, sed_pct2, api_20123, r_squared_adj"),
    ("C39: Model 1 coefficient of API 2011", "C39: Model 1 coefficient of API 2011"),
])
def test_quantity_in_words(code, words):
    assert audit.quantity_in_words(code) == words


def test_no_identifier_is_left_in_the_committed_audit_s_quantities(committed):
    shown = audit.in_words(committed)
    left = sorted({t for q in shown["quantity"] for t in re.findall(r"\b\w+_\w+\b", q)})
    assert left == []
    # and the words did reach them: 137 quantities name a variable of Exhibit 2, R² or an item
    # (counted by substring in the raw file: 137)
    changed = sum(audit.quantity_in_words(q) != q for q in committed["quantity"])
    assert changed == 137
    # the claims' coded statements of significance (C37, C42 to C45)
    published = shown.loc[committed["published"] != shown["published"], "published"]
    assert published.tolist() == ["positive not significant", "positive weakly significant",
                                  "negative strongly significant", "negative strongly significant",
                                  "positive strongly significant"]
    assert not shown["published"].str.contains("_").any()


def test_in_words_keeps_what_filters_and_does_not_touch_its_input():
    rows = pd.DataFrame({"check": ["grim", "text_mean"], "quantity": ["mean of sed_pct", "C17"],
                         "status": ["not_checkable", "match"], "note": ["sed_pct as is", ""]},
                        index=[7, 3])
    before = rows.copy()
    shown = audit.in_words(rows)
    pd.testing.assert_frame_equal(rows, before)
    assert shown.index.tolist() == [7, 3]
    assert shown["check"].tolist() == ["grim", "text_mean"]
    assert shown["quantity"].tolist() == ["mean of % SED", "C17"]
    assert shown["status"].tolist() == ["not checkable", "match"]
    assert shown["note"].tolist() == ["sed_pct as is", ""]  # notes are prose, left alone
    assert audit.in_words(rows[["check", "note"]]).equals(rows[["check", "note"]])


def test_a_status_without_words_is_refused_by_name():
    rows = pd.DataFrame({"quantity": ["x"], "status": ["unclear"]})
    with pytest.raises(ValueError, match="'unclear' has no words"):
        audit.in_words(rows)
    with pytest.raises(ValueError, match="'unclear' has no words"):
        audit.tally(["match", "unclear"])
    with pytest.raises(ValueError, match="no audit statuses"):
        audit.tally([])


def test_tally_counts_codes_and_words_alike_in_the_schema_s_order():
    assert audit.tally(["not_checkable", "match", "inconsistent", "match", "not checkable"]) == (
        "2 match, 1 inconsistent, 2 not checkable")
    assert audit.tally(pd.Series(["differs"] * 3)) == "3 differs"


def test_notebook_06_s_tallies_of_the_committed_audit(committed):
    """The sentences notebook 06 prints above Tables 6.3 and 6.9, from the committed file."""
    shown = audit.in_words(committed)
    stars = shown[shown.check == "correlation_stars"]
    text = shown[shown.check.str.startswith("text_")]
    assert audit.tally(stars.status) == "28 match"
    assert audit.tally(text.status) == "40 match, 3 inconsistent, 10 not checkable"
    assert audit.tally(committed.status) == "189 match, 55 inconsistent, 17 not checkable"


@pytest.mark.parametrize(("code", "words"), [
    ("|r| < 0.3882: ''", "|r| < 0.3882: no star"),
    ("|r| > 0.3882: '*'", "|r| > 0.3882: *"),
    ("'**' means p in [0.0, 0.01)", "** means p in [0.0, 0.01)"),
    ("'+' means p in [0.05, 0.1)", "+ means p in [0.05, 0.1)"),
    ("'***'", "***"),
    ("bureaucratic: correlation needed by Model 2's '+' vs the items' bound",
     "bureaucratic: correlation needed by Model 2's + vs the items' bound"),
    # quotes that hold words, or more than three stars, are not marks
    ("defined in the Methods as 'the number of full time teachers'",
     "defined in the Methods as 'the number of full time teachers'"),
    ("used in C01's arithmetic", "used in C01's arithmetic"),
    ("'****' and 'x'", "'****' and 'x'"),
])
def test_stars_in_words(code, words):
    assert audit.stars_in_words(code) == words


def test_no_quoted_mark_is_left_in_the_committed_audit_s_tables(committed):
    shown = audit.in_words(committed)
    for column in ("quantity", "reproduced", "note"):
        assert not shown[column].str.contains(r"'(?:\*{1,3}|\+|)'").any(), column
    # in the reproduced column: the 28 stars of Exhibit 3 against the critical r
    assert (shown["reproduced"] != committed["reproduced"]).sum() == 28
    assert shown.loc[committed["reproduced"] == "|r| < 0.3882: ''", "reproduced"].unique().tolist() \
        == ["|r| < 0.3882: no star"]


def test_in_words_also_names_the_columns_asked_for():
    rows = pd.DataFrame({"row": ["api_2012", "all"], "col": ["sed_pct", "all"],
                         "coef_cell": ["Model 4: school_size", ""], "half_width": [5e-05, None]})
    shown = audit.in_words(rows, also=("row", "col", "coef_cell"))
    assert shown["row"].tolist() == ["API 2012", "all"]
    assert shown["col"].tolist() == ["% SED", "all"]
    assert shown["coef_cell"].tolist() == ["Model 4: School Size", ""]
    assert shown["half_width"].iloc[0] == 5e-05
    assert audit.in_words(rows)["row"].tolist() == ["api_2012", "all"]  # only when asked
    with pytest.raises(ValueError, match="no column 'cell' to name in words"):
        audit.in_words(rows, also=("row", "cell"))
