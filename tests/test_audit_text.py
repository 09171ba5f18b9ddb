"""The text's claims against the exhibits (collabcomm.audit.text)."""

from __future__ import annotations

from collabcomm import audit, published


def test_text_claims_on_planted_tables():
    desc = published.descriptives()
    out = audit.check_text_claims(published.claims(), desc, published.correlations(),
                                  published.regressions(), published.item_results(),
                                  published.items(), 26)
    assert len(out) == len(published.claims())
    fixed = desc.copy()
    i = fixed.index[(fixed.variable == "collaborative") & (fixed.statistic == "mean")][0]
    fixed.loc[i, "value"] = 41.2
    out2 = audit.check_text_claims(published.claims(), fixed, published.correlations(),
                                   published.regressions(), published.item_results(),
                                   published.items(), 26)
    c23 = lambda o: o[o.quantity.str.startswith("C23")]["status"].iloc[0]  # noqa: E731
    assert c23(out) == "inconsistent" and c23(out2) == "match"


def test_finding_text_claims(paper_audit):
    t = paper_audit[paper_audit.check.str.startswith("text_")]
    bad = sorted(q.split(":")[0] for q in t[t.status == "inconsistent"]["quantity"])
    assert bad == ["C23", "C29", "C50"]
