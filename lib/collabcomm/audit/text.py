"""The paper's text claims against its exhibits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..moments import assemble, moment_inputs
from ..precision import matches_published
from ..schema import SCALES
from .exhibit5 import implied_residual_correlations
from .rows import _frame, _row

DISTRICT_SUMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # claim: (claims that add up to it, claims subtracted)
    "C01": (("C02", "C03", "C04", "C05"), ()),
    "C09": (("C01",), ("C08",)),
}
"""Arithmetic among the Methods' school counts: 19 + 5 + 5 + 1 = 30 schools; 30 - 4 = 26."""


def _exhibit_number(ref: str) -> int | None:
    head = ref.split(":")[0]
    return int(head.removeprefix("exhibit")) if head.startswith("exhibit") else None


def check_text_claims(claims: pd.DataFrame, descriptives: pd.DataFrame,
                      correlations: pd.DataFrame, regressions: pd.DataFrame,
                      item_results: pd.DataFrame, items: pd.DataFrame, n: int) -> pd.DataFrame:
    """Every claim of the claims table against the exhibits (one audit row per claim)."""
    desc = descriptives.set_index(["variable", "statistic"])
    corr = correlations[correlations["kind"] == "correlation"]
    regs = regressions.set_index(["model", "term"])
    cl = claims.set_index("claim_id")
    implied = implied_residual_correlations(descriptives, correlations, n)
    rows = []

    def add(c, reproduced, status, note=""):
        rows.append(_row(f"text_{c.kind}", "text", f"{c.Index}: {c.quantity}",
                         c.value if isinstance(c.value, str) else c.expected,
                         reproduced, status, "; ".join(x for x in (note, c.note) if x),
                         (c.Index, c.refers_to)))

    components = {k: owner for owner, (plus, minus) in DISTRICT_SUMS.items()
                  for k in (*plus, *minus)}

    def corr_cell(a, b):
        hit = corr[((corr.row == a) & (corr.col == b)) | ((corr.row == b) & (corr.col == a))]
        return hit.iloc[0]

    for c in cl.itertuples():
        parts = c.refers_to.split(":") if c.refers_to else []
        kind = c.kind
        if c.Index in DISTRICT_SUMS:
            plus, minus = DISTRICT_SUMS[c.Index]
            total = sum(float(cl.loc[p, "value"]) for p in plus) - sum(
                float(cl.loc[m, "value"]) for m in minus)
            ok = total == float(c.value)
            extra = ""
            if c.refers_to == "exhibit4:n_obs":
                ns = regressions[regressions.term == "n_obs"]["value"]
                ok = ok and (ns == float(c.value)).all()
                extra = "; Exhibit 4 N = " + ", ".join(f"{v:g}" for v in ns.unique())
            add(c, f"{total:g} from the other counts{extra}", "match" if ok else "inconsistent")
        elif kind == "count" and c.refers_to == "exhibit4:n_obs":
            ns = regressions[regressions.term == "n_obs"]["value"]
            add(c, "Exhibit 4 N = " + ", ".join(f"{v:g}" for v in ns.unique()),
                "match" if (ns == float(c.value)).all() else "inconsistent")
        elif kind == "count" and c.refers_to == "exhibit1:items":
            add(c, f"{len(items)} items", "match" if len(items) == int(c.value) else "inconsistent")
        elif kind == "bound":
            api = descriptives[descriptives.variable.str.startswith("api_")
                               & descriptives.statistic.isin(["mean", "min", "max"])]["value"]
            ok = (api >= 200).all() and (api <= 1000).all()
            add(c, f"Exhibit 2 API values {api.min():g}-{api.max():g}",
                "match" if ok else "inconsistent")
        elif kind in ("mean", "sd", "min", "max"):
            v = desc.loc[(parts[1], parts[2])]
            ok = matches_published(v["value"], float(c.value), 0)
            add(c, f"Exhibit 2: {v['value']:.{int(v['decimals'])}f}",
                "match" if ok else "inconsistent",
                "" if ok else f"{v['value']:g} rounds to {round(v['value']):g}, not {c.value}")
        elif kind == "ordering":
            order = c.value.split(">")
            means = [desc.loc[(v, "mean"), "value"] for v in order]
            ok = all(a > b for a, b in zip(means, means[1:], strict=False))
            add(c, " > ".join(f"{m:g}" for m in means), "match" if ok else "inconsistent")
        elif kind == "exhibit_reference":
            actual = _exhibit_number(c.refers_to)
            add(c, f"the content is Exhibit {actual}",
                "match" if actual == int(c.value) else "inconsistent")
        elif kind == "correlation":
            cell = corr_cell(parts[1], parts[2])
            ok = _direction_ok(c.expected, cell["value"], cell["stars"], {"*"})
            add(c, f"r = {cell['value']:g}{cell['stars']}", "match" if ok else "inconsistent")
        elif kind == "r_squared":
            m = int(parts[1].removeprefix("model"))
            v = regs.loc[(m, "r_squared")]
            ok = matches_published(v["value"] * 100, float(c.value), 0) or bool(c.approx)
            add(c, f"R-squared {v['value']:g}", "match" if ok else "inconsistent")
        elif kind == "coefficient":
            m = int(parts[1].removeprefix("model"))
            v = regs.loc[(m, parts[2])]
            ok = _direction_ok(c.expected, v["value"], v["stars"], {"**", "*", "+"})
            add(c, f"{v['value']:g}{v['stars']}", "match" if ok else "inconsistent")
        elif kind == "item_signs":
            same = all(len(set(np.sign(item_results[item_results.item_id.str.startswith(s + "_")]
                                        ["value"]))) == 1
                       for s in ("traditional", "bureaucratic", "collaborative", "fragmented"))
            add(c, "each scale's items share one sign" if same else "mixed signs",
                "match" if same else "inconsistent",
                "direction checked; 'approximate magnitude' is not a checkable claim")
        elif kind == "comparison":
            change = _change_correlations(descriptives, correlations)
            best_c = change.abs().idxmax()
            best_r = implied.abs().idxmax()
            ok = best_c == c.value or best_r == c.value
            add(c, "with the 2011-12 change: " + ", ".join(f"{k} {v:.3f}" for k, v in
                                                          change.items())
                + "; with the Model 1 residual: " + ", ".join(f"{k} {v:.3f}" for k, v in
                                                             implied.items()),
                "match" if ok else "inconsistent",
                f"strongest: {best_c} (change), {best_r} (residual), from Exhibits 2-3")
        elif kind == "method" and c.refers_to == "exhibit3:alpha":
            k = (correlations["kind"] == "alpha").sum()
            add(c, f"{k} parenthesised alphas on the diagonal", "match" if k == 4 else "inconsistent")
        elif c.Index in components:
            add(c, f"used in {components[c.Index]}'s arithmetic", "not_checkable",
                "no exhibit reports it; it enters the school-count arithmetic")
        else:
            add(c, "", "not_checkable", "the exhibits hold nothing to check this against")
    return _frame(rows)


