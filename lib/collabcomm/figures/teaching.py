"""Figures of the classroom simulations (notebook 07): power, attenuation, and what a small study
can report."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..lazy import lazy_import

plt = lazy_import("matplotlib.pyplot")
sns = lazy_import("seaborn")

__all__ = [
    "power_curve",
    "attenuation_plot",
    "estimate_distribution",
]


def power_curve(grid: pd.DataFrame, level: float = 0.05, *, term_label: str = "Collaborative",
                model: int = 5) -> plt.Figure:
    """Power at ``level`` against the number of schools, one line per reliability (alpha),
    to detect the slope of ``term_label`` in Model ``model``."""
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
    ax.set_title(f"Power to detect the {term_label} effect (Model {model})")
    ax.legend(title="scale reliability", fontsize=8)
    fig.tight_layout()
    return fig


def attenuation_plot(table: pd.DataFrame, *, term_label: str = "Collaborative") -> plt.Figure:
    """Mean estimated slope against school-level reliability of ``term_label``, with the
    classical formula."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(table["reliability"], table["mean_estimate"], "o", label="simulated mean estimate")
    ax.plot(table["reliability"], table["expected"], "-", color="black",
            label="classical attenuation formula")
    ax.axhline(table["true_effect"].iloc[0], color="grey", ls="--", lw=1, label="true effect")
    ax.set_xlabel(f"school-level reliability of {term_label}")
    ax.set_ylabel("estimated slope")
    ax.set_title("Measurement error attenuates the effect")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def estimate_distribution(sim: dict, level: float = 0.05, *, term_label: str = "Collaborative",
                          slope_unit: str = "API points per scale point") -> plt.Figure:
    """Histogram of a simulated study's estimates of the slope of ``term_label`` (in
    ``slope_unit``), significant ones highlighted (Type M)."""
    est, p = sim["estimate"], sim["p"]
    bins = np.linspace(np.quantile(est, 0.001), np.quantile(est, 0.999), 50)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(est[p >= level], bins=bins, color="#bbbbbb", label="not significant")
    ax.hist(est[p < level], bins=bins, color="#2ca02c", alpha=0.8, label=f"p < {level:g}")
    ax.axvline(sim["true_effect"], color="black", lw=1.5, label="true effect")
    ax.set_xlabel(f"estimated {term_label} slope ({slope_unit})")
    ax.set_ylabel("replications")
    ax.set_title("What a 26-school study can report")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
