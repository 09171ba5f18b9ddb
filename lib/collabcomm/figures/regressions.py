"""Figures of the regressions (notebooks 04 and 05): Exhibit 4's coefficients, partial
regression plots, and Exhibit 5's item effects."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..lazy import lazy_import
from ..precision import round_significant
from .theme import SCALE_COLORS, _finish

plt = lazy_import("matplotlib.pyplot")
sns = lazy_import("seaborn")

__all__ = [
    "coefficient_plot",
    "fitted_coefficient_plot",
    "partial_regression_plot",
    "item_effects_plot",
]


def coefficient_plot(comparison: pd.DataFrame | None, fits: pd.DataFrame,
                     labels: dict[str, str] | None = None, *, synthetic: bool = True,
                     outcome_label: str = "API 2012") -> plt.Figure:
    """Community-type coefficients of Models 2-6: published (diamonds; the paper gives no
    standard errors) against reproduced (dots with 95% confidence intervals).

    With ``comparison=None`` (a model specification other than Exhibit 4's, which has no
    published values), every coefficient but the constant of every model in ``fits``, with
    its 95% confidence interval: :func:`fitted_coefficient_plot`.
    """
    if comparison is None:
        return fitted_coefficient_plot(fits, labels, synthetic=synthetic,
                                       outcome_label=outcome_label)
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


def fitted_coefficient_plot(fits: pd.DataFrame, labels: dict[str, str] | None = None, *,
                            synthetic: bool = True, outcome_label: str = "API 2012"
                            ) -> plt.Figure:
    """Every coefficient but the constant of every model in ``fits`` (tidy results, as
    :func:`collabcomm.models.fit_all` gives them): dots with 95% confidence intervals, one row
    per model and term, in the order of ``fits``; values plotted at the written precision."""
    labels = labels or {}
    rows = fits[fits["term"] != "const"]
    fig, ax = plt.subplots(figsize=(8, 1.5 + 0.45 * max(len(rows), 1)))
    for ypos, r in enumerate(rows.itertuples()):
        coef, low, high = (float(round_significant(v)) for v in (r.coef, r.ci_low, r.ci_high))
        ax.errorbar(coef, -ypos, xerr=[[coef - low], [high - coef]], fmt="o", color="#1f77b4",
                    capsize=3)
    ax.axvline(0, color="grey", lw=1)
    ax.set_yticks([-i for i in range(len(rows))],
                  [f"Model {m}: {labels.get(t, t)}" for m, t in zip(rows["model"], rows["term"],
                                                                     strict=True)])
    ax.set_xlabel(f"coefficient on {outcome_label} (per unit of the regressor), 95% CI")
    ax.set_title("Coefficients of the specified models")
    return _finish(fig, synthetic)


def partial_regression_plot(partial: pd.DataFrame, coef: float, term_label: str,
                            model: int, *, synthetic: bool = True,
                            outcome_label: str = "API 2012") -> plt.Figure:
    """Added-variable plot: residualized outcome (API 2012) against the residualized
    regressor."""
    # residuals carry round-off that depends on the BLAS; plot them at the written precision
    x, y = round_significant(partial["x_resid"]), round_significant(partial["y_resid"])
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.scatter(x, y, s=22, color="#2ca02c", edgecolor="none")
    xs = np.linspace(x.min(), x.max(), 2)
    ax.plot(xs, coef * xs, color="black", lw=1.5, label=f"slope {coef:.3f} (Model {model})")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel(f"{term_label} | other regressors of Model {model}")
    ax.set_ylabel(f"{outcome_label} | other regressors of Model {model}")
    ax.set_title(f"Partial regression of {outcome_label} on {term_label}")
    ax.legend()
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
