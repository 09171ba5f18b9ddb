"""The audit's figure (notebook 06): every exhibit cell and text claim coloured by its status."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..audit.words import STATUS_WORDS
from ..lazy import lazy_import

plt = lazy_import("matplotlib.pyplot")
sns = lazy_import("seaborn")

__all__ = [
    "STATUS_COLORS",
    "STATUS_LABELS",
    "audit_grid",
]


STATUS_COLORS = {"match": "#4daf4a", "differs": "#ff7f00", "inconsistent": "#e41a1c",
                 "not_checkable": "#9ecae1", "not checked": "#f0f0f0"}


STATUS_LABELS = {**STATUS_WORDS, "not checked": "not checked"}
"""How each status reads in the figure's legend: the audit's words
(:data:`collabcomm.audit.STATUS_WORDS`), and a cell no check reached."""


def _panel(ax, g, cmap, n, rows, cols, title, *, rotate=True):
    ax.imshow(np.ma.masked_invalid(g), cmap=cmap, vmin=-0.5, vmax=n - 0.5, aspect="equal")
    ax.set_xticks(range(len(cols)), cols, rotation=45 if rotate else 0,
                  ha="right" if rotate else "center", rotation_mode="anchor", fontsize=10)
    ax.set_yticks(range(len(rows)), rows, fontsize=10)
    ax.set_title(title, fontsize=13, loc="left")
    ax.set_xticks(np.arange(-0.5, len(cols)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows)), minor=True)
    ax.grid(which="minor", color="white", lw=2)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="both", length=0)
    for side in ax.spines.values():
        side.set_visible(False)


def audit_grid(cells: pd.DataFrame, claim_ids: list[str]) -> plt.Figure:
    """Every exhibit cell (and every text claim) coloured by its audit status.

    ``cells`` is :func:`collabcomm.audit.cell_status` output: exhibit, cell_row, cell_col,
    status. Laid out to be read at a page's width (about 750 px on the website, a phone's
    screen when enlarged): one panel per exhibit, two per row, the claims of the text below
    across the whole width, labels in words (Exhibit 2's variable labels) at 10 points.
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    from ..models import TERM_ORDER
    from ..published import term_labels
    from ..schema import FACETS, SCALES, SCHOOL_VARIABLES

    order = list(STATUS_COLORS)
    cmap = ListedColormap([STATUS_COLORS[s] for s in order])
    code = {s: i for i, s in enumerate(order)}
    lookup = {(e, str(r), str(c)): s for e, r, c, s in cells[["exhibit", "cell_row", "cell_col",
                                                              "status"]].itertuples(index=False)}
    labels = term_labels()
    vs = list(SCHOOL_VARIABLES)
    terms = [t for t in TERM_ORDER if t != "n_obs"]

    def grid(exhibit, rows, cols, mask=None):
        g = np.full((len(rows), len(cols)), np.nan)
        for i, r in enumerate(rows):
            for j, c in enumerate(cols):
                if mask is not None and not mask(i, j):
                    continue
                s = lookup.get((exhibit, str(r), str(c)), lookup.get((exhibit, str(c), str(r)),
                                                                     "not checked"))
                g[i, j] = code[s]
        return g

    def words(names):
        return [labels.get(v, str(v).replace("_", " ").capitalize()) for v in names]

    stats = ["mean", "sd", "min", "max"]
    ncol = 9
    nrow = int(np.ceil(len(claim_ids) / ncol))
    text = np.full((nrow, ncol), np.nan)
    ids = np.full((nrow, ncol), "", dtype=object)
    for k, cid in enumerate(claim_ids):
        s = lookup.get(("text", cid, ""), None)
        s = s or next((v for (e, r, _), v in lookup.items() if e == "text" and r == cid),
                      "not checked")
        text[k // ncol, k % ncol] = code[s]
        ids[k // ncol, k % ncol] = cid
    fig = plt.figure(figsize=(10, 14.5))
    spec = fig.add_gridspec(3, 2, height_ratios=[8.6, 9.6, 6.2], hspace=0.45, wspace=0.45)
    panels = [
        (spec[0, 0], grid("2", vs, stats), words(vs), ["Mean", "SD", "Min", "Max"],
         "Exhibit 2: descriptive statistics"),
        (spec[0, 1], grid("3", vs, vs, lambda i, j: j < i), words(vs), words(vs),
         "Exhibit 3: correlations"),
        (spec[1, 0], grid("4", terms, list(range(1, 7))), words(terms),
         [f"Model {m}" for m in range(1, 7)], "Exhibit 4: six OLS models"),
        (spec[1, 1], grid("5", list(SCALES), list(FACETS)), words(SCALES), words(FACETS),
         "Exhibit 5: items, by scale and facet"),
    ]
    for where, g, rows, cols, title in panels:
        _panel(fig.add_subplot(where), g, cmap, len(order), rows, cols, title)
    ax = fig.add_subplot(spec[2, :])
    _panel(ax, text, cmap, len(order), [], [], "Claims in the text (data/published/claims.csv)")
    ax.set_xticks([])
    ax.set_yticks([])
    for (i, j), cid in np.ndenumerate(ids):
        if cid:
            ax.text(j, i, cid, ha="center", va="center", fontsize=10)
    fig.legend([Patch(color=STATUS_COLORS[s]) for s in order],
               [STATUS_LABELS[s] for s in order], loc="lower center", ncol=3, frameon=False,
               fontsize=11)
    fig.suptitle("Audit of paper 001: every published number checked", fontweight="bold",
                 fontsize=15, y=0.995)
    fig.subplots_adjust(left=0.16, right=0.98, top=0.95, bottom=0.08)
    return fig
