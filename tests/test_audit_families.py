"""The audit's check families in words (collabcomm.audit.families): every family the audit
produces has words, the words name one family each, and notebook 06's summary table keeps
every count of audit.summary."""

from __future__ import annotations

import pandas as pd
import pytest

from collabcomm import audit, published
from collabcomm.audit.families import FAMILIES, TEXT_KINDS, family_label, summary_table
from collabcomm.schema import AUDIT_STATUSES


def test_every_family_of_the_paper_s_audit_has_words(paper_audit):
    labels = {c: family_label(c) for c in paper_audit["check"].unique()}
    assert labels["exhibit4_from_moments"] == "Exhibit 4 from Exhibits 2 and 3"
    assert labels["text_count"] == "The text's counts"
    assert all(label != code for code, label in labels.items())


def test_every_kind_of_claim_has_words():
    kinds = set(published.claims()["kind"])
    assert kinds and kinds <= set(TEXT_KINDS)


def test_the_words_name_one_family_each_and_fit_a_phone_s_column():
    words = list(FAMILIES.values()) + [family_label(f"text_{k}") for k in TEXT_KINDS]
    assert len(words) == len(set(words))
    assert max(len(w) for w in words) <= 41


@pytest.mark.parametrize("check", ["exhibit6_anything", "text_", "text_unknown_kind", ""])
def test_a_family_without_words_is_refused_by_name(check):
    with pytest.raises(ValueError, match=f"family {check!r} has no words"):
        family_label(check)


#: Table 6.1 for the paper's own tables (notebook 06 adds the reconstruction's row, 80 matches):
#: family, match, differs, inconsistent, not checkable. The same at 1000 and 4000 draws.
PAPER_TABLE = [
    ("GRIM: Exhibit 2's means and ranges", 6, 0, 3, 0),
    ("GRIMMER: Exhibit 2's SDs", 0, 0, 0, 3),
    ("SPRITE: samples behind Exhibit 2", 0, 0, 0, 3),
    ("Exhibit 3's stars against critical r", 28, 0, 0, 0),
    ("Exhibit 4 from Exhibits 2 and 3", 4, 0, 33, 1),
    ("Exhibit 4's stars from Exhibits 2 and 3", 24, 0, 7, 0),
    ("Exhibit 4's stars against R-squared gains", 3, 0, 1, 0),
    ("Exhibit 5: one sign per scale", 4, 0, 0, 0),
    ("Exhibit 5 against Exhibit 3", 0, 0, 4, 0),
    ("Exhibit 5 against Exhibit 4's stars", 0, 0, 4, 0),
    ("The text's counts", 4, 0, 0, 6),
    ("The text's percentages", 0, 0, 0, 2),
    ("The text's means", 5, 0, 1, 0),
    ("The text's standard deviations", 2, 0, 0, 0),
    ("The text's minimums", 2, 0, 0, 0),
    ("The text's maximums", 2, 0, 0, 0),
    ("The text's bounds", 2, 0, 0, 0),
    ("The text's correlations", 8, 0, 0, 0),
    ("The text's coefficients", 9, 0, 0, 0),
    ("The text's R-squared values", 1, 0, 0, 0),
    ("The text's comparisons", 0, 0, 1, 0),
    ("The text's orderings", 1, 0, 0, 0),
    ("The text's signs of the items", 1, 0, 0, 0),
    ("The text's robustness claims", 0, 0, 0, 1),
    ("The text's methods", 1, 0, 0, 1),
    ("The text's references to the exhibits", 2, 0, 1, 0),
    ("All checks", 109, 0, 55, 17),
]


def test_table_6_1_of_the_paper_s_audit(paper_audit):
    table = summary_table(audit.summary(paper_audit))
    assert list(table.columns) == list(AUDIT_STATUSES)
    assert table.index.name == "family"
    assert [(label, *map(int, row)) for label, row in zip(
        table.index, table.to_numpy(), strict=True)] == PAPER_TABLE


def test_the_summary_table_puts_the_reconstruction_first_and_keeps_its_counts(paper_audit):
    counts = audit.summary(paper_audit)
    counts.loc["reproduction"] = [80, 2, 0, 5]
    table = summary_table(counts)
    assert table.index[0] == "The reconstruction: Exhibits 2, 3, 5"
    assert table.iloc[0].tolist() == [80, 2, 0, 5]
    assert table.index[-1] == "All checks"  # the total stays last, whatever the order given


def test_the_summary_table_refuses_a_family_without_words():
    counts = pd.DataFrame({s: [1, 1] for s in AUDIT_STATUSES}, index=["grim", "new_family"])
    with pytest.raises(ValueError, match="'new_family' has no words"):
        summary_table(counts)


def test_table_6_4_exhibit_4_from_exhibits_2_and_3():
    """Notebook 06's Table 6.4: the two Exhibit 4 families of the committed audit.csv."""
    import pandas as pd

    from collabcomm import audit
    from collabcomm.paths import project

    rows = pd.read_csv(project().derived / "audit.csv", dtype=str, keep_default_na=False)
    e4 = rows[rows.check.isin(["exhibit4_from_moments", "exhibit4_stars_from_moments"])]
    shown = audit.summary_table(audit.summary(e4))
    assert shown.index.tolist() == ["Exhibit 4 from Exhibits 2 and 3",
                                    "Exhibit 4's stars from Exhibits 2 and 3", "All checks"]
    assert shown[["match", "differs", "inconsistent", "not_checkable"]].values.tolist() == [
        [4, 0, 33, 1], [24, 0, 7, 0], [28, 0, 40, 1]]
