"""Exhibit 4's regressions: specifications, fitting, tidy results, and OLS from moments.

The six models (data/README.md, *Model specifications*):
M1 = ``api_2012 ~ sed_pct + api_2011 + school_size``; M2 to M5 add
``bureaucratic``, ``traditional``, ``fragmented`` and ``collaborative`` one at a time; M6 adds
all four. :func:`fit` estimates one with statsmodels' formula API on any school-level
DataFrame; :func:`ols_from_moments` gives the same numbers from a correlation matrix, SDs,
means and N alone, with no data (notebook 06 uses it to check the paper's own tables).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from . import published
from .errors import CollabcommError, MissingDataWarning, ParameterError
from .lazy import lazy_import
from .moments import ols_from_moments
from .precision import matches_published
from .schema import CONTROLS
from .significance import stars

smf = lazy_import("statsmodels.formula.api")
_st = lazy_import("scipy.stats")
_influence = lazy_import("statsmodels.stats.outliers_influence")

__all__ = [
    "OUTCOME",
    "ADDED",
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
    "MAX_MAGNITUDE",
    "MISSING_RULES",
    "complete_cases",
    "model_rows",
    "check_design",
    "check_school_ids",
    "check_school_data",
    "load_school_data",
    "READINGS",
    "item_effects",
    "compare_exhibit5",
]

OUTCOME = "api_2012"
ADDED: dict[int, tuple[str, ...]] = {
    1: (), 2: ("bureaucratic",), 3: ("traditional",), 4: ("fragmented",),
    5: ("collaborative",), 6: ("bureaucratic", "traditional", "fragmented", "collaborative"),
}
"""Community-type regressors each model adds to Model 1's controls."""

TERM_ORDER: tuple[str, ...] = ("sed_pct", "api_2011", "school_size", "bureaucratic",
                               "traditional", "fragmented", "collaborative", "const", "n_obs",
                               "r_squared")
"""Rows of Exhibit 4, in the printed order."""


def regressors(model: int, *, drop: tuple[str, ...] = ()) -> list[str]:
    """Regressors of Exhibit 4's model ``model`` (1-6), without those in ``drop``.

    ``drop=("sed_pct",)`` and ``drop=("api_2011",)`` give the paper's robustness
    specifications (without % SED; without baseline API).
    """
    if model not in ADDED:
        raise CollabcommError(f"model must be one of 1-6, not {model!r}")
    unknown = sorted(set(drop) - set(CONTROLS) - set(ADDED[6]))
    if unknown:
        raise CollabcommError(f"drop: unknown regressor(s) {unknown}")
    return [t for t in (*CONTROLS, *ADDED[model]) if t not in drop]


def formula(model: int, *, drop: tuple[str, ...] = ()) -> str:
    """statsmodels formula of a model, e.g. ``api_2012 ~ sed_pct + api_2011 + school_size``."""
    return f"{OUTCOME} ~ " + " + ".join(regressors(model, drop=drop))


