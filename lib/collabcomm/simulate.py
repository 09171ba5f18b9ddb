r"""Vectorized Monte Carlo for teaching: power, reliability and sample size.

The paper notes that 26 schools make significance hard to reach. These simulations let
students see what that means: how power grows with the number of schools, how measurement
error in the community scale attenuates the effect, and how, at small N, the estimates that
reach significance exaggerate the true effect (Type M) and can even have the wrong sign
(Type S; Gelman & Carlin 2014).

Generative model (:func:`simulate_model`)
------------------------------------------
For each replication, N schools' *true* regressors of a model are drawn from a multivariate
normal with the published means and covariances (Exhibits 2 and 3, or the user's); API 2012 is
``b0 + X b + e`` with ``e ~ N(0, sigma^2)``, where the slopes and ``sigma`` are those the
published moments imply (:func:`collabcomm.moments.ols_from_moments`), except the focal
regressor's slope, which is the parameter ``effect``. The focal community scale is then
*observed* with error: a school's score is the mean over ``teachers`` teachers, whose
teacher-level score has reliability ``alpha`` and whose between-school share of true variance
is ``icc1``. This gives the school-level reliability

.. math::
    \lambda = \frac{V_T}{V_T + (V_u + V_\varepsilon)/m}, \qquad
    V_u = V_T \frac{1 - \mathrm{ICC}_1}{\mathrm{ICC}_1}, \qquad
    V_\varepsilon = (V_T + V_u)\frac{1-\alpha}{\alpha},

(:func:`school_reliability`); with ``teachers=None`` the school score itself has reliability
``alpha``. Every replication is fitted at once by :func:`batch_ols`.

References
----------
Gelman, A., & Carlin, J. (2014). Beyond power calculations: assessing Type S (sign) and Type M
(magnitude) errors. *Perspectives on Psychological Science*, 9(6), 641-651.
Spearman, C. (1904). The proof and measurement of association between two things. *American
Journal of Psychology*, 15, 72-101 (attenuation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import CollabcommError, ParameterError
from .lazy import lazy_import
from .memo import memoized

_st = lazy_import("scipy.stats")

__all__ = ["batch_ols", "Population", "published_population", "population_from_data",
           "school_reliability", "attenuation", "simulate_model", "Studies", "draw_studies",
           "fit_studies", "power_summary", "retrodesign", "LEVELS", "default_teachers",
           "power_grid", "simulate_all_models"]

LEVELS = (0.10, 0.05, 0.01)
"""Significance levels reported by the power summaries."""


def batch_ols(x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    r"""OLS of many datasets at once.

    Parameters
    ----------
    x : array (R, n, k)
        Design matrices (include a column of ones for a constant).
    y : array (R, n)
        Outcomes.

    Returns
    -------
    dict
        ``coef``, ``se``, ``t``, ``p`` (two-tailed), each (R, k); ``df`` (int).

    Notes
    -----
    :math:`\hat b = (X'X)^{-1}X'y`, :math:`\hat\sigma^2 = e'e/(n-k)`,
    :math:`\operatorname{se} = \sqrt{\hat\sigma^2 \operatorname{diag}(X'X)^{-1}}`; one
    batched ``numpy.linalg`` call per step. Validated against statsmodels OLS to 1e-10.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if x.ndim != 3 or y.shape != x.shape[:2]:
        raise CollabcommError(f"batch_ols: x must be (R, n, k) and y (R, n); got {x.shape}, "
                              f"{y.shape}")
    r, n, k = x.shape
    if n <= k:
        raise CollabcommError(f"batch_ols: {n} observations cannot fit {k} coefficients")
    xt = x.transpose(0, 2, 1)
    inv = np.linalg.inv(xt @ x)  # batched BLAS products
    coef = (inv @ (xt @ y[:, :, None]))[:, :, 0]
    resid = y - (x @ coef[:, :, None])[:, :, 0]
    df = n - k
    sigma2 = (resid * resid).sum(axis=1) / df
    se = np.sqrt(sigma2[:, None] * np.einsum("rii->ri", inv))
    t = coef / se
    p = 2 * _st.t.sf(np.abs(t), df)
    return {"coef": coef, "se": se, "t": t, "p": p, "df": df}


