"""Innocent explanation (d), tested: which single typo in one published cell (one digit, a
transposition of two adjacent digits, or a sign) would resolve the audit's findings?

Every such edit of every numeric cell of Exhibits 2, 3 and 4 is screened at once (closed-form
OLS for the whole batch); the most promising are then confirmed by rerunning every check of the
audit on the edited tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..models import ADDED, OUTCOME, regressors
from ..moments import assemble, batch_ols, moment_inputs
from ..schema import SCALES
from ..significance import critical_r, legend
from .exhibit4 import _stars_interval, check_exhibit4_internal, internal_inconsistent
from .grim import INTEGER_VARIABLES, grim

EDIT_KINDS = ("digit", "transposition", "sign")
"""The kinds of single typo tried."""


def single_edits(text: str) -> list[tuple[str, str]]:
    """Every number one typo away from the printed ``text``, with its kind: one digit replaced
    by another, two adjacent digits swapped (the decimal point stays), or the sign changed.
    The number of decimals is kept; a leading zero is not created in a number of two or more
    whole digits; each result appears once.

    >>> single_edits("-0.81")[:3], len(single_edits("-0.81"))
    ([('-1.81', 'digit'), ('-2.81', 'digit'), ('-3.81', 'digit')], 30)
    >>> [t for t, k in single_edits("34.25") if k != "digit"]
    ['43.25', '32.45', '34.52', '-34.25']
    """
    s = text.strip()
    sign, body = ("-", s[1:]) if s.startswith("-") else ("", s)
    places = [i for i, ch in enumerate(body) if ch.isdigit()]
    whole = len(body.split(".")[0])
    out: dict[str, str] = {}

    def add(new_body, kind):
        new = sign + new_body
        if new != s and new not in out:
            out[new] = kind

    for i in places:
        for digit in "0123456789":
            if digit != body[i] and not (i == 0 and digit == "0" and whole > 1):
                add(body[:i] + digit + body[i + 1:], "digit")
    for a, b in zip(places, places[1:], strict=False):
        if body[a] != body[b] and not (a == 0 and body[b] == "0" and whole > 1):
            chars = list(body)
            chars[a], chars[b] = chars[b], chars[a]
            add("".join(chars), "transposition")
    if float(s) != 0:
        out[s[1:] if sign else "-" + s] = "sign"
    return list(out.items())


def typo_cells(descriptives: pd.DataFrame, correlations: pd.DataFrame,
               regressions: pd.DataFrame) -> pd.DataFrame:
    """Every numeric published cell a typo could sit in: Exhibit 2's statistics, Exhibit 3's
    correlations and Exhibit 4's printed values (not its N). Columns ``exhibit``, ``row``,
    ``col`` (variable and statistic; the two variables; term and model), ``text`` (as printed,
    with a leading zero), ``decimals``."""
    rows = [("2", r.variable, r.statistic, f"{r.value:.{int(r.decimals)}f}", int(r.decimals))
            for r in descriptives.itertuples()]
    rows += [("3", r.row, r.col, f"{r.value:.{int(r.decimals)}f}", int(r.decimals))
             for r in correlations[correlations["kind"] == "correlation"].itertuples()]
    rows += [("4", r.term, r.model, f"{r.value:.{int(r.decimals)}f}", int(r.decimals))
             for r in regressions[regressions["in_model"]].itertuples()
             if r.term != "n_obs" and not np.isnan(r.value)]
    return pd.DataFrame(rows, columns=["exhibit", "row", "col", "text", "decimals"])


def apply_edit(tables: dict[str, pd.DataFrame], exhibit: str, row, col, text: str
               ) -> dict[str, pd.DataFrame]:
    """A copy of ``tables`` (as :func:`~collabcomm.audit.published_tables` gives them) with one
    cell printed as ``text`` instead (same decimals)."""
    out = dict(tables)
    name, keys = {"2": ("descriptives", ("variable", "statistic")),
                  "3": ("correlations", ("row", "col")),
                  "4": ("regressions", ("term", "model"))}[exhibit]
    t = tables[name].copy()
    hit = (t[keys[0]] == row) & (t[keys[1]] == col)
    if exhibit == "3":
        hit &= t["kind"] == "correlation"
    if int(hit.sum()) != 1:
        raise KeyError(f"no single cell {row}, {col} in Exhibit {exhibit}")
    t.loc[hit, "value"] = float(text)
    out[name] = t
    return out


def _valid(exhibit, row, col, value, desc) -> bool:
    if exhibit == "3":
        return abs(value) < 1
    if exhibit == "2":
        stats = desc.loc[row]
        if col == "sd":
            return value > 0
        lo = value if col == "min" else stats["min"]
        hi = value if col == "max" else stats["max"]
        mean = value if col == "mean" else stats["mean"]
        return lo < hi and lo <= mean <= hi
    return True


SCREEN_FAMILIES = ("grim_api_2012", "grim_api_2011", "grim_school_size", "e3_stars",
                   "e4_community", "e4_controls", "e4_constants", "e4_r_squared", "e4_stars",
                   "e4_const_stars", "e4_model2_star")
"""The screened rows, grouped as :func:`~collabcomm.audit.explanations.findings` groups them
(plus Exhibit 3's stars and the constants' stars, which belong to no finding)."""


def _family(term: str) -> str:
    if term in SCALES:
        return "e4_community"
    if term == "const":
        return "e4_constants"
    return "e4_r_squared" if term == "r_squared" else "e4_controls"


def screen_edits(tables: dict[str, pd.DataFrame], n: int, ranges: pd.DataFrame) -> pd.DataFrame:
    r"""Every single typo of :func:`typo_cells`, screened: how many rows of the screened checks
    would be inconsistent after it, in each family of :data:`SCREEN_FAMILIES`.

    Notes
    -----
    Screened checks: GRIM of the integer means (exact), Exhibit 3's stars (exact), and every
    value and star of Exhibit 4 against Exhibits 2-3 and Exhibit 4's own R-squared test. For
    an edit of Exhibit 2 or 3, Exhibit 4's implied values and p-values are recomputed at the
    edited printed moments, all edits in one batch (:func:`~collabcomm.moments.batch_ols`),
    and each is given the rounding range the published moments have
    (:func:`~collabcomm.audit.exhibit4.exhibit4_ranges`: the same offsets from the implied
    value, the same ratios for p). An edit of Exhibit 4 changes only its own cell's value row,
    and for an R-squared the R-squared test. Edits that make a table impossible (a
    correlation of 1 or more, a matrix that is not positive definite, an SD of 0 or less, a
    mean outside its range) are dropped. The screen ranks; :func:`confirm_edits` decides.

    Returns one row per edit: ``exhibit``, ``row``, ``col``, ``printed``, ``edited``, ``kind``,
    a count per family of :data:`SCREEN_FAMILIES`, and ``screened``, their sum.
    """
    desc, corr, regs = tables["descriptives"], tables["correlations"], tables["regressions"]
    wide = desc.pivot(index="variable", columns="statistic", values="value")
    dec = desc.set_index(["variable", "statistic"])["decimals"]
    vs, mu, _, sd, _, pairs, r, _ = moment_inputs(desc, corr)
    edits = []
    for c in typo_cells(desc, corr, regs).itertuples():
        for text, kind in single_edits(c.text):
            if _valid(c.exhibit, c.row, c.col, float(text), wide):
                edits.append((c.exhibit, c.row, c.col, c.text, text, kind))
    e = pd.DataFrame(edits, columns=["exhibit", "row", "col", "printed", "edited", "kind"])
    levels = legend(4)
    rg = ranges.set_index(["model", "term"])
    pub = regs[regs["in_model"]].set_index(["model", "term"])
    # the moments of each edit of Exhibits 2-3, after the printed ones (row 0)
    moment_edits = e[e["exhibit"].isin(["2", "3"])]
    size = len(moment_edits) + 1
    x_r, x_sd, x_mu = (np.repeat(a[None], size, axis=0) for a in (r, sd, mu))
    where = {(vs[i], vs[j]): k for k, (i, j) in enumerate(pairs)}
    for b, m in enumerate(moment_edits.itertuples(), start=1):
        if m.exhibit == "3":
            x_r[b, where[(m.row, m.col)]] = float(m.edited)
        elif m.col in ("sd", "mean"):
            (x_sd if m.col == "sd" else x_mu)[b, vs.index(m.row)] = float(m.edited)
    corr_b = assemble(x_r, pairs, len(vs))
    pd_ok = np.linalg.eigvalsh(corr_b)[:, 0] > 1e-10
    fam = {f: np.zeros(size, dtype=int) for f in SCREEN_FAMILIES}
    for mdl in ADDED:
        with np.errstate(all="ignore"):
            fit = batch_ols(corr_b, x_sd, x_mu, n, vs.index(OUTCOME),
                            [vs.index(t) for t in regressors(mdl)])
        values = {t: fit["coef"][:, j] for j, t in enumerate([*regressors(mdl), "const"])}
        values["r_squared"] = fit["r_squared"]
        for j, (term, imp) in enumerate(values.items()):
            cell, c0 = pub.loc[(mdl, term)], rg.loc[(mdl, term)]
            if np.isnan(cell["value"]):
                continue
            h = 0.5 * 10.0 ** -int(cell["decimals"])
            lo, hi = imp - (c0["implied"] - c0["low"]), imp + (c0["high"] - c0["implied"])
            fam[_family(term)] += ~((cell["value"] + h >= lo) & (cell["value"] - h <= hi))
            if term == "r_squared":
                continue
            p = fit["p"][:, j]
            p_lo, p_hi = p * (c0["p_low"] / p[0]), p * (c0["p_high"] / p[0])
            s_lo, s_hi = _stars_interval(cell["stars"], levels)
            fam["e4_const_stars" if term == "const" else "e4_stars"] += ~(
                (p_lo < s_hi) & (p_hi >= s_lo))
    base = {f: int(v[0]) for f, v in fam.items()}
    base["e4_model2_star"] = int((check_exhibit4_internal(regs, n)["status"]
                                  == "inconsistent").sum())
    for v in INTEGER_VARIABLES:
        base[f"grim_{v}"] = int(not grim(wide.loc[v, "mean"], int(dec[(v, "mean")]), n))
    rc = critical_r(n)
    cstars = corr[corr["kind"] == "correlation"].set_index(["row", "col"])

    def star_bad(value, decimals, starred):
        half = 0.5 * 10.0 ** -int(decimals)
        expected = "*" if abs(value) - half > rc else ("" if abs(value) + half < rc else None)
        return int(expected is not None and (expected == "*") != starred)

    base["e3_stars"] = sum(star_bad(c.value, c.decimals, c.stars == "*")
                           for c in cstars.itertuples())
    counts, b, cache = [], 0, {}
    for m in e.itertuples():
        row = dict(base)
        if m.exhibit in ("2", "3"):
            b += 1
            if not pd_ok[b]:
                row = None
            else:
                row.update({f: int(fam[f][b]) for f in fam if f.startswith("e4_")
                            and f != "e4_model2_star"})
                if m.exhibit == "2" and m.col == "mean" and m.row in INTEGER_VARIABLES:
                    row[f"grim_{m.row}"] = int(not grim(m.edited, int(dec[(m.row, "mean")]), n))
                if m.exhibit == "3":
                    c = cstars.loc[(m.row, m.col)]
                    row["e3_stars"] += (star_bad(float(m.edited), c["decimals"], c["stars"] == "*")
                                        - star_bad(c["value"], c["decimals"], c["stars"] == "*"))
        else:
            _exhibit4_edit(m, regs, rg, n, row, cache, levels)
        counts.append(row)
    keep = [c is not None for c in counts]
    e = e[keep].reset_index(drop=True)
    table = pd.DataFrame([c for c in counts if c is not None], columns=list(SCREEN_FAMILIES))
    e = pd.concat([e, table], axis=1)
    e["screened"] = table.sum(axis=1)
    return e


def _exhibit4_edit(m, regs, rg, n, row, cache, levels) -> None:
    """Update the screened counts ``row`` for an edit of one Exhibit 4 cell: its value row, and
    for an R-squared the R-squared test."""
    term, model = m.row, int(m.col)
    if (term, model) not in cache:
        cell = regs[(regs["model"] == model) & (regs["term"] == term)].iloc[0]
        c0 = rg.loc[(model, term)]
        cache[(term, model)] = (float(cell["value"]), 0.5 * 10.0 ** -int(cell["decimals"]),
                                float(c0["low"]), float(c0["high"]))
    value, h, low, high = cache[(term, model)]

    def bad(v):
        return int(not (v + h >= low and v - h <= high))

    row[_family(term)] += bad(float(m.edited)) - bad(value)
    if term == "r_squared":
        if "r2" not in cache:
            pub = regs.set_index(["model", "term"])
            cache["r2"] = {k: (float(pub.loc[(k, "r_squared"), "value"]),
                               int(pub.loc[(k, "r_squared"), "decimals"])) for k in ADDED}
            cache["stars"] = {k: pub.loc[(k, ADDED[k][0]), "stars"] for k in (2, 3, 4, 5)}
        r2 = dict(cache["r2"])
        r2[model] = (float(m.edited), r2[model][1])
        row["e4_model2_star"] = internal_inconsistent(r2, cache["stars"], n, levels)


def _keys(rows: pd.DataFrame) -> set[tuple[str, str]]:
    bad = rows[rows["status"] == "inconsistent"]
    return set(zip(bad["check"], bad["quantity"], strict=True))


def confirm_edits(tables: dict[str, pd.DataFrame], n: int, candidates: pd.DataFrame,
                  families: dict[str, tuple[str, pd.DataFrame]], *, draws: int = 4000,
                  seed: int = 0, sprite_steps: int = 20000,
                  ranges: pd.DataFrame | None = None,
                  base: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every check of the audit rerun on the tables with each candidate edit
    (:func:`~collabcomm.audit.run_checks`; Exhibit 4's ranges are recomputed when Exhibit 2 or
    3 is edited, ``ranges`` reused otherwise). ``base``: the rows of
    :func:`~collabcomm.audit.run_checks` on the unedited ``tables`` with these parameters,
    when already computed (the audit's own rows); computed here otherwise.

    Adds to ``candidates``: ``inconsistent`` (rows of every check after the edit), ``fixed``
    and ``broken`` (rows that stop, or start, being inconsistent), ``resolved`` (fixed minus
    broken), ``findings`` (the ``families`` whose every row is then consistent,
    space-separated), sorted by ``resolved``, then fewest ``broken``, then cell order.
    """
    from . import run_checks
    from .sprite import sprite_table

    sprites = sprite_table(tables["descriptives"], n, seed=seed, max_steps=sprite_steps)
    if base is None:
        base = run_checks(tables, n, draws=draws, seed=seed, sprite_steps=sprite_steps,
                          ranges=ranges, sprites=sprites)
    before = _keys(base)
    out = []
    for c in candidates.itertuples():
        edited = apply_edit(tables, c.exhibit, c.row, c.col if c.exhibit != "4" else int(c.col),
                            c.edited)
        integer_cell = c.exhibit == "2" and c.row in INTEGER_VARIABLES
        rows = run_checks(edited, n, draws=draws, seed=seed, sprite_steps=sprite_steps,
                          ranges=ranges if c.exhibit == "4" else None,
                          sprites=None if integer_cell else sprites)
        after = _keys(rows)
        solved = []
        for key, (_, fam) in families.items():
            members = set(zip(fam["check"], fam["quantity"], strict=True))
            if members and not (members & after):
                solved.append(key)
        out.append({**c._asdict(), "inconsistent": len(after), "fixed": len(before - after),
                    "broken": len(after - before), "resolved": len(before - after)
                    - len(after - before), "findings": " ".join(solved)})
    res = pd.DataFrame(out).drop(columns="Index")
    res["order"] = range(len(res))
    res = res.sort_values(["resolved", "broken", "order"], ascending=[False, True, True])
    return res.drop(columns="order").reset_index(drop=True)


