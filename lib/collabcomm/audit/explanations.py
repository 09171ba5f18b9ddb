"""Innocent explanations, tested: for each inconsistent finding of the audit, whether a
different N, rescaled community variables, standardized coefficients, a single typo, or tables
from different stages of the analysis can explain it, each with the computation behind it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..memo import memoized
from ..models import ADDED, OUTCOME, regressors
from ..moments import assemble, batch_ols, moment_inputs
from ..schema import SCALES
from ..significance import legend
from .exhibit4 import _stars_interval, check_exhibit4_internal
from .grim import sample_sizes
from .rescaling import CONTROLS, rescaled, standardized
from .words import quantity_in_words

VERDICTS = ("can explain", "cannot explain", "not testable")
"""What a cell of the explanations table says."""

EXPLANATIONS: dict[str, str] = {
    "different_n": "(a) a different N behind a table",
    "rescaled": "(b) rescaled community variables",
    "standardized": "(c) standardized coefficients",
    "single_typo": "(d) a single typo in one published cell",
    "stages": "(e) tables from different stages of the analysis",
}
"""The innocent explanations tested, in the table's column order."""

def findings(audit_rows: pd.DataFrame, n: int) -> dict[str, tuple[str, pd.DataFrame]]:
    """The inconsistent findings of the audit that concern Exhibits 2 to 4, each with a label
    and its *family*: every row of the checks that make it up (a finding is explained only
    when its whole family becomes consistent, not when its flagged rows do while others break).

    ``grim_<variable>``: the GRIM row of each integer mean; ``e4_community``,
    ``e4_controls``, ``e4_constants``, ``e4_r_squared``: the values of Exhibit 4 against the
    range Exhibits 2 and 3 imply (community-type slopes, control slopes, constants,
    R-squared); ``e4_stars``: the stars of the slopes against the implied p-values;
    ``e4_model2_star``: the stars of Models 2 to 5 against their R-squared gains. Findings with
    no inconsistent row are left out.
    """
    a = audit_rows
    e4 = a[a["check"] == "exhibit4_from_moments"]
    stars = a[(a["check"] == "exhibit4_stars_from_moments") & (a["cell_row"] != "const")]
    out = {}
    for var in ("api_2012", "api_2011", "school_size"):
        fam = a[(a["check"] == "grim") & (a["quantity"] == f"mean of {var} at N = {n}")]
        out[f"grim_{var}"] = (f"GRIM: the mean of {var} at N = {n}", fam)
    out["e4_community"] = ("Exhibit 4's community-type slopes against Exhibits 2-3",
                           e4[e4["cell_row"].isin(SCALES)])
    out["e4_controls"] = ("Exhibit 4's control slopes against Exhibits 2-3",
                          e4[e4["cell_row"].isin(CONTROLS)])
    out["e4_constants"] = ("Exhibit 4's constants against Exhibits 2-3",
                           e4[(e4["cell_row"] == "const") & (e4["status"] != "not_checkable")])
    out["e4_r_squared"] = ("Exhibit 4's R-squared values against Exhibits 2-3",
                           e4[e4["cell_row"] == "r_squared"])
    out["e4_stars"] = ("Exhibit 4's stars against the p-values Exhibits 2-3 imply", stars)
    out["e4_model2_star"] = ("Model 2's star against its R-squared gain (Exhibit 4 alone)",
                             a[a["check"] == "exhibit4_internal"])
    return {k: v for k, v in out.items() if (v[1]["status"] == "inconsistent").any()}


def _bad(family: pd.DataFrame) -> int:
    return int((family["status"] == "inconsistent").sum())