@dataclass(frozen=True)
class Population:
    """Means, SDs and correlations of the school-level variables (a simulation's population)."""

    means: pd.Series
    sds: pd.Series
    corr: pd.DataFrame

    def cov(self, names: list[str]) -> np.ndarray:
        s = self.sds[names].to_numpy(float)
        return self.corr.loc[names, names].to_numpy(float) * np.outer(s, s)


def published_population(root=None) -> Population:
    """The population of Exhibits 2 and 3."""
    from .reconstruct import published_target

    t = published_target(root)
    return Population(t.means, t.sds, t.corr)


def population_from_data(data: pd.DataFrame, *, columns: list[str] | tuple[str, ...] | None = None,
                         source: str = "data", missing: str = "refuse") -> Population:
    """The population whose moments are those of a school-level (or any unit-level) dataset.

    Means, SDs (divisor n - 1) and Pearson correlations of ``columns`` (default the eight
    school variables, :data:`collabcomm.schema.SCHOOL_VARIABLES`), so a class can simulate from
    its own district instead of Exhibits 2 and 3. The draws are multivariate normal, so only
    these moments of ``data`` matter.

    Parameters
    ----------
    data : DataFrame
        One row per school with numeric columns named as in data/README.md (for example from
        :func:`collabcomm.schooldata.load_school_data`).
    columns : sequence of str, optional
        Any set of numeric columns, e.g. the :attr:`~collabcomm.modelspec.ModelSpec.columns`
        of a model specification (``("api00", "api99", "meals", "enroll")``); default the
        eight school variables.
    source : str
        Name of the data in error messages (a file path, say).
    missing : str
        A blank cell: ``"refuse"`` (an error naming column and row) or ``"drop"`` (the school
        is left out, with a warning); see :func:`collabcomm.schooldata.complete_cases`.

    Raises
    ------
    CollabcommError
        Naming ``source`` and the problem: a missing column, a blank or non-numeric value
        (column and 1-based data row; :func:`collabcomm.schooldata.check_school_data`), or, by
        :func:`collabcomm.schooldata.check_design` (the check the regressions share), fewer
        schools than variables plus one (the covariance would be singular), a constant
        column, or columns so collinear that the correlation matrix is not positive definite
        (smallest eigenvalue below 1e-10).

    Notes
    -----
    Validated in ``tests/test_simulate.py``: the moments of the reconstructed schools give back
    Exhibits 2 and 3 (the reconstruction matches them exactly), and a hand-made frame's
    population equals its numpy moments.
    """
    from .schooldata import check_design, check_school_data

    x = check_school_data(data, source, missing=missing,
                          columns=None if columns is None else list(columns))
    names = list(x.columns)
    check_design(x, names, source, what=f"a population of {len(names)} variables")
    return Population(x.mean(), x.std(ddof=1), x.corr())


def school_reliability(alpha: float, teachers: int | None = None, icc1: float = 0.2) -> float:
    """Reliability of a school's mean scale score (see the module docstring).

    With ``teachers=None`` the school score is taken to have reliability ``alpha`` itself.

    By hand: with ICC(1) = 0.2 the true school variance 1 comes with teacher variance 4, and
    alpha = 0.75 adds error variance (1 + 4)/3, so 1 / (1 + (4 + 5/3)/20) = 0.7792.

    >>> round(school_reliability(0.75, teachers=20, icc1=0.2), 4)
    0.7792
    """
    if not 0 < alpha <= 1:
        raise ParameterError(f"alpha must be in (0, 1], not {alpha}")
    if teachers is None:
        return float(alpha)
    if teachers < 1:
        raise ParameterError(f"teachers must be at least 1, not {teachers}")
    if not 0 < icc1 <= 1:
        raise ParameterError(f"icc1 must be in (0, 1], not {icc1}")
    vt = 1.0
    vu = vt * (1 - icc1) / icc1
    ve = (vt + vu) * (1 - alpha) / alpha
    return float(vt / (vt + (vu + ve) / teachers))


