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