def specifications(*, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """The six specifications as data: ``model``, ``formula``, ``regressors`` (comma-separated)."""
    return pd.DataFrame([(m, formula(m, drop=drop), ",".join(regressors(m, drop=drop)))
                         for m in ADDED], columns=["model", "formula", "regressors"])


def fit(data: pd.DataFrame, model: int, *, drop: tuple[str, ...] = (),
        cov_type: str = "nonrobust", missing: str = "refuse"):
    """Fit one model by OLS with statsmodels' formula API.

    Parameters
    ----------
    data : DataFrame
        School-level data with the column names of data/README.md.
    model : int
        1-6.
    drop : tuple of str
        Regressors to leave out (robustness specifications).
    cov_type : str
        ``"nonrobust"`` (classical, as in the paper) or ``"HC3"`` (MacKinnon-White).
    missing : str
        A blank cell in a column the model uses: ``"refuse"`` (an error naming column and
        row) or ``"drop"`` (the row is left out, with a warning); see :func:`complete_cases`.

    Notes
    -----
    Every p-value and confidence interval uses the t distribution with :math:`n - k - 1`
    degrees of freedom, the robust ones included (``use_t=True``; statsmodels' default for a
    robust covariance would be the normal distribution, which at N = 26 makes HC3 p-values
    far too small). Validated against R's ``lm`` and, for HC3, ``lmtest::coeftest(fit,
    vcov. = sandwich::vcovHC(fit, type = "HC3"))`` (tests/reference/lm_reference.R).
    """
    rows = model_rows(data, model, drop=drop, missing=missing)
    return smf.ols(formula(model, drop=drop), data=rows).fit(cov_type=cov_type, use_t=True)


def model_rows(data: pd.DataFrame, model: int, *, drop: tuple[str, ...] = (),
               missing: str = "refuse") -> pd.DataFrame:
    """The rows a model is fitted on, after the checks every fit shares.

    The blank-cell rule of :func:`complete_cases`, then :func:`check_design` on the outcome
    and the model's regressors. Messages name the data's source: the file for a frame from
    :func:`load_school_data` (its ``attrs["source"]``), else ``school data for model <k>``.
    """
    used = [OUTCOME, *regressors(model, drop=drop)]
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


def check_design(data: pd.DataFrame, columns: list[str], source: str, *, what: str) -> None:
    """Refuse school data that ``what`` (a model, a population) cannot be estimated from.

    The one validation of degenerate school files, shared by the regressions (:func:`fit`,
    so notebooks 04 and 05) and the simulations (:func:`collabcomm.simulate.population_from_data`,
    notebook 07).

    Parameters
    ----------
    data : DataFrame
        Numeric, complete columns (after :func:`complete_cases`).
    columns : list of str
        The variables used: a model's outcome and regressors, or a population's variables.
    source : str
        Name of the data in messages (a file path, say).
    what : str
        What needs the data, in messages (``"model 5 (4 regressors and a constant)"``).

    Raises
    ------
    CollabcommError
        Naming ``source``: fewer schools than ``len(columns) + 1`` (a model then has no
        residual degrees of freedom; a covariance matrix is singular); a constant column
        (zero variance), named; or columns so collinear that their correlation matrix is not
        positive definite (smallest eigenvalue below 1e-10), naming the columns that carry
        the near-null direction.

    Examples
    --------
    >>> d = pd.DataFrame({"y": [1.0, 2, 4, 3], "x": [1.0, 1, 1, 1]})
    >>> check_design(d, ["y", "x"], "demo", what="a line")
    Traceback (most recent call last):
    ...
    collabcomm.errors.CollabcommError: demo: column(s) ['x'] are constant (zero variance); a line cannot be estimated from them
    """
    n, k = len(data), len(columns)
    if n < k + 1:
        raise CollabcommError(f"{source}: {n} school(s); {what} needs at least {k + 1}")
    x = data[list(columns)].astype(float)
    sds = x.std(ddof=1)
    flat = [c for c in columns if not sds[c] > 0]
    if flat:
        raise CollabcommError(f"{source}: column(s) {flat} are constant (zero variance); {what} "
                              "cannot be estimated from them")
    values, vectors = np.linalg.eigh(x.corr().to_numpy())
    if values[0] < 1e-10:
        tied = [c for c, w in zip(columns, vectors[:, 0], strict=True) if abs(w) > 0.1]
        raise CollabcommError(f"{source}: the correlation matrix of {list(columns)} is not "
                              f"positive definite (smallest eigenvalue {values[0]:.3g}); "
                              f"columns {tied} are collinear, so {what} cannot separate them")


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
            missing: str = "refuse") -> pd.DataFrame:
    """Tidy results of all six models, stacked (``missing`` as in :func:`fit`)."""
    return pd.concat([tidy(fit(data, m, drop=drop, cov_type=cov_type, missing=missing), m,
                           levels=levels)
                      for m in ADDED], ignore_index=True)


