"""Synthetic teacher-level responses to the 20 items, consistent with the reconstructed schools.

Each school's answers reproduce its scale means (to within half an answer over its teachers),
Exhibit 5's signs are built in, and the pooled teacher-level alphas equal the published ones
(:func:`reconstruct_teachers` gives the method). The schools come from
:mod:`collabcomm.reconstruct.school_level`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import published
from ..errors import CollabcommError
from ..memo import memoized
from .school_level import DEFAULT_SEED, schools

__all__ = [
    "RESPONSE_RATE",
    "controlled_round",
    "TeacherReconstruction",
    "reconstruct_teachers",
    "teachers",
    "cronbach_from_array",
    "REPORT_CHECKS",
    "report_in_words",
]

RESPONSE_RATE = 0.69
"""The study's teacher response rate (paper 001, Methods: "a response rate of 69%")."""


def _round_half_up(x):
    return np.floor(np.asarray(x, dtype=float) + 0.5)


def controlled_round(y: np.ndarray, total: int, lo: int = 1, hi: int = 5) -> np.ndarray:
    """Integers in ``[lo, hi]`` close to ``y`` whose sum is exactly ``total``.

    Start from ``floor(y)`` clipped to the bounds, then add (or remove) one unit at a time to
    the cells whose values fall furthest short of (or exceed) ``y``; the order of the cells is
    kept, so correlations with other variables survive the rounding.

    Examples
    --------
    >>> controlled_round(np.array([1.2, 2.7, 4.9]), 9).tolist()
    [1, 3, 5]
    """
    n = len(y)
    if not n * lo <= total <= n * hi:
        raise CollabcommError(f"controlled_round: total {total} impossible for {n} values "
                              f"in [{lo}, {hi}]")
    x = np.clip(np.floor(y), lo, hi)
    d = int(total - x.sum())
    while d != 0:
        gap = y - x
        if d > 0:
            cand = np.flatnonzero(x < hi)
            pick = cand[np.argsort(-gap[cand], kind="stable")][:d]
            x[pick] += 1
        else:
            cand = np.flatnonzero(x > lo)
            pick = cand[np.argsort(gap[cand], kind="stable")][:-d]
            x[pick] -= 1
        d = int(total - x.sum())
    return x.astype(int)


@dataclass(frozen=True)
class TeacherReconstruction:
    """Synthetic teacher responses and how they meet their targets.

    ``data``: ``teacher_id, school_id`` and the 20 items (integers 1-5). ``report``: one row
    per guarantee (``check``, ``scale`` or item, ``target``, ``achieved``, ``tolerance``, ``ok``).
    ``tau``: the calibrated teacher-level factor SD of each scale.
    """

    data: pd.DataFrame
    report: pd.DataFrame
    tau: dict[str, float]