def _direction_ok(expected: str, value: float, stars: str, significant: set[str]) -> bool:
    words = set(expected.split())
    ok = True
    if "positive" in words:
        ok &= value > 0
    if "negative" in words:
        ok &= value < 0
    if "significant" in words:
        ok &= stars in significant
    if "not_significant" in words:
        ok &= stars == ""
    if "weakly_significant" in words:
        ok &= stars == "+"
    if "strongly_significant" in words:
        ok &= stars == "**"
    return bool(ok)


def _change_correlations(descriptives: pd.DataFrame, correlations: pd.DataFrame) -> pd.Series:
    """Correlation of each scale with API 2012 - API 2011, implied by the moments."""

    vs, _, _, sd, _, pairs, r, _ = moment_inputs(descriptives, correlations)
    corr = pd.DataFrame(assemble(r[None], pairs, len(vs))[0], vs, vs)
    s = pd.Series(sd, vs)
    sd_change = np.sqrt(s.api_2012**2 + s.api_2011**2
                        - 2 * corr.loc["api_2012", "api_2011"] * s.api_2012 * s.api_2011)
    return pd.Series({x: (corr.loc[x, "api_2012"] * s.api_2012 - corr.loc[x, "api_2011"]
                          * s.api_2011) / sd_change for x in SCALES})
