"""Comparing reproduced numbers with published ones, and checks of the paper's consistency.

One module per check family: :mod:`~collabcomm.audit.compare` (the reconstruction beside
Exhibits 2 and 3), :mod:`~collabcomm.audit.grim`, :mod:`~collabcomm.audit.grimmer` (SDs),
:mod:`~collabcomm.audit.sprite` (samples with ranges), :mod:`~collabcomm.audit.stars` (Exhibit
3's stars), :mod:`~collabcomm.audit.exhibit4` (Exhibit 4 from the moments, and its F-tests),
:mod:`~collabcomm.audit.exhibit5`, :mod:`~collabcomm.audit.text` (the text's claims),
:mod:`~collabcomm.audit.reconcile` and :mod:`~collabcomm.audit.excusable` (rounding's reach);
the innocent explanations of the findings in :mod:`~collabcomm.audit.explanations`,
:mod:`~collabcomm.audit.rescaling` and :mod:`~collabcomm.audit.typos`;
:mod:`~collabcomm.audit.rows` builds audit.csv's rows, and
:mod:`~collabcomm.audit.families` names the check families in words, and
:mod:`~collabcomm.audit.words` the quantities and statuses of its rows. This module gathers them:
:func:`run_all` (and :func:`run_checks` on given tables), :func:`reproduction_rows`,
:func:`summary` and :func:`cell_status`, and every check's name, so ``audit.check_grim`` works
as before.

A published number carries its own precision: ``0.3431`` has four decimals, ``-.29`` two. A
reproduced value *matches* when it rounds to the published digits, i.e. when it lies within
half a unit of the last printed digit (:func:`collabcomm.precision.matches_published`). The comparison is made on
decimal strings, so binary floating point cannot tip a value across a boundary; a value exactly
on the boundary matches (rounding conventions differ between programs).
"""

from __future__ import annotations

import pandas as pd

from .. import published
from ..memo import memoized
from ..moments import OlsMoments, batch_ols, ols_moment_jacobian
from ..precision import matches_published
from ..schema import AUDIT_STATUSES, FACETS
from .compare import compare_correlations, compare_descriptives
from .excusable import (
    beyond_rounding,
    excusable_deltas,
    first_order_reach,
    rounding_reach,
    smallest_eigenvalue,
)
from .exhibit4 import check_exhibit4_from_moments, check_exhibit4_internal, exhibit4_ranges
from .exhibit5 import check_exhibit5, implied_residual_correlations
from .explanations import (
    EXPLANATIONS,
    VERDICTS,
    explanations_table,
    explanations_wide,
    finding_words,
    findings,
    innocent_explanations,
    star_scan,
    star_scan_in_words,
    verdicts_in_words,
)
from .families import ALL, FAMILIES, TEXT_KINDS, family_label, summary_table
from .grim import (
    GRIM_TIES,
    INTEGER_VARIABLES,
    check_grim,
    grim,
    grim_possible_text,
    grim_readme_text,
    grim_tie_only,
    grim_totals,
    printed_fraction,
    sample_sizes,
)
from .grimmer import (
    GrimmerResult,
    check_grimmer,
    grimmer,
    grimmer_table,
    grimmer_test,
    jointly_possible,
)
from .reconcile import Reconciliation, _polish_projection, min_eigen_gradient, reconcile  # noqa: F401
from .rows import CELL_COLUMNS, _frame, _row
from .sprite import (
    SpriteResult,
    check_sprite,
    extreme_variances,
    possible_n_summary,
    possible_n_table,
    sprite,
    sprite_table,
)
from .stars import check_correlation_stars
from .text import check_text_claims
from .typos import confirm_edits, screen_edits, single_edits, typo_candidates
from .words import (
    STATUS_WORDS,
    identifier_words,
    in_words,
    quantity_in_words,
    stars_in_words,
    tally,
)

__all__ = [
    "matches_published",
    "FAMILIES",
    "TEXT_KINDS",
    "family_label",
    "summary_table",
    "STATUS_WORDS",
    "identifier_words",
    "quantity_in_words",
    "stars_in_words",
    "in_words",
    "tally",
    "compare_descriptives",
    "compare_correlations",
    "INTEGER_VARIABLES",
    "GRIM_TIES",
    "grim",
    "grim_tie_only",
    "grim_possible_text",
    "grim_readme_text",
    "grim_totals",
    "printed_fraction",
    "sample_sizes",
    "check_grim",
    "GrimmerResult",
    "grimmer",
    "grimmer_test",
    "grimmer_table",
    "jointly_possible",
    "check_grimmer",
    "SpriteResult",
    "sprite",
    "extreme_variances",
    "sprite_table",
    "possible_n_table",
    "possible_n_summary",
    "check_sprite",
    "check_correlation_stars",
    "batch_ols",
    "exhibit4_ranges",
    "check_exhibit4_from_moments",
    "check_exhibit4_internal",
    "implied_residual_correlations",
    "check_exhibit5",
    "check_text_claims",
    "Reconciliation",
    "OlsMoments",
    "ols_moment_jacobian",
    "min_eigen_gradient",
    "reconcile",
    "excusable_deltas",
    "first_order_reach",
    "rounding_reach",
    "beyond_rounding",
    "smallest_eigenvalue",
    "EXPLANATIONS",
    "VERDICTS",
    "findings",
    "star_scan",
    "explanations_table",
    "explanations_wide",
    "verdicts_in_words",
    "finding_words",
    "star_scan_in_words",
    "innocent_explanations",
    "single_edits",
    "screen_edits",
    "typo_candidates",
    "confirm_edits",
    "run_all",
    "run_checks",
    "published_tables",
    "reproduction_rows",
    "summary",
    "CELL_COLUMNS",
    "cell_status",
]