@memoized
def reconstruct_teachers(schools_data: pd.DataFrame | None = None, seed: int = DEFAULT_SEED, *,
                         response_rate: float = RESPONSE_RATE,
                         alphas: dict[str, float] | None = None,
                         item_signs: dict[str, int] | None = None,
                         noise_sd: float = 0.9) -> TeacherReconstruction:
    r"""Synthetic teacher responses consistent with the school-level reconstruction.

    Parameters
    ----------
    schools_data : DataFrame, optional
        School-level data (``school_id, school_size`` and the four scales on 0-100); default
        ``schools(seed)``.
    seed : int
        Seed; the same seed gives the same responses.
    response_rate : float
        Each school gets ``round(response_rate x school_size)`` teachers (default .69).
    alphas : dict, optional
        Target teacher-level Cronbach alpha per scale; default Exhibit 3's diagonal.
    item_signs : dict, optional
        Required sign of each item's relation to the Model 1 residuals; default the signs of
        Exhibit 5. Only checked and reported.
    noise_sd : float
        SD of the item-specific teacher noise (1-5 response units).

    Notes
    -----
    For school *j*, scale *s* and item *k* the target school mean on the 1-5 scale is
    :math:`m_{jsk} = \mu_{js} + h_{js}(\delta_{sk} + \varepsilon_{jsk})` with
    :math:`\mu_{js} = 1 + 4\,T_{js}/100` from the school's scale score :math:`T_{js}`, fixed
    item offsets :math:`\delta` and small school-by-item deviations :math:`\varepsilon`, both
    centred over the five items (so the scale mean is exactly :math:`\mu_{js}`), and
    :math:`h_{js}\le 1` shrinking them near the scale ends. Teacher *i*'s latent answer is
    :math:`m_{jsk} + \tau_s a_{ijs} + \sigma e_{ijsk}`, with :math:`a` and :math:`e`
    standard normal and centred within the school. :func:`controlled_round` turns each school's
    answers to an item into integers in 1-5 whose sum is :math:`\operatorname{round}(n_j m_{jsk})`,
    so every school mean is reproduced to within half an answer over :math:`n_j` teachers.
    :math:`\tau_s` is calibrated by bisection (with the random numbers held fixed) until the
    pooled teacher-level alpha equals the target.
    """
    from .. import models  # late import: models depends on published data only

    schools_data = schools(seed) if schools_data is None else schools_data
    alphas = dict(published.alphas()) if alphas is None else alphas
    if item_signs is None:
        pub5 = published.item_results()
        item_signs = dict(zip(pub5["item_id"], np.sign(pub5["value"]).astype(int), strict=True))
    if not 0 < response_rate <= 1:
        raise CollabcommError(f"response_rate must be in (0, 1], not {response_rate}")
    scales = ("traditional", "bureaucratic", "collaborative", "fragmented")
    facets = ("policies", "disagreements", "recruitment", "administrators", "union")
    rng = np.random.default_rng([seed, 69])
    n_j = np.maximum(_round_half_up(response_rate * schools_data["school_size"]).astype(int), 2)
    school_of = np.repeat(np.arange(len(schools_data)), n_j)
    n_t = len(school_of)

    def centred(z):
        return z - pd.DataFrame(z).groupby(school_of).transform("mean").to_numpy()

    delta = rng.normal(0, 0.15, (4, 5))
    delta -= delta.mean(axis=1, keepdims=True)
    eps = rng.normal(0, 0.05, (len(schools_data), 4, 5))
    eps -= eps.mean(axis=2, keepdims=True)
    a = centred(rng.standard_normal((n_t, 4)))
    e = centred(rng.standard_normal((n_t, 20)))

    cols, taus, rows = {}, {}, []
    for si, s in enumerate(scales):
        mu = 1 + 4 * schools_data[s].to_numpy(float) / 100
        head = np.clip(np.minimum(mu - 1, 5 - mu) / 0.6, 0, 1)
        m = mu[:, None] + head[:, None] * (delta[si] + eps[:, si, :])
        totals = _round_half_up(n_j[:, None] * m).astype(int)
        starts = np.concatenate([[0], np.cumsum(n_j)])

        def draw(tau, si=si, m=m, totals=totals, starts=starts):
            x = np.empty((n_t, 5))
            for k in range(5):
                lat = m[school_of, k] + tau * a[:, si] + noise_sd * e[:, si * 5 + k]
                for j in range(len(n_j)):
                    sl = slice(starts[j], starts[j + 1])
                    x[sl, k] = controlled_round(lat[sl], int(totals[j, k]))
            return x

        def alpha_of(x):
            return cronbach_from_array(x)

        lo_t, hi_t = 0.0, 4.0
        target = float(alphas[s])
        for _ in range(40):
            mid = (lo_t + hi_t) / 2
            if alpha_of(draw(mid)) < target:
                lo_t = mid
            else:
                hi_t = mid
        tau = (lo_t + hi_t) / 2
        x = draw(tau)
        taus[s] = tau
        for k, f in enumerate(facets):
            cols[f"{s}_{f}"] = x[:, k].astype(int)
        rows.append(("alpha", s, target, alpha_of(x), 0.02))

    width = len(str(n_t))
    data = pd.DataFrame({"teacher_id": [f"T{i + 1:0{width}d}" for i in range(n_t)],
                         "school_id": schools_data["school_id"].to_numpy()[school_of]})
    item_cols = [f"{s}_{f}" for s in scales for f in facets]
    for c in item_cols:
        data[c] = cols[c]

    # agreement with the school-level data, and Exhibit 5's signs
    pomp = {s: 100 * (data[[f"{s}_{f}" for f in facets]].mean(axis=1) - 1) / 4 for s in scales}
    agg = pd.DataFrame(pomp).groupby(data["school_id"]).mean()
    agg = agg.loc[schools_data["school_id"]]
    for s in scales:
        r = float(np.corrcoef(agg[s], schools_data[s])[0, 1])
        mad = float(np.abs(agg[s].to_numpy() - schools_data[s].to_numpy()).mean())
        rows.append(("school_correlation", s, 0.99, r, np.nan))
        rows.append(("school_mean_abs_diff", s, 1.0, mad, np.nan))
    resid = models.fit(schools_data, 1).resid.to_numpy()
    item_means = data.groupby("school_id")[item_cols].mean().loc[schools_data["school_id"]]
    for c in item_cols:
        r = float(np.corrcoef(item_means[c], resid)[0, 1])
        rows.append(("item_sign", c, float(item_signs[c]), r, np.nan))
    report = pd.DataFrame(rows, columns=["check", "target_of", "target", "achieved", "tolerance"])
    report["ok"] = [
        abs(r.achieved - r.target) <= r.tolerance if r.check == "alpha"
        else r.achieved >= r.target if r.check == "school_correlation"
        else r.achieved <= r.target if r.check == "school_mean_abs_diff"
        else np.sign(r.achieved) == r.target
        for r in report.itertuples()]
    return TeacherReconstruction(data, report, taus)


