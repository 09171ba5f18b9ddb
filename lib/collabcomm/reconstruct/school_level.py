"""Synthetic school-level data that reproduce the published moments exactly.

The district's data were never published. Exhibits 2 and 3 of paper 001 give, for the eight
school-level variables, the means, SDs, minima, maxima and the full correlation matrix at
N = 26. OLS estimates, standard errors and R-squared depend on the data only through the means,
variances and covariances, so a dataset with exactly these moments reproduces every regression
the moments determine (Exhibit 4, as far as Exhibits 2 and 3 are consistent with it).

Algorithm (:func:`reconstruct_schools`)
---------------------------------------
1. **Check the target correlation matrix** (:func:`check_correlation`): its eigenvalues, and
   whether it is positive definite. If it is not, it is replaced by the nearest correlation
   matrix in Frobenius norm (Higham 2002, alternating projections with Dykstra's correction,
   :func:`nearest_correlation`), and the distance is reported.
2. **Exact-moment draw.** Draw ``Z`` (n x p) from N(0, 1) with the seed, centre its columns and
   whiten it so that ``Z'Z / (n-1) = I`` exactly (symmetric inverse square root); then recolour,
   ``X = m + Z L'`` with ``L L' = D R D``. This is what R's ``MASS::mvrnorm(empirical = TRUE)``
   does (Venables and Ripley 2002): the sample means, SDs (n-1) and correlations equal the
   targets to rounding error.
3. **Repair the bounds.** In each column the school with the smallest value is set to the
   published minimum and the one with the largest to the published maximum; other values are
   clipped into the range. Then the moment equations (p means and p(p+1)/2 covariances, in
   standardized units) are solved again for the free cells by Gauss-Newton with minimum-norm
   steps (``numpy.linalg.lstsq``), which moves every school as little as possible. Any value
   that leaves its range is pinned at the bound (an active set) and the solve repeats. The
   result has the exact moments, attains every minimum and maximum, and keeps every value
   inside its range.
4. **Integer columns** (optional, ``integer_columns``): API scores and teacher counts are
   integers by definition, but Exhibit 2's means for them are not attainable by integers at
   N = 26 (a GRIM inconsistency: 26 x 849.22 is not an integer). Such columns are rounded after
   step 3 and pinned; the other columns are solved again so that every moment that can still
   hold does. The moments that cannot hold (the integer columns' own means and SDs, and
   correlations among integer columns) are relaxed, and the returned report says by how much.

References
----------
Higham, N. J. (2002). Computing the nearest correlation matrix: a problem from finance.
*IMA Journal of Numerical Analysis*, 22(3), 329-343.
Venables, W. N., & Ripley, B. D. (2002). *Modern Applied Statistics with S* (4th ed.), the
``mvrnorm(empirical = TRUE)`` construction. Springer.
Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test. *Social Psychological and
Personality Science*, 8(4), 363-369.

Validated against: the moments are checked in the tests by direct computation (pandas) for
several seeds, and on a small hand-made target whose exact solution is known.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import published
from ..errors import CollabcommError
from ..memo import memoized
from ..precision import snap_zero

__all__ = [
    "DEFAULT_SEED",
    "Target",
    "CorrelationCheck",
    "Reconstruction",
    "published_target",
    "check_correlation",
    "nearest_correlation",
    "exact_moment_draw",
    "reconstruct_schools",
    "schools",
    "moments_of",
]

DEFAULT_SEED = 2012


@dataclass(frozen=True)
class Target:
    """Moments to reproduce: per-variable mean, sd (n-1), min, max, and a correlation matrix."""

    means: pd.Series
    sds: pd.Series
    mins: pd.Series
    maxs: pd.Series
    corr: pd.DataFrame
    n: int

    @property
    def variables(self) -> list[str]:
        return list(self.means.index)

    def validate(self) -> None:
        """Raise :class:`CollabcommError` naming the variable when the target is impossible."""
        if self.n < 3:
            raise CollabcommError(f"target: n = {self.n}; at least 3 rows are needed")
        for v in self.variables:
            m, s, lo, hi = self.means[v], self.sds[v], self.mins[v], self.maxs[v]
            if not lo < hi:
                raise CollabcommError(f"target '{v}': minimum {lo} is not below maximum {hi}")
            if not lo < m < hi:
                raise CollabcommError(
                    f"target '{v}': mean {m} does not lie strictly between minimum {lo} and "
                    f"maximum {hi}")
            if not s > 0:
                raise CollabcommError(f"target '{v}': SD {s} must be positive")
            # the largest variance n values in [lo, hi] with mean m can have (Bhatia-Davis)
            vmax = (hi - m) * (m - lo) * self.n / (self.n - 1)
            if s**2 > vmax + 1e-12:
                raise CollabcommError(
                    f"target '{v}': SD {s} is impossible for {self.n} values in [{lo}, {hi}] "
                    f"with mean {m} (at most {np.sqrt(vmax):.4g})")
            # the smallest variance with both bounds attained
            rest = (m * self.n - lo - hi) / (self.n - 2)
            if not lo <= rest <= hi:
                raise CollabcommError(
                    f"target '{v}': mean {m} cannot hold with minimum {lo} and maximum {hi} "
                    f"attained by {self.n} values")
            vmin = ((lo - m) ** 2 + (hi - m) ** 2 + (self.n - 2) * (rest - m) ** 2) / (self.n - 1)
            if s**2 < vmin - 1e-12:
                raise CollabcommError(
                    f"target '{v}': SD {s} is too small for a range of {lo} to {hi} over "
                    f"{self.n} values with mean {m} (at least {np.sqrt(vmin):.4g})")
        c = self.corr.loc[self.variables, self.variables].to_numpy()
        if not np.allclose(c, c.T) or not np.allclose(np.diag(c), 1) or np.abs(c).max() > 1:
            raise CollabcommError("target correlation matrix must be symmetric with a unit "
                                  "diagonal and entries in [-1, 1]")


def published_target(root=None) -> Target:
    """The target of Exhibits 2 and 3 (N = 26), in the codebook's variable order (data/README.md)."""
    d = published.descriptives(root, wide=True)
    n = int(published.regressions(root).query("term == 'n_obs'")["value"].iloc[0])
    return Target(d["mean"], d["sd"], d["min"], d["max"],
                  published.correlation_matrix(root), n)


