"""Figures: one theme, deterministic bytes, and the plots the notebooks show.

Every figure is saved as PNG and SVG in ``figures/`` by :func:`save`, atomically (and staged
while the pipeline runs, see :mod:`collabcomm.outputs`). The bytes are the same on every run:
no software version or date in the metadata, a fixed SVG hash salt, glyphs drawn as paths, and
only the DejaVu fonts that ship with matplotlib.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .lazy import lazy_import
from .outputs import atomic_path, destination
from .paths import project
from .precision import round_significant, snap_zero

plt = lazy_import("matplotlib.pyplot")
sns = lazy_import("seaborn")

__all__ = [
    "SYNTHETIC_NOTE",
    "set_theme",
    "save",
    "save_and_show",
    "mark_synthetic",
    "correlation_heatmaps",
    "synthetic_pairplot",
    "same_statistics_scatter",
    "coefficient_plot",
    "partial_regression_plot",
    "reliability_plot",
    "school_profiles",
    "interitem_heatmap",
    "item_effects_plot",
    "STATUS_COLORS",
    "audit_grid",
    "typology_diagram",
    "figure1_diagram",
    "figure2_table",
    "profile_chart",
    "power_curve",
    "attenuation_plot",
    "estimate_distribution",
]

SYNTHETIC_NOTE = "Synthetic reconstruction from published moments, not the district's data"

RC = {
    "svg.hashsalt": "collabcomm",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "axes.titleweight": "bold",
}
SCALE_COLORS = {"traditional": "#8c6d31", "bureaucratic": "#6b6ecf",
                "collaborative": "#2ca02c", "fragmented": "#d62728"}


def set_theme() -> None:
    """Seaborn's white-grid theme with the companion's deterministic settings."""
    sns.set_theme(style="whitegrid", context="notebook", rc=RC)


def save(fig: plt.Figure, name: str, *, folder: str | os.PathLike | None = None) -> list[Path]:
    """Save ``fig`` as ``<name>.png`` and ``<name>.svg`` in ``figures/`` with deterministic bytes.

    Returns the two target paths. The figure is left open (the notebook displays it).
    """
    folder = Path(folder) if folder is not None else project().figures
    out = []
    with plt.rc_context(RC):
        for ext, meta in (("png", {"Software": None}),
                          ("svg", {"Date": None, "Creator": None})):
            target = folder / f"{name}.{ext}"
            with atomic_path(target) as tmp:
                fig.savefig(tmp, format=ext, metadata=meta)
                if ext == "svg":
                    tmp.write_text(stable_svg_ids(tmp.read_text(encoding="utf-8")),
                                   encoding="utf-8")
            out.append(target)
    return out


def save_and_show(fig: plt.Figure, name: str, *, folder: str | os.PathLike | None = None,
                  alt: str | None = None):
    """Save ``fig`` as :func:`save` does, close it, and return the saved PNG for display.

    A notebook ends a figure cell with this call so that the executed notebook, and with it the
    HTML pages and the slides rendered from it, shows the figure. The pipeline runs notebooks
    with matplotlib's non-interactive Agg backend, under which a figure left open is never
    displayed; in JupyterLab an open figure would be displayed a second time, hence the close.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    name : str
        File name without extension.
    folder : path-like, optional
        Target folder (default ``figures/``).
    alt : str, optional
        Text alternative of the image in the HTML pages and slides. Default: the figure's
        title (its suptitle, else its axes' titles), else ``name`` in words.

    Returns
    -------
    IPython.display.Image
        The PNG exactly as written (read from the staging folder while the pipeline runs), so
        what a reader sees is byte for byte the saved figure.
    """
    from IPython.display import Image

    if alt is None:
        titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
        alt = "; ".join(t for t in titles if t) or name.replace("_", " ")
    png = save(fig, name, folder=folder)[0]
    plt.close(fig)
    return Image(data=destination(png).read_bytes(), format="png", alt=alt)


_SVG_HASH_ID = re.compile(r"\b(p|m|h|image|C[0-9a-f]+_\d+_)([0-9a-f]{10})\b")


def stable_svg_ids(svg: str) -> str:
    """Replace matplotlib's hashed SVG ids (clip paths ``p…``, markers ``m…``, hatches ``h…``,
    images ``image…``, collection paths ``C0_0_…``) by sequence numbers in order of first
    appearance.

    matplotlib names a clip path by a hash of its rectangle's coordinates at full float
    precision, so a layout that moves by 1e-13 (a tick label measured after another BLAS's
    round-off) renames every clip path although nothing visible changed. Numbering the ids
    keeps the SVG's bytes a function of what is drawn.

    >>> stable_svg_ids('<clipPath id="p3381a0f390"/><g clip-path="url(#p3381a0f390)"/>')
    '<clipPath id="p0000000000"/><g clip-path="url(#p0000000000)"/>'
    """
    names: dict[str, str] = {}

    def rename(match: re.Match) -> str:
        key = match.group(0)
        if key not in names:
            names[key] = f"{match.group(1)}{len(names):010d}"
        return names[key]

    return _SVG_HASH_ID.sub(rename, svg)


def _finish(fig: plt.Figure, synthetic: bool) -> plt.Figure:
    """Common epilogue: tight layout, then the synthetic label where the data are synthetic."""
    fig.tight_layout()
    if synthetic:
        mark_synthetic(fig)
    return fig


def mark_synthetic(fig: plt.Figure, note: str = SYNTHETIC_NOTE) -> None:
    """Write the synthetic-data label along the bottom of a figure."""
    fig.text(0.5, -0.01, note, ha="center", va="top", fontsize=9, style="italic",
             color="#a0522d")


def correlation_heatmaps(published_corr: pd.DataFrame, reproduced_corr: pd.DataFrame,
                         labels: dict[str, str] | None = None, *, decimals: int = 2,
                         agree_within: float = 1e-9) -> plt.Figure:
    r"""Published correlations (left) and reproduced minus published (right), lower triangles.

    The right panel shows the difference in units of the paper's rounding half-unit
    (:math:`\tfrac12 10^{-d}`, 0.005 for Exhibit 3's two decimals) on a fixed scale of
    :math:`\pm 1`: a cell inside that scale rounds to the printed value. Differences below
    ``agree_within`` (relative to the correlations' scale of 1) are round-off and are drawn
    as 0 (:func:`collabcomm.precision.snap_zero`), and a note states whether every cell agrees
    that closely. So the panel carries no floating-point noise and its bytes do not depend on
    the machine's BLAS.
    """
    labels = labels or {}
    names = [labels.get(v, v) for v in published_corr.index]
    diff = reproduced_corr.loc[published_corr.index, published_corr.columns] - published_corr
    mask = np.triu(np.ones_like(published_corr, dtype=bool), k=1)
    half = 0.5 * 10.0 ** -decimals
    units = pd.DataFrame(snap_zero(diff.to_numpy(), 1.0, rel=agree_within) / half,
                         index=diff.index, columns=diff.columns)
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    sns.heatmap(published_corr, mask=mask, vmin=-1, vmax=1, cmap="RdBu_r", annot=True,
                fmt=".2f", square=True, ax=axes[0], xticklabels=names, yticklabels=names,
                cbar_kws={"shrink": 0.7})
    axes[0].set_title("Exhibit 3 as published")
    sns.heatmap(units + 0.0, mask=mask, vmin=-1, vmax=1, cmap="PuOr", annot=True, fmt=".2f",
                square=True, ax=axes[1], xticklabels=names, yticklabels=names,
                annot_kws={"fontsize": 7},
                cbar_kws={"shrink": 0.7, "label": f"rounding half-units ({half:g})"})
    axes[1].set_title("Reconstruction minus published, in rounding half-units")
    below = np.nanmax(np.abs(diff.to_numpy()[~mask])) < agree_within
    axes[1].text(0.98, 0.98, f"every cell agrees within {agree_within:.0e}" if below else
                 "some cells differ by more than round-off", transform=axes[1].transAxes,
                 ha="right", va="top", fontsize=9)
    return _finish(fig, True)


def synthetic_pairplot(data: pd.DataFrame, variables: list[str],
                       labels: dict[str, str] | None = None) -> plt.Figure:
    """Pair plot of a reconstructed dataset, titled and labelled as synthetic."""
    labels = labels or {}
    grid = sns.pairplot(data[variables].rename(columns=labels), corner=True, height=1.55,
                        plot_kws={"s": 14, "color": "#4c72b0", "edgecolor": "none"},
                        diag_kws={"color": "#4c72b0"})
    grid.figure.suptitle(f"Reconstructed school data (SYNTHETIC, N = {len(data)})", y=1.01)
    mark_synthetic(grid.figure)
    return grid.figure


def same_statistics_scatter(datasets: dict[int, pd.DataFrame], x: str, y: str,
                            labels: dict[str, str] | None = None) -> plt.Figure:
    """One scatter panel per seed: different datasets, identical published statistics."""
    labels = labels or {}
    k = len(datasets)
    fig, axes = plt.subplots(1, k, figsize=(3.2 * k, 3.3), sharex=True, sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (seed, d) in zip(axes, datasets.items(), strict=True):
        r = np.corrcoef(d[x], d[y])[0, 1]
        ax.scatter(d[x], d[y], s=16, color="#2ca02c", edgecolor="none")
        ax.set_title(f"seed {seed}: r = {r:.4f}", fontsize=10)
        ax.set_xlabel(labels.get(x, x))
    axes[0].set_ylabel(labels.get(y, y))
    return _finish(fig, True)


def coefficient_plot(comparison: pd.DataFrame, fits: pd.DataFrame,
                     labels: dict[str, str] | None = None, *, synthetic: bool = True
                     ) -> plt.Figure:
    """Community-type coefficients of Models 2-6: published (diamonds; the paper gives no
    standard errors) against reproduced (dots with 95% confidence intervals)."""
    labels = labels or {}
    scales = ["bureaucratic", "traditional", "fragmented", "collaborative"]
    cmp = comparison[comparison["term"].isin(scales)]
    fig, ax = plt.subplots(figsize=(8, 5.5))
    ypos, ticks = 0, []
    for r in cmp.sort_values(["model", "term"]).itertuples():
        fit = fits[(fits.model == r.model) & (fits.term == r.term)].iloc[0]
        color = SCALE_COLORS[r.term]
        ax.errorbar(fit["coef"], ypos, xerr=[[fit["coef"] - fit["ci_low"]],
                                             [fit["ci_high"] - fit["coef"]]],
                    fmt="o", color=color, capsize=3)
        ax.plot(r.published, ypos + 0.25, marker="D", color="black", markersize=6,
                markerfacecolor="white")
        ticks.append((ypos, f"Model {r.model}: {labels.get(r.term, r.term)}"))
        ypos -= 1
    ax.axvline(0, color="grey", lw=1)
    ax.set_yticks([t for t, _ in ticks], [lab for _, lab in ticks])
    ax.set_xlabel("coefficient on API 2012 (API points per scale point)")
    ax.set_title("Exhibit 4: community-type coefficients")
    ax.plot([], [], "o", color="grey", label="reproduced (95% CI)")
    ax.plot([], [], "D", color="black", markerfacecolor="white", label="published")
    ax.legend(loc="lower right")
    return _finish(fig, synthetic)


def partial_regression_plot(partial: pd.DataFrame, coef: float, term_label: str,
                            model: int, *, synthetic: bool = True) -> plt.Figure:
    """Added-variable plot: residualized API 2012 against the residualized regressor."""
    # residuals carry round-off that depends on the BLAS; plot them at the written precision
    x, y = round_significant(partial["x_resid"]), round_significant(partial["y_resid"])
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.scatter(x, y, s=22, color="#2ca02c", edgecolor="none")
    xs = np.linspace(x.min(), x.max(), 2)
    ax.plot(xs, coef * xs, color="black", lw=1.5, label=f"slope {coef:.3f} (Model {model})")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel(f"{term_label} | other regressors of Model {model}")
    ax.set_ylabel(f"API 2012 | other regressors of Model {model}")
    ax.set_title(f"Partial regression of API 2012 on {term_label}")
    ax.legend()
    return _finish(fig, synthetic)


def reliability_plot(reliability: pd.DataFrame, *, synthetic: bool = True) -> plt.Figure:
    """Cronbach's alpha per scale with its Feldt 95% interval, against the published alpha."""
    rel = reliability.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for i, r in rel.iterrows():
        color = SCALE_COLORS.get(r["scale"], "#4c72b0")
        ax.errorbar(r["alpha"], i, xerr=[[r["alpha"] - r["ci_low"]], [r["ci_high"] - r["alpha"]]],
                    fmt="o", color=color, capsize=4)
        ax.plot(r["published_alpha"], i + 0.2, "D", color="black", markerfacecolor="white")
    ax.set_yticks(range(len(rel)), [s.capitalize() for s in rel["scale"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("Cronbach's alpha (teacher level)")
    ax.set_title("Scale reliability")
    ax.plot([], [], "o", color="grey", label="this survey (Feldt 95% CI)")
    ax.plot([], [], "D", color="black", markerfacecolor="white", label="published (Exhibit 3)")
    ax.legend(loc="lower left", fontsize=9)
    return _finish(fig, synthetic)


def school_profiles(schools: pd.DataFrame, scales: list[str], *,
                    synthetic: bool = True) -> plt.Figure:
    """Distribution of school scale scores (0-100): one strip of schools per community type,
    with the median marked."""
    long = schools.melt(id_vars=["school_id"], value_vars=scales, var_name="scale",
                        value_name="score")
    long["scale"] = long["scale"].str.capitalize()
    order = [s.capitalize() for s in scales]
    palette = {s.capitalize(): SCALE_COLORS.get(s, "#4c72b0") for s in scales}
    fig, ax = plt.subplots(figsize=(7.5, 4))
    sns.boxplot(data=long, x="score", y="scale", order=order, color="white", width=0.5,
                showfliers=False, ax=ax)
    jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(long))  # seeded: same bytes
    ypos = long["scale"].map({s: i for i, s in enumerate(order)}).to_numpy() + jitter
    ax.scatter(long["score"], ypos, s=22, c=long["scale"].map(palette), zorder=3)
    ax.set_xlim(0, 100)
    ax.set_xlabel("school mean score (0-100, percent of maximum possible)")
    ax.set_ylabel("")
    ax.set_title(f"School profiles ({schools['school_id'].nunique()} schools)")
    return _finish(fig, synthetic)


def interitem_heatmap(responses: pd.DataFrame, items: list[str], *,
                      synthetic: bool = True) -> plt.Figure:
    """Teacher-level inter-item correlations of the 20 items, grouped by scale."""
    corr = responses[items].astype(float).corr()
    fig, ax = plt.subplots(figsize=(8.5, 7.5))
    sns.heatmap(corr, vmin=-1, vmax=1, cmap="RdBu_r", square=True, ax=ax,
                xticklabels=items, yticklabels=items, cbar_kws={"shrink": 0.6})
    for b in range(5, len(items), 5):
        ax.axhline(b, color="black", lw=1)
        ax.axvline(b, color="black", lw=1)
    ax.set_title("Inter-item correlations (teachers)")
    ax.tick_params(labelsize=7)
    return _finish(fig, synthetic)


def item_effects_plot(comparison: pd.DataFrame, *, synthetic: bool = True) -> plt.Figure:
    """Exhibit 5 as ranked bars coloured by scale: published (left) and reproduced (right)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 6.5), sharey=False)
    for ax, col, rank, title in ((axes[0], "published", "published_rank", "Exhibit 5 as published"),
                                 (axes[1], "reproduced", "reproduced_rank",
                                  f"Reproduced ({comparison['reading'].iloc[0]})")):
        d = comparison.sort_values(rank)
        ax.barh(range(len(d)), d[col], color=[SCALE_COLORS[s] for s in d["scale"]])
        ax.set_yticks(range(len(d)), d["item_id"], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(title)
        ax.set_xlabel("standardized coefficient")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in SCALE_COLORS.values()]
    axes[1].legend(handles, [s.capitalize() for s in SCALE_COLORS], loc="lower right", fontsize=8)
    return _finish(fig, synthetic)


STATUS_COLORS = {"match": "#4daf4a", "differs": "#ff7f00", "inconsistent": "#e41a1c",
                 "not_checkable": "#9ecae1", "not checked": "#f0f0f0"}


def audit_grid(cells: pd.DataFrame, claim_ids: list[str]) -> plt.Figure:
    """Every exhibit cell (and every text claim) coloured by its audit status.

    ``cells`` is :func:`collabcomm.audit.cell_status` output: exhibit, cell_row, cell_col,
    status.
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    from .models import TERM_ORDER
    from .schema import FACETS, SCALES, SCHOOL_VARIABLES

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


def _box(ax, x, y, text, *, width=2.6, height=0.7, color="#f7f7f7", edge="#444444",
         fontsize=8, weight="normal"):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.04,rounding_size=0.12", fc=color,
                                ec=edge, lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, weight=weight, wrap=True)


def _arrow(ax, xy_from, xy_to, *, color="#555555", style="-|>", ls="-"):
    ax.annotate("", xy=xy_to, xytext=xy_from,
                arrowprops={"arrowstyle": style, "color": color, "lw": 1.2, "ls": ls,
                            "shrinkA": 0, "shrinkB": 0})


def typology_diagram(theory) -> plt.Figure:
    """Four types of action -> ideal-type organizations -> forms, with the instrument's
    scales marked (affectual relations are not measured; Fragmented is no type of action)."""
    import textwrap

    acts = theory.action_types.set_index("action_type")
    scale_of = {r.action_type: r.scale_label for r in theory.scale_mapping.itertuples()
                if r.action_type != "none"}
    color = {"traditional": SCALE_COLORS["traditional"], "instrumental": SCALE_COLORS["bureaucratic"],
             "value_rational": SCALE_COLORS["collaborative"], "affectual": "#999999"}
    order = ["traditional", "affectual", "value_rational", "instrumental"]
    fig, ax = plt.subplots(figsize=(12, 6.2))
    ax.set_xlim(-1.5, 14.5)
    ax.set_ylim(-1.2, 6.2)
    ax.axis("off")
    for col, title in ((0.8, "Type of social action"), (4.6, "Ideal-type organization"),
                       (8.4, "Organizational forms"), (12.3, "Instrument scale (001)")):
        ax.text(col, 5.9, title, ha="center", fontsize=10, weight="bold")
    for i, a in enumerate(order):
        y = 4.8 - 1.45 * i
        r = acts.loc[a]
        rational = "rational" if r["rational"] else "non-rational"
        _box(ax, 0.8, y, f"{r['label']}\n({r['orientation']}; {rational})", color="white",
             edge=color[a], weight="bold")
        _box(ax, 4.6, y, r["ideal_type"], color="white", edge=color[a])
        forms = " / ".join(r["forms"].split(";"))
        _box(ax, 8.4, y, forms, color="white", edge=color[a])
        label = scale_of.get(a)
        _box(ax, 12.3, y, label if label else "not measured", color=color[a] if label else
             "#eeeeee", edge=color[a], weight="bold" if label else "normal")
        _arrow(ax, (2.1, y), (3.3, y))
        _arrow(ax, (5.9, y), (7.1, y))
        _arrow(ax, (9.7, y), (11.0, y), ls="--")
        ax.text(0.8, y - 0.55, textwrap.shorten(r["oriented_by"], 48), ha="center",
                fontsize=6.5, color="#555555")
    _box(ax, 12.3, -0.75, "Fragmented: conflict and alienation\n(no type of action)",
         color=SCALE_COLORS["fragmented"], edge=SCALE_COLORS["fragmented"], width=3.2)
    ax.set_title("Weber's four types of action and the forms they ground", fontsize=12,
                 weight="bold")
    fig.tight_layout()
    return fig


def figure1_diagram(theory) -> plt.Figure:
    """Paper 000's Figure 1 redrawn from its edge list (data/theory/figure1_*.csv)."""
    nodes = theory.figure1_nodes.set_index("node")
    kind_color = {"purpose": "#c7e9c0", "condition": "#fdd0a2", "challenge": "#fcbba1",
                  "principle": "#c6dbef"}
    xs = {0: 0.0, 1: 4.0, 2: 8.0, 3: 12.0}
    pos = {n: (xs[int(r.column)], 3.2 - r.row) for n, r in nodes.iterrows()}
    fig, ax = plt.subplots(figsize=(12, 5.2))
    ax.set_xlim(-1.8, 13.8)
    ax.set_ylim(-0.9, 4.0)
    ax.axis("off")
    for e in theory.figure1_edges.itertuples():
        (x0, y0), (x1, y1) = pos[e.source], pos[e.target]
        if e.relation == "overcomes":
            _arrow(ax, (x0 - 1.5, y0), (x1 + 1.5, y1), color="#08519c", style="-|>")
        elif e.relation == "conditions":
            _arrow(ax, (x0, y0 + 0.35), (x1, y1 - 0.35), color="#d94801", ls="--")
        else:
            _arrow(ax, (x0 + 1.5, y0), (x1 - 1.5, y1), color="#555555")
    import textwrap

    for n, r in nodes.iterrows():
        x, y = pos[n]
        _box(ax, x, y, textwrap.fill(r["label"], 26), width=3.0, height=0.66,
             color=kind_color[r["kind"]], weight="bold" if r["kind"] == "purpose" else "normal")
    for x, lab in ((4.0, "Challenges"), (8.0, "Principles of the collaborative form"),):
        ax.text(x, 3.75, lab, ha="center", weight="bold", fontsize=10)
    ax.text(6.0, -0.75, "blue arrows: the principle overcomes the challenge", ha="center",
            fontsize=8, color="#08519c")
    ax.set_title("Figure 1 (paper 000): sustaining value-rational purpose in large, complex "
                 "organizations", fontsize=11, weight="bold")
    fig.tight_layout()
    return fig


def figure2_table(theory) -> plt.Figure:
    """Paper 000's Figure 2 as a table: dimension, challenge, principle, techniques and the
    Kaiser Permanente examples."""
    import textwrap

    ch = theory.challenges.set_index("dimension")
    tech = theory.techniques
    rows = []
    for dim in theory.challenges.sort_values("order")["dimension"]:
        first = True
        for (order, name), g in tech[tech.dimension == dim].groupby(["technique_order",
                                                                     "technique"], sort=True):
            ex = "\n".join("• " + textwrap.fill(k, 62, subsequent_indent="  ")
                           for k in g["kaiser_example"])
            rows.append([dim.capitalize() if first else "",
                         textwrap.fill(ch.loc[dim, "challenge"], 16) if first else "",
                         textwrap.fill(ch.loc[dim, "principle"], 22) if first else "",
                         textwrap.fill(f"{order}. {name}", 30), ex])
            first = False
    heights = [max(c.count("\n") + 1 for c in r) for r in rows]
    fig_h = 0.5 + 0.2 * sum(heights)
    fig, ax = plt.subplots(figsize=(15, fig_h))
    ax.axis("off")
    table = ax.table(cellText=rows, colLabels=["Dimension", "Challenge", "Principle",
                                               "Technique", "Kaiser Permanente examples"],
                     colWidths=[0.08, 0.11, 0.15, 0.2, 0.46], loc="upper center",
                     cellLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    total = sum(heights) + 1.5
    for (i, _j), cell in table.get_celld().items():
        h = 1.5 if i == 0 else heights[i - 1]
        cell.set_height(h / total)
        cell.set_edgecolor("#bbbbbb")
        if i == 0:
            cell.set_facecolor("#deebf7")
            cell.set_text_props(weight="bold")
    ax.set_title("Figure 2 (paper 000): scaling up value-rationality", weight="bold")
    fig.tight_layout()
    return fig


def profile_chart(placement: dict, title: str = "Organization profile") -> plt.Figure:
    """One organization's four scale scores (0-100), with the dominant and secondary types."""
    t = placement["table"]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    colors = [SCALE_COLORS[s] for s in t["scale"]]
    ax.barh(range(len(t)), t["score"], color=colors)
    ax.set_yticks(range(len(t)), [s.capitalize() for s in t["scale"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    for i, v in enumerate(t["score"]):
        ax.text(v + 1, i, f"{v:.1f}", va="center", fontsize=9)
    ax.set_xlabel("scale score (0-100)")
    ax.set_title(f"{title}: {placement['reading']} ({placement['dominant']}, then "
                 f"{placement['secondary']}; margin {placement['margin']:.1f})", fontsize=10)
    fig.tight_layout()
    return fig


def power_curve(grid: pd.DataFrame, level: float = 0.05) -> plt.Figure:
    """Power at ``level`` against the number of schools, one line per reliability (alpha)."""
    col = f"power_{level:g}"
    fig, ax = plt.subplots(figsize=(7, 4.2))
    palette = sns.color_palette("viridis", grid["alpha"].nunique())
    for color, (a, g) in zip(palette, grid.sort_values("n_schools").groupby("alpha"),
                             strict=True):
        ax.plot(g["n_schools"], g[col], "o-", color=color, label=f"alpha = {a:g}")
    ax.axhline(0.8, color="grey", ls="--", lw=1)
    ax.axvline(26, color="black", ls=":", lw=1)
    ax.text(26, 0.02, " N = 26", fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_xlabel("number of schools")
    ax.set_ylabel(f"power (p < {level:g})")
    ax.set_title("Power to detect the Collaborative effect (Model 5)")
    ax.legend(title="scale reliability", fontsize=8)
    fig.tight_layout()
    return fig


def attenuation_plot(table: pd.DataFrame) -> plt.Figure:
    """Mean estimated slope against school-level reliability, with the classical formula."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(table["reliability"], table["mean_estimate"], "o", label="simulated mean estimate")
    ax.plot(table["reliability"], table["expected"], "-", color="black",
            label="classical attenuation formula")
    ax.axhline(table["true_effect"].iloc[0], color="grey", ls="--", lw=1, label="true effect")
    ax.set_xlabel("school-level reliability of Collaborative")
    ax.set_ylabel("estimated slope")
    ax.set_title("Measurement error attenuates the effect")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def estimate_distribution(sim: dict, level: float = 0.05) -> plt.Figure:
    """Histogram of a simulated study's estimates, significant ones highlighted (Type M)."""
    est, p = sim["estimate"], sim["p"]
    bins = np.linspace(np.quantile(est, 0.001), np.quantile(est, 0.999), 50)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(est[p >= level], bins=bins, color="#bbbbbb", label="not significant")
    ax.hist(est[p < level], bins=bins, color="#2ca02c", alpha=0.8, label=f"p < {level:g}")
    ax.axvline(sim["true_effect"], color="black", lw=1.5, label="true effect")
    ax.set_xlabel("estimated Collaborative slope (API points per scale point)")
    ax.set_ylabel("replications")
    ax.set_title("What a 26-school study can report")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