def star_scan(ranges: pd.DataFrame, regressions: pd.DataFrame, n: int, sizes) -> pd.DataFrame:
    r"""The slopes' stars at other sample sizes, the moments held as printed.

    Notes
    -----
    From given correlations, SDs and means, a slope's standard error is
    :math:`\sqrt{(1-R^2)s_y^2[R_{xx}^{-1}]_{kk}/(df\,s_k^2)}`, so its t statistic is
    proportional to :math:`\sqrt{df}`, :math:`df = N - k - 1`, and nothing else in it depends
    on N. The extremes of :math:`|t|` over the rounding box at ``n`` (from the p-values of
    :func:`~collabcomm.audit.exhibit4.exhibit4_ranges`) therefore scale exactly to any other
    N, and each printed star is checked as in
    :func:`~collabcomm.audit.exhibit4.check_exhibit4_from_moments`. At N = ``n`` this
    reproduces that check's verdicts (tested).

    Returns one row per sample size: ``n``, ``inconsistent`` (how many slopes' stars),
    ``cells`` (which, ``"model:term"``), ``internal`` (inconsistent rows of
    :func:`~collabcomm.audit.exhibit4.check_exhibit4_internal` at that N).
    """
    from scipy import stats as st

    levels = legend(4)
    pub = regressions[regressions["in_model"]].set_index(["model", "term"])["stars"]
    slopes = []
    for r in ranges.itertuples():
        if r.term in ("const", "r_squared"):
            continue
        df0 = n - len(regressors(r.model)) - 1
        slopes.append((r.model, r.term, df0, st.t.isf(r.p_low / 2, df0),
                       st.t.isf(r.p_high / 2, df0), _stars_interval(pub[(r.model, r.term)],
                                                                    levels)))
    names = [f"{m}:{term}" for m, term, *_ in slopes]
    df0 = np.array([s[2] for s in slopes], dtype=float)
    t_high, t_low = (np.array([s[k] for s in slopes]) for k in (3, 4))
    lo, hi = (np.array([s[5][k] for s in slopes]) for k in (0, 1))
    rows = []
    for size in sizes:  # every slope at once (the same arithmetic, element by element)
        df1 = size - (n - df0)
        grow = np.sqrt(df1 / df0)
        p_low = 2 * st.t.sf(t_high * grow, df1)
        p_high = 2 * st.t.sf(t_low * grow, df1)
        bad = [name for name, ok in zip(names, (p_low < hi) & (p_high >= lo), strict=True)
               if not ok]
        internal = check_exhibit4_internal(regressions, size, levels=levels)
        rows.append({"n": size, "inconsistent": len(bad), "cells": " ".join(bad),
                     "internal": int((internal["status"] == "inconsistent").sum())})
    return pd.DataFrame(rows)


def _listed(sizes) -> str:
    sizes = [int(s) for s in sizes]
    if not sizes:
        return "none"
    runs, start = [], sizes[0]
    for a, b in zip(sizes, [*sizes[1:], None], strict=True):
        if b != a + 1:
            runs.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ", ".join(runs)


