"""Exhibit 4's regressions: specifications, fitting, tidy results, and OLS from moments.

The six models (data/README.md, *Model specifications*):
M1 = ``api_2012 ~ sed_pct + api_2011 + school_size``; M2 to M5 add
``bureaucratic``, ``traditional``, ``fragmented`` and ``collaborative`` one at a time; M6 adds
all four. :func:`fit` estimates one with statsmodels' formula API on any school-level
DataFrame; :func:`ols_from_moments` gives the same numbers from a correlation matrix, SDs,
means and N alone, with no data (notebook 06 uses it to check the paper's own tables).

Every function that takes a model also takes ``spec``, a :class:`~collabcomm.modelspec.ModelSpec`
(default :func:`~collabcomm.modelspec.exhibit4`, these six models): the same fits, tables and
diagnostics then run on any unit-level data and any outcome, controls and terms, e.g. R
survey's ``apipop`` with ``data/examples/apipop_models.yaml``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import published
from .errors import CollabcommError
from .lazy import lazy_import
from .modelspec import ADDED, OUTCOME, ModelSpec, exhibit4
from .moments import ols_from_moments
from .precision import matches_published
from .schooldata import check_design, check_school_ids, complete_cases
from .significance import stars

smf = lazy_import("statsmodels.formula.api")
_st = lazy_import("scipy.stats")
_influence = lazy_import("statsmodels.stats.outliers_influence")

__all__ = [
    "OUTCOME",
    "ADDED",
    "ModelSpec",
    "exhibit4",
    "TERM_ORDER",
    "specifications",
    "regressors",
    "formula",
    "fit",
    "tidy",
    "fit_all",
    "regression_table",
    "ols_from_moments",
    "models_from_moments",
    "compare_exhibit4",
    "standardized",
    "vifs",
    "influence",
    "partial_regression",
    "model_rows",
    "READINGS",
    "item_effects",
    "compare_exhibit5",
]

TERM_ORDER: tuple[str, ...] = ("sed_pct", "api_2011", "school_size", "bureaucratic",
                               "traditional", "fragmented", "collaborative", "const", "n_obs",
                               "r_squared")
"""Rows of Exhibit 4, in the printed order."""


def regressors(model: int, *, drop: tuple[str, ...] = (), spec: ModelSpec | None = None
               ) -> list[str]:
    """Regressors of model ``model`` of ``spec`` (default Exhibit 4's, 1-6): the controls,
    then the model's terms, without those in ``drop``.

    ``drop=("sed_pct",)`` and ``drop=("api_2011",)`` give the paper's robustness
    specifications (without % SED; without baseline API).
    """
    return (spec or exhibit4()).regressors(model, drop=drop)


def formula(model: int, *, drop: tuple[str, ...] = (), spec: ModelSpec | None = None) -> str:
    """statsmodels formula of a model, e.g. ``api_2012 ~ sed_pct + api_2011 + school_size``."""
    return (spec or exhibit4()).formula(model, drop=drop)


def specifications(*, drop: tuple[str, ...] = (), spec: ModelSpec | None = None
                   ) -> pd.DataFrame:
    """The models of ``spec`` (default Exhibit 4's six) as data: ``model``, ``formula``,
    ``regressors`` (comma-separated)."""
    spec = spec or exhibit4()
    return pd.DataFrame([(m, spec.formula(m, drop=drop), ",".join(spec.regressors(m, drop=drop)))
                         for m in spec.names], columns=["model", "formula", "regressors"])


def fit(data: pd.DataFrame, model: int, *, drop: tuple[str, ...] = (),
        cov_type: str = "nonrobust", missing: str = "refuse", spec: ModelSpec | None = None):
    """Fit one model by OLS with statsmodels' formula API.

    Parameters
    ----------
    data : DataFrame
        School-level data with the column names of data/README.md (or unit-level data with
        the columns ``spec`` names).
    model : int
        1-6 (a model of ``spec``).
    drop : tuple of str
        Regressors to leave out (robustness specifications).
    cov_type : str
        ``"nonrobust"`` (classical, as in the paper) or ``"HC3"`` (MacKinnon-White).
    missing : str
        A blank cell in a column the model uses: ``"refuse"`` (an error naming column and
        row) or ``"drop"`` (the row is left out, with a warning, as R's ``lm`` leaves it out
        by ``na.omit``); see :func:`~collabcomm.schooldata.complete_cases`.
    spec : ModelSpec, optional
        The models (:mod:`collabcomm.modelspec`); default :func:`~collabcomm.modelspec.exhibit4`.

    Notes
    -----
    Every p-value and confidence interval uses the t distribution with :math:`n - k - 1`
    degrees of freedom, the robust ones included (``use_t=True``; statsmodels' default for a
    robust covariance would be the normal distribution, which at N = 26 makes HC3 p-values
    far too small). Validated against R's ``lm`` and, for HC3, ``lmtest::coeftest(fit,
    vcov. = sandwich::vcovHC(fit, type = "HC3"))`` (tests/reference/lm_reference.R), and on
    real data, R survey's ``apipop`` (6,157 complete schools), against ``lm(api00 ~ api99 +
    meals + enroll)`` to 1e-8 (tests/reference/apipop_lm.R).
    """
    rows = model_rows(data, model, drop=drop, missing=missing, spec=spec)
    return smf.ols(formula(model, drop=drop, spec=spec), data=rows).fit(cov_type=cov_type,
                                                                         use_t=True)


def model_rows(data: pd.DataFrame, model: int, *, drop: tuple[str, ...] = (),
               missing: str = "refuse", spec: ModelSpec | None = None) -> pd.DataFrame:
    """The rows a model is fitted on, after the checks every fit shares.

    The blank-cell rule of :func:`~collabcomm.schooldata.complete_cases`, then :func:`~collabcomm.schooldata.check_design` on the outcome
    and the model's regressors. Messages name the data's source: the file for a frame from
    :func:`~collabcomm.schooldata.load_school_data` (its ``attrs["source"]``), else ``school data for model <k>``.
    """
    spec = spec or exhibit4()
    used = [spec.outcome, *spec.regressors(model, drop=drop)]
    source = data.attrs.get("source", f"school data for model {model}")
    absent = sorted(set(used) - set(data.columns))
    if absent:
        where = f"{data.attrs['source']}: " if "source" in data.attrs else ""
        raise CollabcommError(f"{where}school data lack column(s) {absent} needed by model "
                              f"{model}")
    rows = complete_cases(data, used, source, missing=missing)
    check_design(rows, used, source, what=f"model {model} ({len(used) - 1} regressors and a "
                                          "constant)")
    return rows


def tidy(results, model: int, *, levels: list[tuple[str, float]] | None = None) -> pd.DataFrame:
    """One row per term: model, term (``const`` for the intercept), coef, se, t, p, stars,
    ci_low, ci_high (95%), r_squared, adj_r_squared, n."""
    ci = results.conf_int(0.05)
    rows = []
    for name in results.params.index:
        term = "const" if name == "Intercept" else name
        p = float(results.pvalues[name])
        rows.append((model, term, float(results.params[name]), float(results.bse[name]),
                     float(results.tvalues[name]), p, stars(p, levels),
                     float(ci.loc[name, 0]), float(ci.loc[name, 1]),
                     float(results.rsquared), float(results.rsquared_adj), int(results.nobs)))
    return pd.DataFrame(rows, columns=["model", "term", "coef", "se", "t", "p", "stars",
                                       "ci_low", "ci_high", "r_squared", "adj_r_squared", "n"])


def fit_all(data: pd.DataFrame, *, drop: tuple[str, ...] = (), cov_type: str = "nonrobust",
            levels: list[tuple[str, float]] | None = None,
            missing: str = "refuse", spec: ModelSpec | None = None) -> pd.DataFrame:
    """Tidy results of every model of ``spec`` (default Exhibit 4's six), stacked
    (``missing`` as in :func:`fit`)."""
    spec = spec or exhibit4()
    return pd.concat([tidy(fit(data, m, drop=drop, cov_type=cov_type, missing=missing,
                               spec=spec), m, levels=levels)
                      for m in spec.names], ignore_index=True)


def regression_table(results: pd.DataFrame, *, digits: int = 3,
                     spec: ModelSpec | None = None) -> pd.DataFrame:
    """Exhibit 4's layout: terms as rows (printed order; for another ``spec``, its
    :attr:`~collabcomm.modelspec.ModelSpec.regressor_order` and the constant), models as
    columns, cells ``coef`` followed by its stars, then Observations and R-squared rows."""
    models = sorted(results["model"].unique())
    rows = (*(spec or exhibit4()).regressor_order, *TERM_ORDER[-3:])
    table = pd.DataFrame("", index=list(rows), columns=[f"Model {m}" for m in models])
    for r in results.itertuples():
        table.loc[r.term, f"Model {r.model}"] = f"{r.coef:.{digits}f}{r.stars}"
    for m in models:
        first = results[results.model == m].iloc[0]
        table.loc["n_obs", f"Model {m}"] = f"{int(first['n'])}"
        table.loc["r_squared", f"Model {m}"] = f"{first['r_squared']:.{digits}f}"
    labels = dict(zip(published.regressions()["term"], published.regressions()["term_label"],
                      strict=False))
    table.index = [labels.get(t, t) for t in table.index]
    return table


def models_from_moments(corr: pd.DataFrame, sds: pd.Series, means: pd.Series, n: int, *,
                        drop: tuple[str, ...] = (),
                        levels: list[tuple[str, float]] | None = None,
                        spec: ModelSpec | None = None) -> pd.DataFrame:
    """The models of ``spec`` (default Exhibit 4's six) from summary statistics, in
    :func:`tidy`'s columns (CIs at 95%)."""
    spec = spec or exhibit4()
    rows = []
    for m in spec.names:
        res = ols_from_moments(corr, sds, means, n, spec.outcome, spec.regressors(m, drop=drop))
        tc = _st.t.ppf(0.975, res.df_resid)
        for term in res.coef.index:
            c, s = float(res.coef[term]), float(res.se[term])
            rows.append((m, term, c, s, float(res.t[term]), float(res.p[term]),
                         stars(float(res.p[term]), levels), c - tc * s, c + tc * s,
                         res.r_squared, res.adj_r_squared, n))
    return pd.DataFrame(rows, columns=["model", "term", "coef", "se", "t", "p", "stars",
                                       "ci_low", "ci_high", "r_squared", "adj_r_squared", "n"])


def compare_exhibit4(results: pd.DataFrame, *, root=None) -> pd.DataFrame:
    """Every printed cell of Exhibit 4 beside the reproduced value.

    Columns: model, term, published, decimals, published_stars, reproduced, reproduced_stars,
    value_match (rounds to the published digits), stars_match (missing for N and R-squared,
    which carry no stars), difference. A blank published cell (Model 1's constant) has
    ``published`` missing and matches nothing.
    """
    pub = published.regressions(root)
    pub = pub[pub["in_model"]]
    rows = []
    for r in pub.itertuples():
        sub = results[results["model"] == r.model]
        if r.term == "n_obs":
            rep, rep_stars = float(sub["n"].iloc[0]), ""
        elif r.term == "r_squared":
            rep, rep_stars = float(sub["r_squared"].iloc[0]), ""
        else:
            hit = sub[sub["term"] == r.term]
            rep, rep_stars = float(hit["coef"].iloc[0]), str(hit["stars"].iloc[0])
        blank = np.isnan(r.value)
        starred = r.term not in ("n_obs", "r_squared")
        rows.append((r.model, r.term, r.value, r.decimals, r.stars, rep, rep_stars,
                     (not blank) and matches_published(rep, r.value, int(r.decimals)),
                     ((not blank) and rep_stars == r.stars) if starred else pd.NA,
                     np.nan if blank else rep - r.value))
    out = pd.DataFrame(rows, columns=["model", "term", "published", "decimals",
                                      "published_stars", "reproduced", "reproduced_stars",
                                      "value_match", "stars_match", "difference"])
    out["stars_match"] = out["stars_match"].astype("boolean")
    return out


def standardized(results: pd.DataFrame, data: pd.DataFrame, *, spec: ModelSpec | None = None
                 ) -> pd.DataFrame:
    """Adds ``beta`` = coef x SD(x) / SD(y) (SDs with n-1, over the rows of ``data``; y the
    outcome of ``spec``) to tidy results; NaN for const."""
    sd = data.std(numeric_only=True, ddof=1)
    y = (spec or exhibit4()).outcome
    out = results.copy()
    out["beta"] = [np.nan if t == "const" else c * sd[t] / sd[y]
                   for t, c in zip(out["term"], out["coef"], strict=True)]
    return out


def vifs(data: pd.DataFrame, model: int, *, drop: tuple[str, ...] = (),
         missing: str = "refuse", spec: ModelSpec | None = None) -> pd.Series:
    """Variance inflation factors of a model's regressors: :math:`1 / (1 - R_j^2)`
    (``missing`` and ``spec`` as in :func:`fit`)."""
    xs = regressors(model, drop=drop, spec=spec)
    data = model_rows(data, model, drop=drop, missing=missing, spec=spec)
    x = np.column_stack([np.ones(len(data)), data[xs].to_numpy(float)])
    return pd.Series([_influence.variance_inflation_factor(x, j + 1) for j in range(len(xs))], index=xs,
                     name=f"VIF (model {model})")


def influence(data: pd.DataFrame, model: int, *, id_column: str | None = None,
              missing: str = "refuse", spec: ModelSpec | None = None) -> pd.DataFrame:
    """Cook's distance, leverage and studentized residuals of each school (unit) under a
    model (``missing`` and ``spec`` as in :func:`fit`; dropped units get no row). The first
    column is ``id_column`` (default the spec's :attr:`~collabcomm.modelspec.ModelSpec.unit_id`,
    ``school_id``) where the data have it."""
    id_column = id_column or (spec or exhibit4()).unit_id
    data = model_rows(data, model, missing=missing, spec=spec)
    infl = fit(data, model, spec=spec).get_influence()
    out = pd.DataFrame({
        "cooks_d": infl.cooks_distance[0],
        "leverage": infl.hat_matrix_diag,
        "student_resid": infl.resid_studentized_external,
    })
    if id_column in data.columns:
        out.insert(0, id_column, data[id_column].to_numpy())
    return out


def partial_regression(data: pd.DataFrame, model: int, term: str, *,
                       missing: str = "refuse", spec: ModelSpec | None = None) -> pd.DataFrame:
    """Added-variable (partial regression) data of ``term`` in ``model``.

    Notes
    -----
    Both the outcome (``api_2012``) and ``term`` are residualized on the model's other
    regressors (with a constant); by the Frisch-Waugh-Lovell theorem the slope of ``y_resid``
    on ``x_resid`` equals the coefficient of ``term`` in the full model. ``missing`` and
    ``spec`` as in :func:`fit`; the unit id column (``school_id``) comes first where present.
    """
    spec = spec or exhibit4()
    xs = spec.regressors(model)
    if term not in xs:
        raise CollabcommError(f"'{term}' is not a regressor of model {model}: {xs}")
    data = model_rows(data, model, missing=missing, spec=spec)
    others = [x for x in xs if x != term]
    z = np.column_stack([np.ones(len(data)), data[others].to_numpy(float)])

    def resid(v):
        y = data[v].to_numpy(float)
        return y - z @ np.linalg.lstsq(z, y, rcond=None)[0]

    out = pd.DataFrame({"x_resid": resid(term), "y_resid": resid(spec.outcome)})
    if spec.unit_id in data.columns:
        out.insert(0, spec.unit_id, data[spec.unit_id].to_numpy())
    return out



READINGS: dict[str, str] = {
    "school_r": "school level, standardized: the Model 1 residual regressed on the item's "
                "school mean, both standardized (equals their correlation)",
    "teacher_r": "teacher level, standardized: each teacher's answer against the Model 1 "
                 "residual of the teacher's school (equals their correlation over teachers)",
    "school_b": "school level, unstandardized: API points of residual per answer point of the "
                "item's school mean",
}
"""Readings of Exhibit 5's "standardized correlation coefficients in a model regressing the
residuals from Model 1 ... on each item separately"."""


def item_effects(schools_data: pd.DataFrame, responses: pd.DataFrame, items: list[str]
                 ) -> pd.DataFrame:
    """Exhibit 5's analysis: the Model 1 residuals regressed on each item separately.

    Parameters
    ----------
    schools_data : DataFrame
        School-level data (``school_id`` and the variables of data/README.md) for Model 1.
    responses : DataFrame
        Teacher answers (``school_id`` and the items).
    items : list of str
        Item ids.

    Returns
    -------
    DataFrame
        One row per item: ``item_id``, ``scale``, and one column per reading in
        :data:`READINGS` (``school_r``, ``teacher_r``, ``school_b``), plus ``rank`` (1 = largest
        ``school_r``, as the paper ranks "by size").

    Notes
    -----
    With one regressor, the standardized slope equals the Pearson correlation, so
    ``school_r`` = corr(item school mean, residual) over schools and ``teacher_r`` =
    corr(answer, school residual) over teachers. Validated on a hand-made dataset in the tests.
    """
    if "school_id" not in schools_data.columns:
        raise CollabcommError("school data lack column 'school_id', which matches schools with "
                              "teachers' answers")
    check_school_ids(schools_data, "school data")
    resid = pd.Series(fit(schools_data, 1).resid.to_numpy(), index=schools_data["school_id"])
    known = responses["school_id"].isin(resid.index)
    if not known.all():
        unknown = sorted(responses.loc[~known, "school_id"].unique())[:5]
        raise CollabcommError(f"responses name schools not in the school data: {unknown}")
    means = responses.groupby("school_id")[items].mean().reindex(resid.index)
    teacher_resid = responses["school_id"].map(resid)
    rows = []
    for it in items:
        m = means[it]
        ok = m.notna()
        if m[ok].std() > 0:
            r_school = float(np.corrcoef(m[ok], resid[ok])[0, 1])
            slope = float(np.polyfit(m[ok], resid[ok], 1)[0])
        else:  # every school has the same mean: no slope, no correlation
            r_school = slope = np.nan
        t_ok = responses[it].notna()
        answers = responses.loc[t_ok, it].astype(float)
        r_teacher = (float(np.corrcoef(answers, teacher_resid[t_ok])[0, 1])
                     if answers.std() > 0 else np.nan)
        rows.append((it, it.split("_")[0], r_school, r_teacher, slope))
    out = pd.DataFrame(rows, columns=["item_id", "scale", "school_r", "teacher_r", "school_b"])
    out["rank"] = out["school_r"].rank(ascending=False, method="first",
                                    na_option="bottom").astype(int)
    return out.sort_values("rank").reset_index(drop=True)


def compare_exhibit5(effects: pd.DataFrame, *, reading: str = "school_r", root=None
                     ) -> pd.DataFrame:
    """Exhibit 5 beside the reproduction: per item the published value and rank, the
    reproduced value under ``reading`` and its rank, sign agreement, and every reading."""
    if reading not in READINGS:
        raise CollabcommError(f"reading must be one of {list(READINGS)}, not {reading!r}")
    pub = published.item_results(root)[["item_id", "rank", "value"]].rename(
        columns={"rank": "published_rank", "value": "published"})
    rep = effects.copy()
    rep["reproduced"] = rep[reading]
    rep["reproduced_rank"] = rep["reproduced"].rank(ascending=False, method="first",
                                                na_option="bottom").astype(int)
    out = pub.merge(rep[["item_id", "scale", "reproduced", "reproduced_rank", *READINGS]],
                    on="item_id", how="left")
    out["sign_match"] = np.sign(out["published"]) == np.sign(out["reproduced"])
    out.insert(0, "reading", reading)
    return out[["reading", "item_id", "scale", "published", "published_rank", "reproduced",
                "reproduced_rank", "sign_match", *READINGS]]