def attenuation(reliability: float, r2_given_controls: float = 0.0) -> float:
    r"""Expected ratio of the observed to the true slope of a regressor measured with error.

    Notes
    -----
    Classical errors in variables. With no other regressors the slope shrinks by the
    reliability :math:`\lambda` (Spearman 1904). With error-free controls that explain
    :math:`R^2` of the *true* regressor, the slope is :math:`\beta\,\operatorname{var}(x|C)
    / \operatorname{var}(x^*|C)`, which gives the factor

    .. math:: \frac{\lambda (1 - R^2)}{1 - \lambda R^2}

    (e.g. Wooldridge, *Econometric Analysis of Cross Section and Panel Data*, sec. 4.4.2).
    Validated against large simulated samples in the tests.

    >>> attenuation(0.8), round(attenuation(0.8, 0.5), 4)
    (0.8, 0.6667)
    """
    lam, r2 = float(reliability), float(r2_given_controls)
    if not 0 < lam <= 1 or not 0 <= r2 < 1:
        raise ParameterError(f"attenuation: reliability must be in (0, 1] and R2 in [0, 1); "
                             f"got {lam}, {r2}")
    return lam * (1 - r2) / (1 - lam * r2)


@memoized
def simulate_model(n_schools: int, *, reps: int = 2000, model: int = 5,
                   effect: float | None = None, alpha: float = 1.0,
                   teachers: int | None = None, icc1: float = 0.2, seed: int = 0,
                   population: Population | None = None,
                   spec=None) -> dict[str, np.ndarray | float]:
    """Simulate ``reps`` datasets of ``n_schools`` schools and fit one Exhibit 4 model to each.

    Parameters
    ----------
    n_schools : int
        Schools per dataset.
    reps : int
        Replications.
    model : int
        Exhibit 4 model (2-6); its community regressor(s) carry the measurement error, and the
        *focal* regressor is the last community type it adds (Collaborative in Models 5 and 6).
        With ``spec``, a model of ``spec`` that adds at least one term: the terms it adds
        carry the measurement error (the controls are observed without error), and the focal
        regressor is the last of them (:meth:`~collabcomm.modelspec.ModelSpec.focal`).
    effect : float, optional
        True slope of the focal regressor; default the value the population's moments imply.
    alpha, teachers, icc1 : float, int, float
        Measurement of the community scales (see :func:`school_reliability`).
    seed : int
        Seed; the same arguments give the same draws.
    population : Population, optional
        Default: :func:`published_population`. It must have the outcome and every regressor
        of the model (from :func:`population_from_data` with ``columns=spec.columns``, say).
    spec : :class:`~collabcomm.modelspec.ModelSpec`, optional
        The models; default :func:`~collabcomm.modelspec.exhibit4`.

    Returns
    -------
    dict
        ``estimate``, ``se``, ``p`` (arrays of length ``reps``, for the focal regressor),
        ``true_effect``, ``reliability`` (school level), ``focal`` (its name).
    """
    lam = school_reliability(alpha, teachers, icc1)
    return fit_studies(draw_studies(n_schools, reps=reps, model=model, seed=seed,
                                    population=population, spec=spec), effect=effect,
                       reliability=lam)


@dataclass(frozen=True)
class Studies:
    """The random draws of :func:`simulate_model` for one seed, before the true slope and the
    measurement's reliability are applied (:func:`draw_studies`, :func:`fit_studies`)."""

    x_true: np.ndarray  # (reps, n, k) true regressors
    noise: np.ndarray  # (reps, n) outcome residuals
    errors: np.ndarray  # (reps, n, terms) standard normal measurement errors, one per added term
    columns: tuple[int, ...]  # the regressor column of each added term
    term_sds: np.ndarray  # population SD of each added term
    intercept: float
    slopes: np.ndarray  # the population's implied slopes, in regressor order
    focal_index: int
    focal: str


