"""The audit's figure (collabcomm.figures.consistency)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from collabcomm import audit, figures, published


def test_audit_grid_colours_every_status_it_is_given(paper_audit):
    cells = audit.cell_status(paper_audit)
    fig = figures.audit_grid(cells, list(published.claims()["claim_id"]))
    assert fig.axes
    assert set(cells["status"]) <= set(figures.STATUS_COLORS)
    plt.close(fig)


def test_audit_grid_is_readable_at_a_pages_width(paper_audit):
    # one panel per exhibit and one for the claims; at most 10 inches wide (1500 px at the
    # saved 150 dpi, shown at about 750 px on the website), so that 10-point labels stay
    # about 10 px high on the page; labels in words, not column names
    fig = figures.audit_grid(audit.cell_status(paper_audit), list(published.claims()["claim_id"]))
    assert [ax.get_title(loc="left").split(":")[0] for ax in fig.axes] == [
        "Exhibit 2", "Exhibit 3", "Exhibit 4", "Exhibit 5", "Claims in the text (data/published/claims.csv)"]
    assert fig.get_figwidth() <= 10
    labels = [t for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()
              + ax.texts]
    assert labels and min(t.get_fontsize() for t in labels) >= 10
    words = {t.get_text() for t in labels}
    assert {"API 2012", "% SED", "Model 6", "Constant", "C01"} <= words
    assert not any("_" in w for w in words)
    plt.close(fig)