def regression_table(results: pd.DataFrame, *, digits: int = 3) -> pd.DataFrame:
    """Exhibit 4's layout: terms as rows (printed order), models as columns, cells
    ``coef`` followed by its stars, then Observations and R-squared rows."""
    models = sorted(results["model"].unique())
    table = pd.DataFrame("", index=list(TERM_ORDER), columns=[f"Model {m}" for m in models])
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
                        levels: list[tuple[str, float]] | None = None) -> pd.DataFrame:
    """The six models from summary statistics, in :func:`tidy`'s columns (CIs at 95%)."""
    rows = []
    for m in ADDED:
        res = ols_from_moments(corr, sds, means, n, OUTCOME, regressors(m, drop=drop))
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


def standardized(results: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    """Adds ``beta`` = coef x SD(x) / SD(y) (SDs with n-1) to tidy results; NaN for const."""
    sd = data.std(numeric_only=True, ddof=1)
    out = results.copy()
    out["beta"] = [np.nan if t == "const" else c * sd[t] / sd[OUTCOME]
                   for t, c in zip(out["term"], out["coef"], strict=True)]
    return out


def vifs(data: pd.DataFrame, model: int, *, drop: tuple[str, ...] = (),
         missing: str = "refuse") -> pd.Series:
    """Variance inflation factors of a model's regressors: :math:`1 / (1 - R_j^2)`
    (``missing`` as in :func:`fit`)."""
    xs = regressors(model, drop=drop)
    data = model_rows(data, model, drop=drop, missing=missing)
    x = np.column_stack([np.ones(len(data)), data[xs].to_numpy(float)])
    return pd.Series([_influence.variance_inflation_factor(x, j + 1) for j in range(len(xs))], index=xs,
                     name=f"VIF (model {model})")


def influence(data: pd.DataFrame, model: int, *, id_column: str = "school_id",
              missing: str = "refuse") -> pd.DataFrame:
    """Cook's distance, leverage and studentized residuals of each school under a model
    (``missing`` as in :func:`fit`; dropped schools get no row)."""
    data = model_rows(data, model, missing=missing)
    infl = fit(data, model).get_influence()
    out = pd.DataFrame({
        "cooks_d": infl.cooks_distance[0],
        "leverage": infl.hat_matrix_diag,
        "student_resid": infl.resid_studentized_external,
    })
    if id_column in data.columns:
        out.insert(0, id_column, data[id_column].to_numpy())
    return out


def partial_regression(data: pd.DataFrame, model: int, term: str, *,
                       missing: str = "refuse") -> pd.DataFrame:
    """Added-variable (partial regression) data of ``term`` in ``model``.

    Notes
    -----
    Both ``api_2012`` and ``term`` are residualized on the model's other regressors (with a
    constant); by the Frisch-Waugh-Lovell theorem the slope of ``y_resid`` on ``x_resid`` equals
    the coefficient of ``term`` in the full model. ``missing`` as in :func:`fit`.
    """
    xs = regressors(model)
    if term not in xs:
        raise CollabcommError(f"'{term}' is not a regressor of model {model}: {xs}")
    data = model_rows(data, model, missing=missing)
    others = [x for x in xs if x != term]
    z = np.column_stack([np.ones(len(data)), data[others].to_numpy(float)])

    def resid(v):
        y = data[v].to_numpy(float)
        return y - z @ np.linalg.lstsq(z, y, rcond=None)[0]

    out = pd.DataFrame({"x_resid": resid(term), "y_resid": resid(OUTCOME)})
    if "school_id" in data.columns:
        out.insert(0, "school_id", data["school_id"].to_numpy())
    return out


MAX_MAGNITUDE = 1e12
"""Largest absolute value a school variable may have. Larger values (``1e200``) are typing or
export errors: their squares overflow or swamp every other school in the sums OLS needs."""

MISSING_RULES = ("refuse", "drop")
"""What a blank cell in an analysed column does: refuse the data (default), or drop its row."""


def complete_cases(data: pd.DataFrame, columns: list[str], source: str = "data", *,
                   missing: str = "refuse", first_row: int = 1) -> pd.DataFrame:
    """The rows of ``data`` to analyse, under the companion's one rule for blank cells.

    Every entry point that analyses school data (:func:`fit`, :func:`fit_all`, :func:`vifs`,
    :func:`influence`, :func:`partial_regression`, :func:`load_school_data`,
    :func:`collabcomm.simulate.population_from_data`) applies it:

    - a cell that is not a number (``"n/a"``, ``"12,5"``), or is not finite (``inf``,
      ``-inf``) or larger in size than :data:`MAX_MAGNITUDE` (``1e200``), is always an error;
    - a blank cell is an error by default (``missing="refuse"``), naming ``source``, the
      column and the row;
    - with ``missing="drop"`` the rows with a blank cell in ``columns`` are left out, and a
      :class:`~collabcomm.errors.MissingDataWarning` says how many and which (R's ``lm``
      drops such rows without a word, which changes N silently).

    Parameters
    ----------
    data : DataFrame
    columns : the columns the analysis uses (blanks elsewhere do not matter).
    source : name of the data in messages (a file path, say).
    missing : ``"refuse"`` or ``"drop"``.
    first_row : number reported for the frame's first row: 1 for a frame, 2 for a CSV file
        with a header (file lines).

    Returns
    -------
    DataFrame
        ``data`` without the dropped rows (a copy; values and types unchanged).

    Examples
    --------
    >>> d = pd.DataFrame({"a": [1.0, None, 3.0], "b": [4, 5, 6]})
    >>> complete_cases(d, ["a", "b"], "demo")
    Traceback (most recent call last):
    ...
    collabcomm.errors.CollabcommError: demo: column 'a', row 2: is blank (pass missing="drop" to leave such rows out)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     len(complete_cases(d, ["a", "b"], "demo", missing="drop")), str(w[0].message)
    (2, 'demo: left out 1 of 3 rows with a blank cell in a used column (rows 2)')
    """
    if missing not in MISSING_RULES:
        raise ParameterError(f"missing must be one of {MISSING_RULES}, not {missing!r}")
    require_columns(data, columns, source)
    x = data[columns].apply(pd.to_numeric, errors="coerce").astype(float)
    blank = data[columns].isna().to_numpy()
    wrong = x.isna().to_numpy() & ~blank
    if wrong.any():
        i, j = np.argwhere(wrong)[0]
        raise CollabcommError(f"{source}: column '{columns[j]}', row {i + first_row}: "
                              f"{str(data[columns[j]].iloc[i])!r} is not a number")
    values = x.to_numpy()
    with np.errstate(invalid="ignore"):
        extreme = ~blank & ~(np.abs(values) <= MAX_MAGNITUDE)  # inf, -inf, 1e200
    if extreme.any():
        i, j = np.argwhere(extreme)[0]
        why = ("is not a finite number" if not np.isfinite(values[i, j])
               else f"is larger in size than {MAX_MAGNITUDE:g}, the most a school variable "
                    "can be")
        raise CollabcommError(f"{source}: column '{columns[j]}', row {i + first_row}: "
                              f"{str(data[columns[j]].iloc[i])!r} {why}")
    if blank.any() and missing == "refuse":
        i, j = np.argwhere(blank)[0]
        raise CollabcommError(f"{source}: column '{columns[j]}', row {i + first_row}: is blank "
                              f"(pass missing=\"drop\" to leave such rows out)")
    keep = ~blank.any(axis=1)
    out = data.loc[keep].copy()
    if not keep.all():
        rows = [int(i) + first_row for i in np.flatnonzero(~keep)]
        shown = ", ".join(map(str, rows[:20])) + (", ..." if len(rows) > 20 else "")
        warnings.warn(f"{source}: left out {len(rows)} of {len(data)} rows with a blank cell "
                      f"in a used column (rows {shown})", MissingDataWarning, stacklevel=2)
    return out


def require_columns(data: pd.DataFrame, columns: list[str], source: str) -> None:
    """Raise :class:`CollabcommError` naming ``source`` and every column of ``columns`` that
    ``data`` lacks. Checked before any row, so that a file of the wrong kind (a teacher-level
    survey given as a school file) is named as such rather than by its first odd row."""
    absent = [c for c in columns if c not in data.columns]
    if absent:
        raise CollabcommError(f"{source}: missing column(s) {absent}")


def check_school_ids(data: pd.DataFrame, source: str, *, first_row: int = 1) -> None:
    """Refuse a blank or repeated ``school_id`` (when the column is there).

    Raises :class:`CollabcommError` naming ``source``, the column and the row (``first_row``
    as in :func:`complete_cases`).

    Examples
    --------
    >>> check_school_ids(pd.DataFrame({"school_id": ["S01", None]}), "demo")
    Traceback (most recent call last):
    ...
    collabcomm.errors.CollabcommError: demo: column 'school_id', row 2: is blank; every school needs an id
    """
    if "school_id" not in data.columns:
        return
    ids = data["school_id"]
    blank = (ids.isna() | ids.astype(str).str.strip().eq("")).to_numpy()
    if blank.any():
        raise CollabcommError(f"{source}: column 'school_id', row "
                              f"{int(np.flatnonzero(blank)[0]) + first_row}: is blank; every "
                              "school needs an id")
    dup = ids.astype(str).str.strip().duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        j = int(np.flatnonzero((ids.astype(str).str.strip() == str(ids.iloc[i]).strip())
                               .to_numpy())[0])
        raise CollabcommError(f"{source}: column 'school_id', row {i + first_row}: "
                              f"{str(ids.iloc[i])!r} repeats row {j + first_row}; each school "
                              "must appear once")


def check_school_data(data: pd.DataFrame, source: str, *, first_row: int = 1,
                      missing: str = "refuse") -> pd.DataFrame:
    """Check that ``data`` has the eight school variables of
    :data:`collabcomm.schema.SCHOOL_VARIABLES`, all numeric, under the blank-cell rule of
    :func:`complete_cases`.

    Returns those columns as floats (rows with a blank cell left out when
    ``missing="drop"``). Raises :class:`CollabcommError` naming ``source`` and the first
    missing column, or the column, row and value of the first non-numeric (or, by default,
    blank) cell.
    """
    from .schema import SCHOOL_VARIABLES

    names = list(SCHOOL_VARIABLES)
    require_columns(data, names, source)
    check_school_ids(data, source, first_row=first_row)
    return complete_cases(data, names, source, missing=missing,
                          first_row=first_row)[names].astype(float)


def load_school_data(path, *, missing: str = "refuse") -> pd.DataFrame:
    """Read a school-level CSV (the columns of :data:`collabcomm.schema.SCHOOL_VARIABLES`) for
    the regressions.

    Raises :class:`CollabcommError` naming the file and the missing column, or the column, file
    line and value of a non-numeric or blank cell; with ``missing="drop"`` rows with a blank
    cell are left out with a warning instead (:func:`complete_cases`).
    """
    from pathlib import Path

    from .schema import SCHOOL_VARIABLES

    path = Path(path)
    if not path.is_file():
        raise CollabcommError(f"{path}: school data file not found")
    try:
        data = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CollabcommError(f"{path}: cannot be read as CSV ({exc})") from None
    require_columns(data, list(SCHOOL_VARIABLES), str(path))
    check_school_ids(data, str(path), first_row=2)
    out = complete_cases(data, list(SCHOOL_VARIABLES), str(path), missing=missing, first_row=2)
    out = out.reset_index(drop=True)
    out.attrs["source"] = str(path)  # so that check_design's messages name the file
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
