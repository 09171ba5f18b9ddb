"""The audit's figure (notebook 06): every exhibit cell and text claim coloured by its status."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..lazy import lazy_import

plt = lazy_import("matplotlib.pyplot")
sns = lazy_import("seaborn")

__all__ = [
    "STATUS_COLORS",
    "audit_grid",
]


STATUS_COLORS = {"match": "#4daf4a", "differs": "#ff7f00", "inconsistent": "#e41a1c",
                 "not_checkable": "#9ecae1", "not checked": "#f0f0f0"}


def audit_grid(cells: pd.DataFrame, claim_ids: list[str]) -> plt.Figure:
    """Every exhibit cell (and every text claim) coloured by its audit status.

    ``cells`` is :func:`collabcomm.audit.cell_status` output: exhibit, cell_row, cell_col,
    status.
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    from ..models import TERM_ORDER
    from ..schema import FACETS, SCALES, SCHOOL_VARIABLES

    order = list(STATUS_COLORS)
    cmap = ListedColormap([STATUS_COLORS[s] for s in order])
    code = {s: i for i, s in enumerate(order)}
    lookup = {(e, str(r), str(c)): s for e, r, c, s in cells[["exhibit", "cell_row", "cell_col",
                                                              "status"]].itertuples(index=False)}
    vs = list(SCHOOL_VARIABLES)

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

    panels = [
        ("Exhibit 2", grid("2", vs, ["mean", "sd", "min", "max"]), vs, ["mean", "sd", "min", "max"]),
        ("Exhibit 3", grid("3", vs, vs, lambda i, j: j < i), vs, vs),
        ("Exhibit 4", grid("4", [t for t in TERM_ORDER if t != "n_obs"], list(range(1, 7))),
         [t for t in TERM_ORDER if t != "n_obs"], [f"M{m}" for m in range(1, 7)]),
        ("Exhibit 5", grid("5", list(SCALES), list(FACETS)), list(SCALES), list(FACETS)),
    ]
    ncol = 9
    nrow = int(np.ceil(len(claim_ids) / ncol))
    text = np.full((nrow, ncol), np.nan)
    labels = np.full((nrow, ncol), "", dtype=object)
    for k, cid in enumerate(claim_ids):
        s = lookup.get(("text", cid, ""), None)
        s = s or next((v for (e, r, _), v in lookup.items() if e == "text" and r == cid),
                      "not checked")
        text[k // ncol, k % ncol] = code[s]
        labels[k // ncol, k % ncol] = cid
    fig, axes = plt.subplots(1, 5, figsize=(19, 5.5),
                             gridspec_kw={"width_ratios": [4, 8, 6, 5, 9]})
    for ax, (title, g, rlab, clab) in zip(axes[:4], panels, strict=True):
        ax.imshow(np.ma.masked_invalid(g), cmap=cmap, vmin=-0.5, vmax=len(order) - 0.5,
                  aspect="equal")
        ax.set_xticks(range(len(clab)), clab, rotation=90, fontsize=7)
        ax.set_yticks(range(len(rlab)), rlab, fontsize=7)
        ax.set_title(title)
        ax.set_xticks(np.arange(-0.5, len(clab)), minor=True)
        ax.set_yticks(np.arange(-0.5, len(rlab)), minor=True)
        ax.grid(which="minor", color="white", lw=1.5)
        ax.grid(which="major", visible=False)
        ax.tick_params(which="minor", length=0)
    ax = axes[4]
    ax.imshow(np.ma.masked_invalid(text), cmap=cmap, vmin=-0.5, vmax=len(order) - 0.5,
              aspect="equal")
    for (i, j), lab in np.ndenumerate(labels):
        if lab:
            ax.text(j, i, lab, ha="center", va="center", fontsize=6)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("Claims in the text")
    fig.legend([Patch(color=STATUS_COLORS[s]) for s in order], order, loc="lower center",
               ncol=len(order), frameon=False)
    fig.suptitle("Audit of paper 001: every published number checked", fontweight="bold")
    fig.tight_layout(rect=(0, 0.06, 1, 0.95))
    return fig