REPORT_CHECKS: dict[str, str] = {
    "alpha": "Cronbach's alpha, within the tolerance of Exhibit 3's",
    "school_correlation": "Correlation of the school means with the school data, at least",
    "school_mean_abs_diff": "Mean absolute difference from the school data, at most",
    "item_sign": "Sign of the item against Model 1's residual (Exhibit 5)",
}
"""What each check of :attr:`TeacherReconstruction.report` guarantees, in words."""


def report_in_words(report: pd.DataFrame) -> pd.DataFrame:
    """:attr:`TeacherReconstruction.report` for a reader's table: ``check`` in words
    (:data:`REPORT_CHECKS`), ``target_of`` as the scale or the item in words (an item id
    ``collaborative_policies`` as ``collaborative: policies``), ``ok`` renamed ``met``.

    Raises
    ------
    ValueError
        If a check has no words in :data:`REPORT_CHECKS` (it names the check).
    """
    unknown = sorted(set(report["check"]) - set(REPORT_CHECKS))
    if unknown:
        raise ValueError(f"reconstruction check {unknown[0]!r} has no words: add it to "
                         "collabcomm.reconstruct.teacher_level.REPORT_CHECKS")
    out = report.copy()
    out["check"] = out["check"].map(REPORT_CHECKS)
    out["target_of"] = [t.replace("_", ": ", 1) for t in out["target_of"]]
    return out.rename(columns={"ok": "met"})


def cronbach_from_array(x: np.ndarray) -> float:
    """Cronbach's alpha of an (n x k) array (no missing values); see reliability.cronbach_alpha."""
    k = x.shape[1]
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1)))


def teachers(schools_data: pd.DataFrame | None = None, seed: int = DEFAULT_SEED,
             **kwargs) -> pd.DataFrame:
    """Synthetic teacher responses (``teacher_id, school_id`` + 20 items, integers 1-5).

    Shorthand for ``reconstruct_teachers(...).data``; see :func:`reconstruct_teachers`.
    """
    return reconstruct_teachers(schools_data, seed, **kwargs).data