@memoized
def run_all(root=None, *, n: int | None = None, draws: int = 4000, seed: int = 0,
            sprite_steps: int = 20000) -> pd.DataFrame:
    """Every check on the published tables, as audit.csv's rows (schema.AUDIT_COLUMNS).

    ``draws`` and ``seed`` are those of :func:`check_exhibit4_from_moments`; ``seed`` and
    ``sprite_steps`` (the search's bound) those of :func:`check_sprite`.

    Comparisons of the reconstruction with the published tables (Exhibits 2 and 3, and 4 and 5
    through the notebooks' derived tables) are added by :func:`reproduction_rows`.
    """
    tables = published_tables(root)
    n = int(tables["regressions"].query("term == 'n_obs'")["value"].iloc[0]) if n is None else n
    return run_checks(tables, n, draws=draws, seed=seed, sprite_steps=sprite_steps)


def published_tables(root=None) -> dict[str, pd.DataFrame]:
    """The published tables every check reads, by the names :func:`run_checks` takes."""
    return {"descriptives": published.descriptives(root),
            "correlations": published.correlations(root),
            "regressions": published.regressions(root), "item_results": published.item_results(root),
            "claims": published.claims(root), "items": published.items(root)}


def run_checks(tables: dict[str, pd.DataFrame], n: int, *, draws: int = 4000, seed: int = 0,
               sprite_steps: int = 20000, ranges: pd.DataFrame | None = None,
               sprites: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every check of :func:`run_all` on given tables (``descriptives``, ``correlations``,
    ``regressions``, ``item_results``, ``claims``, ``items``, as :func:`published_tables`
    gives them), e.g. tables with one cell edited. ``ranges``: :func:`exhibit4_ranges` of
    these descriptives and correlations at ``n``, and ``sprites``: :func:`sprite_table` of
    these descriptives, when already computed."""
    desc, corr, regs = tables["descriptives"], tables["correlations"], tables["regressions"]
    items5 = tables["item_results"]
    frames = [
        check_grim(desc, n),
        check_grimmer(desc, n),
        check_sprite(desc, n, seed=seed, max_steps=sprite_steps, table=sprites),
        check_correlation_stars(corr, n),
        check_exhibit4_from_moments(desc, corr, regs, n, draws=draws, seed=seed, ranges=ranges),
        check_exhibit4_internal(regs, n),
        check_exhibit5(desc, corr, regs, items5, n),
        check_text_claims(tables["claims"], desc, corr, regs, items5, tables["items"], n),
    ]
    return pd.concat(frames, ignore_index=True)


def reproduction_rows(exhibit2: pd.DataFrame, exhibit3: pd.DataFrame,
                      exhibit5: pd.DataFrame) -> pd.DataFrame:
    """Rows for the numbers the synthetic reconstruction reproduces (or cannot).

    Exhibit 2 and 3 cells: ``match`` or ``differs`` (from notebook 03's tables). Exhibit 5
    items: the sign is checkable (``match``/``differs``); the size is ``not_checkable``
    because the teacher responses are synthetic.
    """
    rows = []
    for r in exhibit2.itertuples():
        rows.append(_row("reproduction", "2", f"{r.statistic} of {r.variable}",
                         f"{r.published:.{int(r.decimals)}f}", f"{r.reproduced:.6g}",
                         "match" if r.match else "differs", "synthetic reconstruction",
                         (r.variable, r.statistic)))
    for r in exhibit3.itertuples():
        rows.append(_row("reproduction", "3", f"r({r.row}, {r.col})",
                         f"{r.published:.{int(r.decimals)}f}{r.published_stars}",
                         f"{r.reproduced:.6g}{r.reproduced_stars}",
                         "match" if r.value_match and r.stars_match else "differs",
                         "synthetic reconstruction; stars recomputed at N = 26", (r.row, r.col)))
    for r in exhibit5.itertuples():
        rows.append(_row("reproduction", "5", f"sign of {r.item_id}", f"{r.published:g}",
                         f"{r.reproduced:.3g}", "match" if r.sign_match else "differs",
                         "the generator builds Exhibit 5's signs in; sizes are not checkable "
                         "on synthetic responses", (r.item_id.split("_")[0],
                                                    r.item_id.split("_", 1)[1])))
    return _frame(rows)


def summary(audit: pd.DataFrame) -> pd.DataFrame:
    """Counts of each status per check family (the notebook's one-screen summary)."""
    table = pd.crosstab(audit["check"], audit["status"]).reindex(
        columns=list(AUDIT_STATUSES), fill_value=0)
    table.loc[ALL] = table.sum()
    return table



def cell_status(audit: pd.DataFrame) -> pd.DataFrame:
    """One status per exhibit cell: ``inconsistent`` if any check of the cell found an
    inconsistency, else ``differs``, else ``match``, else ``not_checkable``. A scale-level
    row of Exhibit 5 (``cell_col`` = ``*``) applies to each of the scale's five items."""
    rank = {"inconsistent": 3, "differs": 2, "match": 1, "not_checkable": 0}
    a = audit[audit["cell_row"].astype(str) != ""].copy()
    star = (a["exhibit"] == "5") & (a["cell_col"] == "*")
    expanded = a[star].loc[a[star].index.repeat(len(FACETS))].copy()
    expanded["cell_col"] = list(FACETS) * int(star.sum())
    a = pd.concat([a[~star], expanded], ignore_index=True)
    a["rank"] = a["status"].map(rank)
    out = (a.groupby(["exhibit", "cell_row", "cell_col"], sort=False)["rank"].max()
           .map({v: k for k, v in rank.items()}).rename("status").reset_index())
    return out
