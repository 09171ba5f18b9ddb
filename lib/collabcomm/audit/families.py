"""The audit's check families in words, for readers.

audit.csv names each check's family in its ``check`` column with a code name
(``exhibit4_from_moments``, ``text_count``), which scripts filter on; a table a reader sees
names the family in words (:func:`family_label`), and :data:`FAMILIES` and
:data:`TEXT_KINDS` lead from the words back to the code names. :func:`summary_table` is
notebook 06's first table: the counts of :func:`collabcomm.audit.summary`, one row per family
in the order of the argument (:data:`ORDER`: the reconstruction, Exhibits 2 to 5, the text).

A family without words here is refused (:class:`ValueError`), never shown under its code name
or under another family's words: a new check must be named here before a reader sees it.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FAMILIES", "TEXT_KINDS", "ORDER", "ALL", "family_label", "summary_table"]

#: Check family (audit.csv's ``check``) -> what it checks, in the order tables show them.
FAMILIES: dict[str, str] = {
    "reproduction": "The reconstruction: Exhibits 2, 3, 5",
    "grim": "GRIM: Exhibit 2's means and ranges",
    "grimmer": "GRIMMER: Exhibit 2's SDs",
    "sprite": "SPRITE: samples behind Exhibit 2",
    "correlation_stars": "Exhibit 3's stars against critical r",
    "exhibit4_from_moments": "Exhibit 4 from Exhibits 2 and 3",
    "exhibit4_stars_from_moments": "Exhibit 4's stars from Exhibits 2 and 3",
    "exhibit4_internal": "Exhibit 4's stars against R-squared gains",
    "exhibit5_signs": "Exhibit 5: one sign per scale",
    "exhibit5_vs_exhibit3": "Exhibit 5 against Exhibit 3",
    "exhibit5_vs_exhibit4": "Exhibit 5 against Exhibit 4's stars",
}

#: Kind of a claim of the text (data/published/claims.csv's ``kind``; its family is
#: ``text_<kind>``) -> what the claims state, in the order tables show them.
TEXT_KINDS: dict[str, str] = {
    "count": "counts",
    "percent": "percentages",
    "mean": "means",
    "sd": "standard deviations",
    "min": "minimums",
    "max": "maximums",
    "bound": "bounds",
    "correlation": "correlations",
    "coefficient": "coefficients",
    "r_squared": "R-squared values",
    "comparison": "comparisons",
    "ordering": "orderings",
    "item_signs": "signs of the items",
    "robustness": "robustness claims",
    "method": "methods",
    "exhibit_reference": "references to the exhibits",
}

ORDER: tuple[str, ...] = (*FAMILIES, *(f"text_{kind}" for kind in TEXT_KINDS))
"""Every family with words, in the order tables show them."""

ALL = "all checks"
"""The total row of :func:`collabcomm.audit.summary`."""


def family_label(check: str) -> str:
    """What the check family ``check`` checks, in words.

    ``text_<kind>`` families read "The text's <kind in words>".

    Raises
    ------
    ValueError
        If the family has no words in :data:`FAMILIES` or :data:`TEXT_KINDS`.
    """
    if check in FAMILIES:
        return FAMILIES[check]
    kind = check.removeprefix("text_")
    if check.startswith("text_") and kind in TEXT_KINDS:
        return f"The text's {TEXT_KINDS[kind]}"
    raise ValueError(f"audit check family {check!r} has no words for readers: add it to "
                     "FAMILIES or TEXT_KINDS in collabcomm/audit/families.py")


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`collabcomm.audit.summary`'s counts for readers.

    One row per family, named by :func:`family_label` (index ``family``) and in the order of
    :data:`ORDER`, and the total row (:data:`ALL`) last, as "All checks". The
    counts are not changed.

    Raises
    ------
    ValueError
        If a family has no words (:func:`family_label`).
    """
    families = [c for c in summary.index if c != ALL]
    labels = {c: family_label(c) for c in families}  # refuses an unnamed family first
    ordered = sorted(families, key=ORDER.index) + ([ALL] if ALL in summary.index else [])
    out = summary.loc[ordered].copy()
    out.index = pd.Index([labels.get(c, "All checks") for c in ordered], name="family")
    return out