@dataclass(frozen=True)
class CorrelationCheck:
    """Result of :func:`check_correlation`."""

    eigenvalues: np.ndarray
    positive_definite: bool
    used: pd.DataFrame
    distance: float  # Frobenius distance between the target and the matrix used


def nearest_correlation(corr: np.ndarray, *, eig_floor: float = 1e-8, tol: float = 1e-12,
                        max_iter: int = 10_000) -> np.ndarray:
    """Nearest correlation matrix in Frobenius norm (Higham 2002), positive definite.

    Alternating projections onto the positive semidefinite cone (eigenvalues floored at
    ``eig_floor`` so the result is strictly positive definite) and onto unit-diagonal matrices,
    with Dykstra's correction.

    Examples
    --------
    >>> a = np.array([[1, .9, -.9], [.9, 1, .9], [-.9, .9, 1]])
    >>> bool(np.linalg.eigvalsh(nearest_correlation(a)).min() > 0)
    True
    """
    y = np.array(corr, dtype=float)
    ds = np.zeros_like(y)
    x = y
    for _ in range(max_iter):
        r = y - ds
        w, v = np.linalg.eigh((r + r.T) / 2)
        x = (v * np.maximum(w, eig_floor)) @ v.T
        ds = x - r
        y_new = x.copy()
        np.fill_diagonal(y_new, 1.0)
        if np.linalg.norm(y_new - y) <= tol * max(1.0, np.linalg.norm(y)):
            y = y_new
            break
        y = y_new
    w, v = np.linalg.eigh((y + y.T) / 2)
    if w.min() <= 0:  # a final lift keeps the unit diagonal and makes it strictly PD
        y = (v * np.maximum(w, eig_floor)) @ v.T
        d = np.sqrt(np.diag(y))
        y = y / np.outer(d, d)
    return y