def typo_candidates(screened: pd.DataFrame, families, *, top: int = 2) -> pd.DataFrame:
    """The edits worth confirming: the ``top`` edits of Exhibits 2-3 and of Exhibit 4 by the
    screen's total, and for each finding in ``families`` that some edit clears in the screen,
    the first such edit (fewest screened rows, then cell order)."""
    ranked = screened.assign(order=range(len(screened))).sort_values(["screened", "order"])
    picks = [ranked[ranked["exhibit"].isin(["2", "3"])].head(top),
             ranked[ranked["exhibit"] == "4"].head(top)]
    for key in families:
        if key in ranked.columns:
            picks.append(ranked[ranked[key] == 0].head(1))
    out = pd.concat(picks).drop_duplicates(["exhibit", "row", "col", "edited"])
    return out.drop(columns="order").reset_index(drop=True)


def typo_verdicts(confirmed: pd.DataFrame, families, screened: pd.DataFrame
                  ) -> dict[str, tuple[str, str]]:
    """Explanation (d) for each finding: ``can explain`` when a confirmed single edit clears its
    whole family (the edit, and what it does to every other check of the audit); else
    ``cannot explain``, with the fewest of its rows any screened edit leaves inconsistent."""
    out = {}
    ranked = screened.assign(order=range(len(screened)))
    for key, (_, fam) in families.items():
        k = int((fam["status"] == "inconsistent").sum())
        clears = confirmed[confirmed["findings"].str.split().apply(lambda f, x=key: x in f)]
        if not clears.empty:
            e = clears.iloc[0]
            out[key] = ("can explain",
                        f"e.g. {_describe(e)}; over every check of the audit it fixes {e.fixed} "
                        f"row(s) and breaks {e.broken}")
            continue
        text = (f"none of the {len(screened)} single edits (one digit, a transposition or a "
                f"sign of any cell of Exhibits 2-4) clears its {k} inconsistent row(s)")
        if key in ranked.columns:
            best = ranked.sort_values([key, "screened", "order"]).iloc[0]
            text += (f"; the best leaves {int(best[key])} of them ({_describe(best)}, "
                     f"screened)")
        out[key] = ("cannot explain", text)
    return out


def _describe(e) -> str:
    where = {"2": f"Exhibit 2 {e.row} {e.col}", "3": f"Exhibit 3 r({e.row}, {e.col})",
             "4": f"Exhibit 4 Model {e.col} {e.row}"}[e.exhibit]
    return f"{where} {e.printed} -> {e.edited} ({e.kind})"