def draw_studies(n_schools: int, *, reps: int = 2000, model: int = 5, seed: int = 0,
                 population: Population | None = None, spec=None) -> Studies:
    """The random part of :func:`simulate_model`: every draw, in the same order from the same
    seed, so that ``fit_studies(draw_studies(...), effect=e, reliability=lam)`` is
    ``simulate_model(...)`` with that effect and school-level reliability, bit for bit (an
    error is a standard normal times its SD, as numpy's ``normal(0, sd)`` draws it). One set of
    draws serves every slope and reliability (:mod:`collabcomm.classroom`'s grid).
    """
    from .modelspec import exhibit4
    from .moments import ols_from_moments

    spec = spec or exhibit4()
    if spec.is_exhibit4 and model not in spec.names[1:]:
        raise ParameterError(f"model must be one of 2-6 (a community type is needed), not {model}")
    try:
        xs, focal = spec.regressors(model), spec.focal(model)
    except CollabcommError as exc:
        raise ParameterError(str(exc)) from None
    k = len(xs) + 1
    if n_schools <= k:
        raise ParameterError(f"n_schools must exceed {k} for model {model}, not {n_schools}")
    if reps < 1:
        raise ParameterError(f"reps must be at least 1, not {reps}")
    pop = published_population() if population is None else population
    lacking = [c for c in (spec.outcome, *xs) if c not in pop.means.index]
    if lacking:
        raise CollabcommError(f"the population has no column(s) {lacking}, which model {model} "
                              f"of {spec.source} needs; its columns are {list(pop.means.index)}")
    truth = ols_from_moments(pop.corr, pop.sds, pop.means, 10_000, spec.outcome, xs)
    sigma = float(np.sqrt(1 - truth.r_squared) * pop.sds[spec.outcome])  # population residual SD
    rng = np.random.default_rng(seed)
    mean_x = pop.means[xs].to_numpy(float)
    x_true = rng.multivariate_normal(mean_x, pop.cov(xs), size=(reps, n_schools),
                                     method="cholesky")
    noise = rng.normal(0.0, sigma, (reps, n_schools))
    terms = list(spec.terms(model))
    errors = np.stack([rng.standard_normal((reps, n_schools)) for _ in terms], axis=2)
    return Studies(x_true=x_true, noise=noise, errors=errors,
                   columns=tuple(xs.index(t) for t in terms),
                   term_sds=pop.sds[terms].to_numpy(float),
                   intercept=float(truth.coef["const"]),
                   slopes=truth.coef[xs].to_numpy(float), focal_index=xs.index(focal),
                   focal=focal)


def fit_studies(studies: Studies, *, effect: float | None, reliability: float) -> dict:
    """The deterministic part of :func:`simulate_model`: the outcome with the true slope
    ``effect`` (None: the population's), the added terms observed with school-level
    ``reliability``, and the model fitted to every study (same return value)."""
    d, lam = studies, school_reliability(reliability)
    b = d.slopes.copy()
    j = d.focal_index
    true_effect = float(b[j]) if effect is None else float(effect)
    b[j] = true_effect
    reps, n_schools = d.noise.shape
    y = d.intercept + d.x_true @ b + d.noise
    x_obs = d.x_true.copy()
    for i, c in enumerate(d.columns):
        err_sd = d.term_sds[i] * np.sqrt((1 - lam) / lam)
        x_obs[:, :, c] += err_sd * d.errors[:, :, i]
    design = np.concatenate([np.ones((reps, n_schools, 1)), x_obs], axis=2)
    fit = batch_ols(design, y)
    return {"estimate": fit["coef"][:, j + 1], "se": fit["se"][:, j + 1], "p": fit["p"][:, j + 1],
            "true_effect": true_effect, "reliability": lam, "focal": d.focal}


def power_summary(sim: dict, levels: tuple[float, ...] = LEVELS,
                  design_level: float = 0.05) -> dict[str, float]:
    """Power at each level, the estimate's distribution, and Type M / Type S errors.

    Type M (exaggeration ratio) = mean |estimate| / |true effect| among results significant at
    ``design_level``; Type S = share of those with the wrong sign (Gelman & Carlin 2014). Both
    are NaN when no replication is significant or the true effect is 0 (Type M).
    """
    est, p, true = sim["estimate"], sim["p"], sim["true_effect"]
    out = {f"power_{lv:g}": float(np.mean(p < lv)) for lv in levels}
    out.update({"mean_estimate": float(np.mean(est)), "sd_estimate": float(np.std(est, ddof=1)),
                "q05": float(np.quantile(est, 0.05)), "q95": float(np.quantile(est, 0.95)),
                "true_effect": float(true), "reliability": float(sim["reliability"]),
                "reps": int(len(est))})
    sig = p < design_level
    if sig.any() and true != 0:
        out["type_m"] = float(np.mean(np.abs(est[sig])) / abs(true))
        out["type_s"] = float(np.mean(np.sign(est[sig]) != np.sign(true)))
    else:
        out["type_m"] = out["type_s"] = float("nan")
    return out


