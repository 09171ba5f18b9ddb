"""Shared names (data/README.md, *Shared interfaces*): columns, scales, facets, item ids, models.

Other parts of the companion and external checks rely on these exact strings; they are
defined here once.
"""

from __future__ import annotations

__all__ = [
    "SCALES",
    "FACETS",
    "ITEM_IDS",
    "item_id",
    "CONTROLS",
    "SCHOOL_VARIABLES",
    "SCHOOL_COLUMNS",
    "TEACHER_ID_COLUMNS",
    "AUDIT_COLUMNS",
    "AUDIT_STATUSES",
]

SCALES: tuple[str, ...] = ("traditional", "bureaucratic", "collaborative", "fragmented")
"""The instrument's four scales, in Exhibit 1's order."""

FACETS: tuple[str, ...] = ("policies", "disagreements", "recruitment", "administrators", "union")
"""The five facets each scale measures, in Exhibit 1's order."""


def item_id(scale: str, facet: str) -> str:
    """An item's id, ``<scale>_<facet>`` (e.g. ``collaborative_recruitment``)."""
    return f"{scale}_{facet}"


ITEM_IDS: tuple[str, ...] = tuple(item_id(s, f) for s in SCALES for f in FACETS)
"""The 20 item ids in Exhibit 1's order (scale-major)."""

CONTROLS: tuple[str, ...] = ("sed_pct", "api_2011", "school_size")
"""Model 1's regressors besides the constant (Exhibit 4)."""

SCHOOL_VARIABLES: tuple[str, ...] = (
    "api_2012", "api_2011", "sed_pct", "school_size", *SCALES,
)
"""The eight school-level variables of Exhibits 2 and 3."""

SCHOOL_COLUMNS: tuple[str, ...] = ("school_id", *SCHOOL_VARIABLES)
"""Columns of ``data/derived/schools_synthetic.csv``."""

TEACHER_ID_COLUMNS: tuple[str, ...] = ("teacher_id", "school_id")
"""Identifier columns of teacher-level survey data (followed by the 20 item columns)."""

AUDIT_COLUMNS: tuple[str, ...] = (
    "check", "exhibit", "quantity", "published", "reproduced", "status", "note",
)
AUDIT_STATUSES: tuple[str, ...] = ("match", "differs", "inconsistent", "not_checkable")
