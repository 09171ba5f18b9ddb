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


def test_the_summary_table_keeps_every_count_in_the_argument_s_order(paper_audit):
    counts = audit.summary(paper_audit)
    table = summary_table(counts)
    assert list(table.columns) == list(AUDIT_STATUSES)
    assert table.index.name == "family" and table.index[-1] == "All checks"
    words = {family_label(c): c for c in counts.index if c != "all checks"}
    codes = [words[label] for label in table.index[:-1]]
    assert sorted(codes) == sorted(c for c in counts.index if c != "all checks")
    order = list(FAMILIES) + [f"text_{k}" for k in TEXT_KINDS]
    assert codes == sorted(codes, key=order.index)
    assert codes[0] == "reproduction" or "reproduction" not in codes
    for code, (_, row) in zip(codes, table.iloc[:-1].iterrows(), strict=True):
        assert row[list(AUDIT_STATUSES)].tolist() == counts.loc[code].tolist()
    assert table.iloc[-1][list(AUDIT_STATUSES)].tolist() == counts.loc["all checks"].tolist()


def test_the_summary_table_refuses_a_family_without_words():
    counts = pd.DataFrame({s: [1, 1] for s in AUDIT_STATUSES}, index=["grim", "new_family"])
    with pytest.raises(ValueError, match="'new_family' has no words"):
        summary_table(counts)