def retrodesign(true_effect: float, se: float, *, alpha: float = 0.05, df: float | None = None,
                draws: int = 1_000_000, seed: int = 0) -> dict[str, float]:
    """Gelman and Carlin's design analysis of one estimate.

    Given a plausible true effect and the standard error of the estimate: the power, the Type
    S error rate and the exaggeration ratio, for a two-tailed test at ``alpha`` (t with ``df``
    degrees of freedom, or normal when ``df`` is None). Power and Type S are exact; the
    exaggeration ratio is a seeded Monte Carlo over ``draws`` (Gelman & Carlin 2014, their
    ``retrodesign`` function).
    """
    if se <= 0:
        raise ParameterError(f"se must be positive, not {se}")
    dist = _st.norm if df is None else _st.t(df)
    z = dist.ppf(1 - alpha / 2)
    lam = true_effect / se
    hi, lo = dist.sf(z - lam), dist.cdf(-z - lam)
    power = hi + lo
    type_s = (lo / power) if true_effect > 0 else (hi / power)
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(draws) if df is None else rng.standard_t(df, draws)
    est = true_effect + se * noise
    sig = np.abs(est) > se * z
    exaggeration = float(np.mean(np.abs(est[sig])) / abs(true_effect)) if true_effect else np.nan
    return {"power": float(power), "type_s": float(type_s), "exaggeration": exaggeration}


def default_teachers(root=None) -> int:
    """The study's average responding teachers per school: round(0.69 x mean school size)."""
    from . import published
    from .reconstruct import RESPONSE_RATE

    mean_size = published.descriptives(root, wide=True).loc["school_size", "mean"]
    return int(np.floor(RESPONSE_RATE * mean_size + 0.5))


def power_grid(n_grid: list[int], alpha_grid: list[float], *, reps: int = 2000,
               progress: bool = True, seed: int = 0, **kwargs) -> pd.DataFrame:
    """:func:`power_summary` for every combination of school counts and reliabilities.

    Each setting gets its own seed (``seed`` + its index), so a grid is reproducible and a
    setting does not depend on which others are in the grid. A progress bar (no timings, so
    executed notebooks stay stable) shows when ``progress`` is true.
    """
    from tqdm import tqdm

    combos = [(n, a) for a in alpha_grid for n in n_grid]
    rows = []
    for i, (n, a) in enumerate(tqdm(combos, disable=not progress, mininterval=5,
                                    bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} settings")):
        sim = simulate_model(int(n), reps=reps, alpha=float(a), seed=seed + i, **kwargs)
        rows.append({"n_schools": int(n), "alpha": float(a), **power_summary(sim)})
    return pd.DataFrame(rows)


def simulate_all_models(n_schools: int, *, reps: int = 2000, seed: int = 0,
                        population: Population | None = None) -> dict[int, dict[str, np.ndarray]]:
    """Draw ``reps`` datasets of all eight school variables jointly from the population
    (multivariate normal) and fit all six Exhibit 4 models to each; returns
    :func:`batch_ols` output per model (coefficients in the order constant, regressors)."""
    from .models import ADDED, OUTCOME, regressors

    pop = published_population() if population is None else population
    names = list(pop.means.index)
    rng = np.random.default_rng(seed)
    data = rng.multivariate_normal(pop.means[names].to_numpy(float), pop.cov(names),
                                   size=(reps, n_schools), method="cholesky")
    y = data[:, :, names.index(OUTCOME)]
    ones = np.ones((reps, n_schools, 1))
    return {m: batch_ols(np.concatenate([ones, data[:, :, [names.index(x) for x in
                                                            regressors(m)]]], axis=2), y)
            for m in ADDED}