def check_correlation(corr: pd.DataFrame) -> CorrelationCheck:
    """Eigenvalues of a correlation matrix and whether it is positive definite; if it is not,
    the nearest positive-definite correlation matrix and its Frobenius distance."""
    c = corr.to_numpy(dtype=float)
    eig = np.linalg.eigvalsh(c)
    if eig.min() > 0:
        return CorrelationCheck(eig, True, corr.copy(), 0.0)
    fixed = nearest_correlation(c)
    return CorrelationCheck(eig, False, pd.DataFrame(fixed, corr.index, corr.columns),
                            float(np.linalg.norm(fixed - c)))


def _whiten(z: np.ndarray) -> np.ndarray:
    z = z - z.mean(axis=0)
    cov = z.T @ z / (len(z) - 1)
    w, v = np.linalg.eigh(cov)
    return z @ (v / np.sqrt(w)) @ v.T


def exact_moment_draw(n: int, corr: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """n x p standardized data whose sample means are 0 and sample correlation (n-1) is
    exactly ``corr`` (MASS::mvrnorm(empirical=TRUE))."""
    z = _whiten(rng.standard_normal((n, len(corr))))
    return z @ np.linalg.cholesky(corr).T


def _residuals(z: np.ndarray, corr: np.ndarray, iu: tuple) -> np.ndarray:
    n = len(z)
    mean = z.mean(axis=0)
    zc = z - mean
    cov = zc.T @ zc / (n - 1)
    return np.concatenate([mean, (cov - corr)[iu]])


def _jacobian(z: np.ndarray, iu: tuple) -> np.ndarray:
    n, p = z.shape
    zc = z - z.mean(axis=0)
    rows_i, rows_j = iu
    jac = np.zeros((p + len(rows_i), n * p))
    for j in range(p):  # d mean_j / d z[a, j]
        jac[j, j::p] = 1.0 / n
    for e, (j, k) in enumerate(zip(rows_i, rows_j, strict=True)):
        if j == k:
            jac[p + e, j::p] = 2 * zc[:, j] / (n - 1)
        else:
            jac[p + e, j::p] = zc[:, k] / (n - 1)
            jac[p + e, k::p] = zc[:, j] / (n - 1)
    return jac


def _solve_moments(z: np.ndarray, corr: np.ndarray, free: np.ndarray, equations: np.ndarray,
                   *, tol: float = 1e-13, max_iter: int = 100) -> tuple[np.ndarray, float]:
    """Gauss-Newton with minimum-norm steps on the selected moment equations, moving only the
    ``free`` cells. Returns the solution and the largest remaining residual (all equations)."""
    p = z.shape[1]
    iu = np.triu_indices(p)
    z = z.copy()
    flat_free = free.ravel()
    for _ in range(max_iter):
        res = _residuals(z, corr, iu)
        if np.abs(res[equations]).max() < tol:
            break
        jac = _jacobian(z, iu)[np.ix_(equations, flat_free)]
        step = np.linalg.lstsq(jac, -res[equations], rcond=None)[0]
        flat = z.ravel()
        flat[flat_free] += step
        z = flat.reshape(z.shape)
    return z, float(np.abs(_residuals(z, corr, iu)[equations]).max())


@dataclass(frozen=True)
class Reconstruction:
    """A reconstruction and how it meets its target.

    ``data`` is the synthetic dataset (``school_id`` plus the variables). ``report`` has one row
    per published constraint: ``constraint`` (mean, sd, min, max, correlation), ``variable``,
    ``other`` (the second variable of a correlation), ``target``, ``achieved``, ``difference``,
    ``relaxed`` (True where the constraint could not hold with the others) and ``note``.
    ``check`` is the correlation-matrix check of step 1.
    """

    data: pd.DataFrame
    report: pd.DataFrame
    check: CorrelationCheck

    @property
    def relaxed(self) -> pd.DataFrame:
        return self.report[self.report["relaxed"]]


def moments_of(data: pd.DataFrame, variables: list[str]) -> tuple[pd.Series, pd.Series,
                                                                    pd.DataFrame]:
    """Sample means, SDs (n-1) and correlations of ``data[variables]``."""
    x = data[variables].astype(float)
    return x.mean(), x.std(ddof=1), x.corr()


def _report(data: pd.DataFrame, target: Target, corr_used: pd.DataFrame,
            integer_columns: tuple[str, ...], tol: float) -> pd.DataFrame:
    vs = target.variables
    means, sds, corr = moments_of(data, vs)
    rows = []

    def add(kind, v, other, tgt, got, note_if_relaxed, scale=1.0):
        # round-off (about 1e-16 of the target) is written as 0 (collabcomm.precision)
        diff = snap_zero(got - tgt, max(1.0, abs(scale), abs(tgt)))
        relaxed = abs(diff) > tol * max(1.0, scale)
        rows.append((kind, v, other, tgt, got, diff, relaxed, note_if_relaxed if relaxed else ""))

    for v in vs:
        generic = "could not be met with the other constraints"
        is_int = v in integer_columns
        total = target.means[v] * target.n
        why_mean = (f"'{v}' is integer-valued: no {target.n} integers have mean "
                    f"{target.means[v]:g} ({target.n} x {target.means[v]:g} = {total:g} is not "
                    "a whole number)" if is_int and abs(total - round(total)) > 1e-9
                    else f"'{v}' is rounded to integers" if is_int else generic)
        why_sd = f"'{v}' is rounded to integers, which moves its SD" if is_int else generic
        add("mean", v, "", target.means[v], means[v], why_mean, abs(target.means[v]))
        add("sd", v, "", target.sds[v], sds[v], why_sd, target.sds[v])
        add("min", v, "", target.mins[v], data[v].min(), generic)
        add("max", v, "", target.maxs[v], data[v].max(), generic)
    for i, a in enumerate(vs):
        for b in vs[i + 1:]:
            both_int = a in integer_columns and b in integer_columns
            why = ("both columns are rounded to integers" if both_int else
                   "changed by the nearest positive-definite matrix" if
                   abs(corr_used.loc[a, b] - target.corr.loc[a, b]) > tol else
                   "could not be met with the other constraints")
            add("correlation", a, b, target.corr.loc[a, b], corr.loc[a, b], why)
    return pd.DataFrame(rows, columns=["constraint", "variable", "other", "target", "achieved",
                                       "difference", "relaxed", "note"])


@memoized
def reconstruct_schools(seed: int = DEFAULT_SEED, *, target: Target | None = None,
                        integer_columns: tuple[str, ...] | list[str] = (),
                        id_prefix: str = "S") -> Reconstruction:
    """Synthetic school-level dataset reproducing the target moments (see module docstring).

    Parameters
    ----------
    seed : int
        Seed of the random draw; the same seed gives the same data.
    target : Target, optional
        Moments to reproduce; default :func:`published_target` (Exhibits 2 and 3, N = 26).
    integer_columns : sequence of str
        Columns to make integer-valued (e.g. ``["api_2012", "api_2011", "school_size"]``); the
        moments that then cannot hold are relaxed and reported.
    id_prefix : str
        ``school_id`` values are ``S01`` ... ``S26``.

    Returns
    -------
    Reconstruction
        ``.data`` (n rows: ``school_id`` and the variables), ``.report`` (every constraint,
        target, achieved, relaxed), ``.check`` (eigenvalues, positive definiteness).

    Raises
    ------
    CollabcommError
        For an impossible target (minimum above the mean, SD beyond what the range allows, an
        unknown integer column), naming the variable.
    """
    target = published_target() if target is None else target
    target.validate()
    vs = target.variables
    unknown = sorted(set(integer_columns) - set(vs))
    if unknown:
        raise CollabcommError(f"integer_columns: unknown variable(s) {unknown}; known: {vs}")
    n, p = target.n, len(vs)
    check = check_correlation(target.corr.loc[vs, vs])
    corr = check.used.to_numpy()
    m = target.means.to_numpy(float)
    s = target.sds.to_numpy(float)
    lo = ((target.mins - target.means) / target.sds).to_numpy(float)
    hi = ((target.maxs - target.means) / target.sds).to_numpy(float)

    rng = np.random.default_rng(seed)
    z = exact_moment_draw(n, corr, rng)

    # pin each column's extreme schools at the published bounds; clip the rest inside
    pinned = np.zeros((n, p), dtype=bool)
    for j in range(p):
        i_lo, i_hi = int(np.argmin(z[:, j])), int(np.argmax(z[:, j]))
        z[:, j] = np.clip(z[:, j], lo[j], hi[j])
        z[i_lo, j], z[i_hi, j] = lo[j], hi[j]
        pinned[[i_lo, i_hi], j] = True
    all_eq = np.arange(p + p * (p + 1) // 2)
    z = _active_set_solve(z, corr, pinned, all_eq, lo, hi)

    if integer_columns:
        idx = [vs.index(c) for c in integer_columns]
        for j in idx:
            z[:, j] = (np.round(z[:, j] * s[j] + m[j]) - m[j]) / s[j]
            pinned[:, j] = True
        iu = np.triu_indices(p)
        keep = [j for j in range(p) if j not in idx]
        eq = list(keep)  # means of the continuous columns
        eq += [p + e for e, (a, b) in enumerate(zip(*iu, strict=True))
               if not (a in idx and b in idx)]
        # rounding changed the integer columns' SDs; aim the covariances at the correlations
        sd_now = np.ones(p)
        sd_now[idx] = z[:, idx].std(axis=0, ddof=1)
        cov_target = corr * np.outer(sd_now, sd_now)
        z = _active_set_solve(z, cov_target, pinned, np.array(eq), lo, hi)

    x = z * s + m
    for j, v in enumerate(vs):  # exact bounds survive the unit conversion
        x[:, j] = np.clip(x[:, j], target.mins[v], target.maxs[v])
        if v in integer_columns:
            x[:, j] = np.round(x[:, j])
    width = max(2, len(str(n)))
    data = pd.DataFrame(x, columns=vs)
    data.insert(0, "school_id", [f"{id_prefix}{i + 1:0{width}d}" for i in range(n)])
    for v in integer_columns:
        data[v] = data[v].astype(int)
    report = _report(data, target, check.used, tuple(integer_columns), tol=1e-8)
    return Reconstruction(data, report, check)


def _active_set_solve(z, corr, pinned, equations, lo, hi, max_rounds: int = 50):
    """Solve the moments for the free cells; pin any cell that leaves its range; repeat."""
    for _ in range(max_rounds):
        z, resid = _solve_moments(z, corr, ~pinned, equations)
        below, above = z < lo - 1e-12, z > hi + 1e-12
        if not (below.any() or above.any()):
            if resid > 1e-9:
                raise CollabcommError(
                    f"reconstruction did not converge (largest moment residual {resid:.2e}); "
                    "try another seed")
            return z
        z = np.where(below, lo, np.where(above, hi, z))
        pinned = pinned | below | above
    raise CollabcommError("reconstruction: bounds could not be met after "
                          f"{max_rounds} rounds; try another seed")


def schools(seed: int = DEFAULT_SEED, **kwargs) -> pd.DataFrame:
    """The reconstructed 26-school DataFrame (``school_id`` + the school variables of data/README.md).

    Shorthand for ``reconstruct_schools(seed, **kwargs).data``; use
    :func:`reconstruct_schools` to get the report of relaxed constraints as well.
    """
    return reconstruct_schools(seed, **kwargs).data
