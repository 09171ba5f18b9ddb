"""Figures: one theme, deterministic bytes, and the plots the notebooks show.

Every figure is saved as PNG and SVG in ``figures/`` by :func:`save`, atomically (and staged
while the pipeline runs, see :mod:`collabcomm.outputs`). The bytes are the same on every run:
no software version or date in the metadata, a fixed SVG hash salt, glyphs drawn as paths, and
only the DejaVu fonts that ship with matplotlib.

One module per part of the argument: :mod:`~collabcomm.figures.theme` (the theme and the
deterministic saving), :mod:`~collabcomm.figures.theory` (notebook 01),
:mod:`~collabcomm.figures.schools` (notebooks 02 and 03), :mod:`~collabcomm.figures.regressions`
(04 and 05), :mod:`~collabcomm.figures.consistency` (06) and :mod:`~collabcomm.figures.teaching`
(07). Every name is offered here too, so ``figures.save`` and ``figures.power_curve`` work as
before.
"""

from __future__ import annotations

from .consistency import STATUS_COLORS, audit_grid
from .regressions import (
    coefficient_plot,
    fitted_coefficient_plot,
    item_effects_plot,
    partial_regression_plot,
)
from .schools import (
    correlation_heatmaps,
    interitem_heatmap,
    reliability_plot,
    same_statistics_scatter,
    school_profiles,
    synthetic_pairplot,
)
from .teaching import attenuation_plot, estimate_distribution, power_curve
from .theme import SYNTHETIC_NOTE, mark_synthetic, save, save_and_show, set_theme, stable_svg_ids
from .theory import figure1_diagram, figure2_table, profile_chart, typology_diagram

__all__ = [
    "SYNTHETIC_NOTE",
    "set_theme",
    "save",
    "save_and_show",
    "stable_svg_ids",
    "mark_synthetic",
    "correlation_heatmaps",
    "synthetic_pairplot",
    "same_statistics_scatter",
    "coefficient_plot",
    "fitted_coefficient_plot",
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
