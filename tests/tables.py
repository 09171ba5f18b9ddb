"""Hand-made 'published' tables for the audit tests: built from a dataset and printed with
the paper's precision, so they are consistent by construction (a planted change then makes
exactly one inconsistency)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from collabcomm import models, published
from collabcomm.schema import AUDIT_COLUMNS, AUDIT_STATUSES, SCHOOL_VARIABLES
from collabcomm.significance import p_from_r, stars


def _printed(value: float, decimals: int) -> tuple[float, int]:
    return float(f"{value:.{decimals}f}"), decimals


def tables_from_data(data: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Exhibits 2, 3 and 4 of ``data`` in collabcomm.published's formats (means and SDs with
    2 decimals, correlations 4, coefficients 3, constants 1, R-squared 3)."""
    vs = list(SCHOOL_VARIABLES)
    n = len(data)
    desc_rows = []
    for v in vs:
        x = data[v].astype(float)
        for stat, val in (("mean", x.mean()), ("sd", x.std(ddof=1)), ("min", x.min()),
                          ("max", x.max())):
            desc_rows.append((v, v, stat, *_printed(val, 2)))
    desc = pd.DataFrame(desc_rows, columns=["variable", "label", "statistic", "value",
                                            "decimals"])
    desc["decimals"] = desc["decimals"].astype("Int64")
    corr_rows = []
    c = data[vs].corr()
    for i, a in enumerate(vs):
        for b in vs[:i]:
            val, d = _printed(c.loc[a, b], 4)
            corr_rows.append((a, b, a, b, val, d, stars(p_from_r(c.loc[a, b], n), [("*", .05)]),
                              "correlation"))
    corr = pd.DataFrame(corr_rows, columns=["row", "col", "row_label", "col_label", "value",
                                            "decimals", "stars", "kind"])
    corr["decimals"] = corr["decimals"].astype("Int64")
    # Exhibit 4 from the *printed* moments, so that it is consistent with them
    pc = published_corr(corr)
    d = desc.pivot(index="variable", columns="statistic", values="value")
    fits = models.models_from_moments(pc, d["sd"], d["mean"], n)
    reg_rows = []
    for m in models.ADDED:
        sub = fits[fits.model == m].set_index("term")
        for term in models.TERM_ORDER:
            in_model = term in ("const", "n_obs", "r_squared") or term in models.regressors(m)
            if not in_model:
                reg_rows.append((m, term, term, np.nan, pd.NA, "", False))
            elif term == "n_obs":
                reg_rows.append((m, term, term, float(n), 0, "", True))
            elif term == "r_squared":
                reg_rows.append((m, term, term, *_printed(sub["r_squared"].iloc[0], 3), "", True))
            else:
                dec = 1 if term == "const" else 3
                reg_rows.append((m, term, term, *_printed(sub.loc[term, "coef"], dec),
                                 sub.loc[term, "stars"], True))
    regs = pd.DataFrame(reg_rows, columns=["model", "term", "term_label", "value", "decimals",
                                           "stars", "in_model"])
    regs["decimals"] = regs["decimals"].astype("Int64")
    return {"descriptives": desc, "correlations": corr, "regressions": regs, "n": n}


def published_corr(corr: pd.DataFrame) -> pd.DataFrame:
    vs = list(SCHOOL_VARIABLES)
    m = pd.DataFrame(np.eye(len(vs)), vs, vs)
    for r in corr[corr.kind == "correlation"].itertuples():
        m.loc[r.row, r.col] = m.loc[r.col, r.row] = r.value
    return m


def item_table(values: dict[str, float], decimals: int = 3) -> pd.DataFrame:
    pub = published.item_results()
    out = pub.copy()
    out["value"] = [float(f"{values[i]:.{decimals}f}") for i in out["item_id"]]
    out["decimals"] = pd.array([decimals] * len(out), dtype="Int64")
    return out


def statuses(frame: pd.DataFrame) -> dict[str, int]:
    """How many rows of an audit table have each status, after checking its columns."""
    assert list(frame.columns[:7]) == list(AUDIT_COLUMNS)
    assert set(frame["status"]) <= set(AUDIT_STATUSES)
    return frame["status"].value_counts().to_dict()


def random_corr(p: int, seed: int) -> np.ndarray:
    """A random p x p correlation matrix (seeded)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(40, p)) @ rng.normal(size=(p, p))
    return np.corrcoef(x, rowvar=False)


def perturbed(corr: np.ndarray, pairs, k: int, h: float) -> np.ndarray:
    """``corr`` with its k-th free correlation (both cells) moved by h."""
    c = corr.copy()
    i, j = pairs[k]
    c[i, j] += h
    c[j, i] += h
    return c
