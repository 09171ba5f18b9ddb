r"""The grids behind notebook 07's live figures: power, Type M and Type S, and attenuation at
every setting of the figures' controls, computed here once so that the page, the slides and
JupyterLab only look values up (no statistic is computed in the browser).

Power, Type M and Type S (:func:`power_table`) are those of :func:`collabcomm.simulate.
simulate_model` and :func:`~collabcomm.simulate.power_summary`, the functions notebook 07 uses
for its power curve, at a lower number of replications (:data:`GRID_REPS`) and with one seed
for every setting (common random numbers: the curves are smooth in the slope and the
reliability). Each row equals

.. code-block:: python

    power_summary(simulate_model(n, reps=reps, alpha=reliability, teachers=None,
                                 effect=effect * slope_per_sd(...), seed=seed, ...),
                  levels=(level,), design_level=level)

exactly (``tests/test_classroom.py``); the draws for one number of schools serve every slope
and reliability (:func:`~collabcomm.simulate.draw_studies`, :func:`~collabcomm.simulate.
fit_studies`), which is what makes the grid cheap enough to build on every run.

The *standardized* slope is the focal regressor's slope in standard deviations of the outcome
per standard deviation of the regressor, :math:`\beta_{std} = \beta\, s_x / s_y`, with the
population's SDs (:func:`slope_per_sd` gives :math:`s_y / s_x`). The reliability is that of
the school means (ICC(2) when the school score is a mean of teachers' answers;
:func:`~collabcomm.simulate.school_reliability`).

Attenuation (:func:`attenuation_table`) is the classical errors-in-variables factor
:func:`~collabcomm.simulate.attenuation` with the :math:`R^2` of the focal regressor on the
model's other regressors, as notebook 07's attenuation section computes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ParameterError
from .memo import memoized
from .simulate import (
    LEVELS,
    Population,
    attenuation,
    draw_studies,
    fit_studies,
    power_summary,
    published_population,
)

__all__ = [
    "GRID_N",
    "GRID_EFFECTS",
    "GRID_RELIABILITIES",
    "GRID_REPS",
    "ATTENUATION_RELIABILITIES",
    "slope_per_sd",
    "standardized_slope",
    "focal_r2",
    "power_table",
    "attenuation_table",
    "nearest",
]

GRID_N = tuple(range(10, 61, 2))
"""Numbers of schools of the grid: 10 to 60 in steps of 2 (26, the paper's, among them)."""

GRID_EFFECTS = (0.04, 0.08, 0.12, 0.16, 0.20)
"""True standardized slopes of the grid. Exhibits 2 and 3 imply about 0.08 for Collaborative in
Model 5, the published slope about 0.14."""

GRID_RELIABILITIES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
"""Reliabilities of the school means of the grid."""

GRID_REPS = 500
"""Simulated studies per setting: power is a multiple of 1/500 = 0.002, so three decimals show
it exactly; its Monte Carlo standard error is at most 0.022."""

ATTENUATION_RELIABILITIES = tuple(round(0.3 + 0.01 * i, 2) for i in range(71))
"""Reliabilities of the attenuation curve: 0.30 to 1.00 in steps of 0.01."""


def _model_spec(model, spec):
    from .modelspec import exhibit4

    spec = spec or exhibit4()
    return (spec.main_model if model is None else model), spec


def slope_per_sd(population: Population | None = None, model: int | None = None,
                 spec=None) -> float:
    """The raw slope of one standardized unit: :math:`s_y / s_x`, the outcome's SD over the
    focal regressor's, in the population (API points per scale point for Model 5 and
    Exhibits 2-3: 66.38 / 9.59 = 6.922)."""
    model, spec = _model_spec(model, spec)
    pop = published_population() if population is None else population
    return float(pop.sds[spec.outcome] / pop.sds[spec.focal(model)])


def standardized_slope(population: Population | None = None, model: int | None = None,
                       spec=None) -> float:
    """The standardized slope of the focal regressor that the population's moments imply
    (0.0763 for Collaborative in Model 5 and Exhibits 2-3: 0.5283 x 9.59 / 66.38)."""
    from .moments import ols_from_moments

    model, spec = _model_spec(model, spec)
    pop = published_population() if population is None else population
    xs = spec.regressors(model)
    fit = ols_from_moments(pop.corr, pop.sds, pop.means, 10_000, spec.outcome, xs)
    return float(fit.coef[spec.focal(model)]) / slope_per_sd(pop, model, spec)


def focal_r2(population: Population | None = None, model: int | None = None,
             spec=None) -> float:
    """:math:`R^2` of the focal regressor on the model's other regressors (the controls of
    Model 5), from the population's moments: the :math:`R^2` of
    :func:`~collabcomm.simulate.attenuation`."""
    from .moments import ols_from_moments

    model, spec = _model_spec(model, spec)
    pop = published_population() if population is None else population
    focal = spec.focal(model)
    others = [x for x in spec.regressors(model) if x != focal]
    return float(ols_from_moments(pop.corr, pop.sds, pop.means, 26, focal, others).r_squared)


def _check_grid(name: str, values, low: float, high: float) -> list:
    values = list(values)
    if not values or any(not low <= v <= high for v in values) or len(set(values)) < len(values):
        raise ParameterError(f"{name} must be distinct values in [{low}, {high}], not {values}")
    return values


@memoized
def power_table(n_values=GRID_N, effects=GRID_EFFECTS, reliabilities=GRID_RELIABILITIES, *,
                reps: int = GRID_REPS, seed: int = 0, population: Population | None = None,
                model: int | None = None, spec=None, levels=LEVELS) -> pd.DataFrame:
    """Power, Type M and Type S at every number of schools, standardized slope, reliability of
    the school means and significance level (see the module docstring).

    Returns
    -------
    DataFrame
        One row per setting: ``n_schools``, ``effect`` (standardized), ``reliability``,
        ``level``, ``power`` (share of studies with p < level), ``type_m`` (exaggeration
        ratio), ``type_s`` (share of wrong signs among the significant; both NaN when no study
        is significant), ``mean_estimate`` (mean estimated slope, standardized).
    """
    model, spec = _model_spec(model, spec)
    pop = published_population() if population is None else population
    effects = _check_grid("effects", effects, -10, 10)
    reliabilities = _check_grid("reliabilities", reliabilities, 1e-9, 1)
    unit = slope_per_sd(pop, model, spec)
    rows = []
    for n in _check_grid("n_values", n_values, 1, 100_000):
        studies = draw_studies(int(n), reps=reps, model=model, seed=seed, population=pop,
                               spec=spec)
        for lam in reliabilities:
            for e in effects:
                sim = fit_studies(studies, effect=e * unit, reliability=lam)
                for lv in levels:
                    s = power_summary(sim, levels=(lv,), design_level=lv)
                    rows.append({"n_schools": int(n), "effect": float(e),
                                 "reliability": float(lam), "level": float(lv),
                                 "power": s[f"power_{lv:g}"], "type_m": s["type_m"],
                                 "type_s": s["type_s"],
                                 "mean_estimate": s["mean_estimate"] / unit})
    return pd.DataFrame(rows)


def attenuation_table(effects=GRID_EFFECTS, reliabilities=ATTENUATION_RELIABILITIES, *,
                      population: Population | None = None, model: int | None = None,
                      spec=None) -> pd.DataFrame:
    """The slope a study expects to observe, against the true one, as the reliability of the
    school means falls: ``effect`` x :func:`~collabcomm.simulate.attenuation` (reliability,
    :func:`focal_r2`).

    Returns
    -------
    DataFrame
        One row per slope and reliability: ``effect`` (true, standardized), ``reliability``,
        ``factor`` (the attenuation factor), ``observed`` (``effect`` x ``factor``).
    """
    r2 = focal_r2(population, model, spec)
    rows = [{"effect": float(e), "reliability": float(lam), "factor": attenuation(lam, r2),
             "observed": float(e) * attenuation(lam, r2)}
            for e in _check_grid("effects", effects, -10, 10)
            for lam in _check_grid("reliabilities", reliabilities, 1e-9, 1)]
    return pd.DataFrame(rows)


def nearest(values, target: float) -> float:
    """The value of a grid closest to ``target`` (the first of two equally close)."""
    values = np.asarray(list(values), float)
    return float(values[int(np.argmin(np.abs(values - float(target))))])