def different_n(fams, descriptives, correlations, regressions, n, ranges, possible_n):
    """Explanation (a): a different N behind a table. GRIM rows from GRIMMER and SPRITE
    (:func:`~collabcomm.audit.sprite.possible_n_table`); Exhibit 4's values from the closed
    form at every N of :func:`~collabcomm.audit.grim.sample_sizes`; stars and the R-squared
    test from :func:`star_scan`."""
    out = {}
    sizes = list(sample_sizes(n))
    common = set(sizes)
    for var in ("api_2012", "api_2011", "school_size"):
        common &= set(possible_n[(possible_n["variable"] == var)
                                 & (possible_n["sprite"] == "found")]["n"])
    for var in ("api_2012", "api_2011", "school_size"):
        key = f"grim_{var}"
        if key not in fams:
            continue
        t = possible_n[possible_n["variable"] == var]
        found = list(t[t["sprite"] == "found"]["n"])
        ties = list(t[t["grim_tie_only"] & (t["sprite"] == "found")]["n"])
        out[key] = ("can explain" if found else "cannot explain",
                    f"mean, SD, minimum and maximum possible together (GRIMMER) and a sample "
                    f"found (SPRITE) at N = {_listed(found)}"
                    + (f" (N = {_listed(ties)} only through a tie of the mean)" if ties else "")
                    + f"; but one N for all three integer variables: {_listed(sorted(common))}"
                    f" of {sizes[0]}-{sizes[-1]}")
    vs, mu, _, sd, _, pairs, r, _ = moment_inputs(descriptives, correlations)
    corr = assemble(r[None], pairs, len(vs))
    spread = 0.0
    for m in ADDED:
        xi = [vs.index(t) for t in regressors(m)]
        fits = [batch_ols(corr, sd[None], mu[None], k, vs.index(OUTCOME), xi) for k in sizes]
        for key in ("coef", "r_squared"):
            spread = max(spread, float(np.ptp([f[key].ravel() for f in fits], axis=0).max()))
    for key in ("e4_community", "e4_controls", "e4_constants", "e4_r_squared"):
        if key in fams:
            out[key] = ("cannot explain",
                        f"slopes, constants and R-squared from means, SDs and correlations do not "
                        f"involve N: recomputed at N = {sizes[0]}-{sizes[-1]} they differ by "
                        f"{spread:g}, so the {_bad(fams[key][1])} inconsistent values stay "
                        f"inconsistent at every N (another N with other schools changes the "
                        f"moments themselves: explanation (e))")
    scan = star_scan(ranges, regressions, n, sizes)
    if "e4_stars" in fams:
        best = scan[scan["inconsistent"] == scan["inconsistent"].min()]
        ok = list(scan[scan["inconsistent"] == 0]["n"])
        out["e4_stars"] = ("can explain" if ok else "cannot explain",
                           f"t grows with sqrt(N - k - 1); stars recomputed at N = {sizes[0]}-"
                           f"{sizes[-1]}: " + (f"all consistent at N = {_listed(ok)}" if ok else
                           f"none makes every star consistent; fewest inconsistent "
                           f"({int(best['inconsistent'].iloc[0])} of {len(fams['e4_stars'][1])}) "
                           f"at N = {_listed(best['n'])}"))
    if "e4_model2_star" in fams:
        ok = list(scan[scan["internal"] == 0]["n"])
        stars_there = scan[scan["internal"] == 0]["inconsistent"]
        out["e4_model2_star"] = (
            "can explain" if ok else "cannot explain",
            f"F(1, N - 5) from the R-squared gains, at N = {sizes[0]}-{sizes[-1]}: all four "
            f"stars consistent at N = {_listed(ok)}" + (
                f" (listwise deletion of {n - max(ok)} or more of the {n} schools); Exhibit 4 "
                f"prints {n} observations, and at those N "
                f"{int(stars_there.min())}-{int(stars_there.max())} of the slopes' stars no "
                f"longer match Exhibits 2-3" if ok else ""))
    return out


STAGES_REASON = ("not testable from the published numbers: any mismatch between two tables is "
                 "what tables from different data versions, samples or model runs would show, "
                 "and the paper records no version for any table, so no computation on the "
                 "printed numbers can support or rule it out; it would take the analysis log "
                 "or the data")


def stages(fams):
    """Explanation (e): tables from different stages of the analysis; not testable."""
    return {key: ("not testable", STAGES_REASON) for key in fams}


def explanations_table(fams, results: dict[str, dict[str, tuple[str, str]]]) -> pd.DataFrame:
    """The long table: one row per finding and explanation, in :data:`EXPLANATIONS`' order:
    ``finding``, ``label``, ``inconsistent`` (rows of the finding), ``rows`` (of its family),
    ``explanation``, ``verdict`` (:data:`VERDICTS`), ``computation``."""
    rows = []
    for key, (label, fam) in fams.items():
        for exp in EXPLANATIONS:
            verdict, text = results.get(exp, {}).get(key, ("not testable", "not computed"))
            if verdict not in VERDICTS:
                raise ValueError(f"unknown verdict {verdict!r}")
            rows.append({"finding": key, "label": label, "inconsistent": _bad(fam),
                         "rows": len(fam), "explanation": exp, "verdict": verdict,
                         "computation": text})
    return pd.DataFrame(rows)


