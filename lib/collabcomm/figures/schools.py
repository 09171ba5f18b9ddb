"""Figures of the instrument and the school data (notebooks 02 and 03): reliability, item
correlations, school profiles, and the reconstruction against Exhibit 3."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..lazy import lazy_import
from ..precision import snap_zero
from .theme import SCALE_COLORS, _finish, mark_synthetic

plt = lazy_import("matplotlib.pyplot")
sns = lazy_import("seaborn")

__all__ = [
    "correlation_heatmaps",
    "synthetic_pairplot",
    "same_statistics_scatter",
    "reliability_plot",
    "school_profiles",
    "interitem_heatmap",
]


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
    """Pair plot of a reconstructed dataset, titled and labelled as synthetic.

    The lower triangle of a scatter-plot matrix: variable ``variables[j]`` (x) against
    ``variables[i]`` (y) in row ``i``, column ``j < i``, each variable's histogram (numpy's
    ``"auto"`` bins) on the diagonal. The axes of a column share x, those of a row share y
    (the diagonal's own y counts schools and is not shown); tick labels on the left column
    and the bottom row only, as seaborn's ``pairplot(corner=True)`` draws it.

    Drawn with matplotlib alone, only the panels shown and at fixed margins: seaborn's
    pairplot builds the whole square grid and lays it out twice. Notebook 03's cell that draws
    and saves the figure (on the pipeline's critical path) took 5.5 s with it, 2-3 s now,
    most of that saving the PNG and SVG (measured on 2 cores).
    """
    labels = labels or {}
    k = len(variables)
    side = 1.55 * k
    fig = plt.figure(figsize=(side, side))
    grid = fig.add_gridspec(k, k, left=0.75 / side, right=1 - 0.1 / side,
                            bottom=0.55 / side, top=1 - 0.45 / side, wspace=0.12, hspace=0.12)
    color = "#4c72b0"
    columns: list = [None] * k
    for i, y in enumerate(variables):
        row = None
        for j, x in enumerate(variables[:i + 1]):
            ax = fig.add_subplot(grid[i, j], sharex=columns[j], sharey=row if j < i else None)
            columns[j] = columns[j] or ax
            values = data[x].to_numpy(dtype=float)
            if j == i:
                ax.hist(values, bins=np.histogram_bin_edges(values, bins="auto"), color=color,
                        alpha=0.75, edgecolor="white")
                ax.tick_params(axis="y", left=False, labelleft=False)
                ax.grid(False, axis="y")
                ax.spines[["left", "top", "right"]].set_visible(False)
            else:
                row = row or ax
                ax.scatter(values, data[y].to_numpy(dtype=float), s=14, color=color,
                           edgecolor="none")
                ax.spines[["top", "right"]].set_visible(False)
            ax.tick_params(labelbottom=i == k - 1, labelleft=j == 0 and i > 0)
            if i == k - 1:
                ax.set_xlabel(labels.get(x, x))
            if j == 0 and i > 0:
                ax.set_ylabel(labels.get(y, y))
    fig.suptitle(f"Reconstructed school data (SYNTHETIC, N = {len(data)})", y=1 - 0.1 / side)
    mark_synthetic(fig)
    return fig


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


def _shown(scale: str) -> str:
    """A scale's name on an axis: lower-case names capitalized (``collaborative`` ->
    ``Collaborative``), others as written (``LEAD``)."""
    return scale.capitalize() if scale.islower() else scale


def reliability_plot(reliability: pd.DataFrame, *, synthetic: bool = True,
                     respondents: str = "teacher") -> plt.Figure:
    """Cronbach's alpha per scale with its Feldt 95% interval, against the published alpha
    (drawn, and named in the legend, only where there is one; a codebook may give none).
    ``respondents`` names the level in the axis label."""
    rel = reliability.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 3.8 if len(rel) <= 4 else 1.6 + 0.55 * len(rel)))
    for i, r in rel.iterrows():
        color = SCALE_COLORS.get(r["scale"], "#4c72b0")
        ax.errorbar(r["alpha"], i, xerr=[[r["alpha"] - r["ci_low"]], [r["ci_high"] - r["alpha"]]],
                    fmt="o", color=color, capsize=4)
        ax.plot(r["published_alpha"], i + 0.2, "D", color="black", markerfacecolor="white")
    ax.set_yticks(range(len(rel)), [_shown(s) for s in rel["scale"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"Cronbach's alpha ({respondents} level)")
    ax.set_title("Scale reliability")
    ax.plot([], [], "o", color="grey", label="this survey (Feldt 95% CI)")
    if rel["published_alpha"].notna().any():
        ax.plot([], [], "D", color="black", markerfacecolor="white", label="published (Exhibit 3)")
    ax.legend(loc="lower left", fontsize=9)
    return _finish(fig, synthetic)


def school_profiles(schools: pd.DataFrame, scales: list[str], *,
                    synthetic: bool = True, unit: str = "school_id",
                    units: str = "schools") -> plt.Figure:
    """Distribution of unit (school) scale scores (0-100): one strip of units per scale, with
    the median marked. ``unit`` is the id column, ``units`` the plural noun of the title."""
    long = schools.melt(id_vars=[unit], value_vars=scales, var_name="scale",
                        value_name="score")
    long["scale"] = long["scale"].map(_shown)
    order = [_shown(s) for s in scales]
    palette = {_shown(s): SCALE_COLORS.get(s, "#4c72b0") for s in scales}
    fig, ax = plt.subplots(figsize=(7.5, 4 if len(scales) <= 4 else 1.6 + 0.6 * len(scales)))
    sns.boxplot(data=long, x="score", y="scale", order=order, color="white", width=0.5,
                showfliers=False, ax=ax)
    jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(long))  # seeded: same bytes
    ypos = long["scale"].map({s: i for i, s in enumerate(order)}).to_numpy() + jitter
    ax.scatter(long["score"], ypos, s=22, c=long["scale"].map(palette), zorder=3)
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"{units[:-1] if units.endswith('s') else units} mean score "
                  "(0-100, percent of maximum possible)")
    ax.set_ylabel("")
    ax.set_title(f"{units[:1].upper()}{units[1:-1]} profiles ({schools[unit].nunique()} {units})"
                 if units.endswith("s") else f"Profiles ({schools[unit].nunique()} {units})")
    return _finish(fig, synthetic)


def interitem_heatmap(responses: pd.DataFrame, items: list[str], *,
                      synthetic: bool = True, blocks: list[int] | None = None,
                      respondents: str = "teachers") -> plt.Figure:
    """Respondent-level inter-item correlations, grouped by scale: ``blocks`` are the scales'
    numbers of items in order (default: blocks of five, Exhibit 1's scales)."""
    corr = responses[items].astype(float).corr()
    fig, ax = plt.subplots(figsize=(8.5, 7.5))
    sns.heatmap(corr, vmin=-1, vmax=1, cmap="RdBu_r", square=True, ax=ax,
                xticklabels=items, yticklabels=items, cbar_kws={"shrink": 0.6})
    edges = (range(5, len(items), 5) if blocks is None
             else np.cumsum(blocks)[:-1].tolist())
    for b in edges:
        ax.axhline(b, color="black", lw=1)
        ax.axvline(b, color="black", lw=1)
    ax.set_title(f"Inter-item correlations ({respondents})")
    ax.tick_params(labelsize=7)
    return _finish(fig, synthetic)