def explanations_wide(table: pd.DataFrame, *, words: bool = False) -> pd.DataFrame:
    """One row per finding, one column per explanation, holding the verdict (for showing).

    The rows are named by the finding's key (``grim_api_2012``), or with ``words`` by its label
    in words (:func:`collabcomm.audit.words.quantity_in_words`: "GRIM: the mean of API 2012 at
    N = 26"), as a reader's table shows them."""
    wide = table.pivot(index="finding", columns="explanation", values="verdict")
    order = list(dict.fromkeys(table["finding"]))
    wide = wide.loc[order, [e for e in EXPLANATIONS if e in wide.columns]].rename(
        columns=EXPLANATIONS)
    if words:
        labels = finding_words(table)
        wide.index = pd.Index([labels[k] for k in wide.index], name="finding")
    return wide


def finding_words(table: pd.DataFrame) -> dict[str, str]:
    """Each finding's key (``grim_api_2012``) -> its label in words ("GRIM: the mean of API
    2012 at N = 26"), from :func:`explanations_table`'s ``finding`` and ``label``; the empty
    key (no finding) stays empty."""
    labels = dict(zip(table["finding"], table["label"], strict=True))
    return {"": "", **{k: quantity_in_words(v) for k, v in labels.items()}}


def star_scan_in_words(scan: pd.DataFrame) -> pd.DataFrame:
    """:func:`star_scan`'s table for a reader: its ``cells`` (``"1:sed_pct 2:bureaucratic"``)
    as ``"Model 1: % SED; Model 2: bureaucratic"``."""
    def cells(text: str) -> str:
        return "; ".join(f"Model {model}: {quantity_in_words(term)}"
                         for model, term in (c.split(":", 1) for c in str(text).split()))

    return scan.assign(cells=[cells(v) for v in scan["cells"]])


def verdicts_in_words(table: pd.DataFrame, *, skip: tuple[str, ...] = ("stages",)) -> pd.DataFrame:
    """:func:`explanations_table`'s rows for a reader's table: ``finding`` (its label),
    ``explanation`` (:data:`EXPLANATIONS`' words, without the letter), ``verdict`` and
    ``computation``, identifiers in words (:func:`collabcomm.audit.words.quantity_in_words`);
    the explanations in ``skip`` (default: ``stages``, the same sentence for every finding)
    left out."""
    rows = table[~table["explanation"].isin(skip)]
    return pd.DataFrame({
        "finding": [quantity_in_words(v) for v in rows["label"]],
        "explanation": [EXPLANATIONS[e].split(") ", 1)[-1] for e in rows["explanation"]],
        "verdict": list(rows["verdict"]),
        "computation": [quantity_in_words(v) for v in rows["computation"]]})


@memoized
def innocent_explanations(tables: dict[str, pd.DataFrame], n: int, *, audit_rows: pd.DataFrame,
                          ranges: pd.DataFrame, possible_n: pd.DataFrame, draws: int = 4000,
                          seed: int = 0, sprite_steps: int = 20000
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The explanations table (:func:`explanations_table`) for the audit's findings
    (:func:`findings` of ``audit_rows``, the rows of :func:`~collabcomm.audit.run_checks` on
    ``tables``), and the confirmed single typos behind column (d)
    (:func:`~collabcomm.audit.typos.confirm_edits`).

    ``ranges``: :func:`~collabcomm.audit.exhibit4.exhibit4_ranges` of the published moments at
    ``n``; ``possible_n``: :func:`~collabcomm.audit.sprite.possible_n_table`.
    """
    from .typos import confirm_edits, screen_edits, typo_candidates, typo_verdicts

    desc, corr, regs = tables["descriptives"], tables["correlations"], tables["regressions"]
    fams = findings(audit_rows, n)
    screened = screen_edits(tables, n, ranges)
    candidates = typo_candidates(screened, fams)
    confirmed = confirm_edits(tables, n, candidates, fams, draws=draws, seed=seed,
                              sprite_steps=sprite_steps, ranges=ranges, base=audit_rows)
    results = {"different_n": different_n(fams, desc, corr, regs, n, ranges, possible_n),
               "rescaled": rescaled(fams, desc, corr, regs, n, ranges),
               "standardized": standardized(fams, desc, corr, regs, n, ranges),
               "single_typo": typo_verdicts(confirmed, fams, screened),
               "stages": stages(fams)}
    return explanations_table(fams, results), confirmed
