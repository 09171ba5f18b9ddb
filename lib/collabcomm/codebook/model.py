"""The codebook as data: items, scales and their rules (:class:`Codebook`).

Built and checked by :mod:`collabcomm.codebook.read`; written by
:mod:`collabcomm.codebook.write`. Package docstring: the codebook's keys.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..errors import CodebookError

__all__ = ["Item", "Codebook", "EXHIBIT1_SOURCE", "is_exhibit1", "scale_table"]

EXHIBIT1_SOURCE = "Exhibit 1 (data/published/exhibit1_items.csv)"
"""The ``source`` of :func:`exhibit1`'s codebook."""

@dataclass(frozen=True)
class Item:
    """One item: its column id, scale, facet, keying, response range and wording."""

    id: str
    scale: str
    facet: str = ""
    reverse: bool = False
    low: int = 1
    high: int = 5
    text: str = ""


@dataclass(frozen=True)
class Codebook:
    """A validated instrument (build one with :func:`load_codebook`, :func:`from_mapping` or
    :func:`exhibit1`; the constructor does not check)."""

    respondent: str
    unit: str
    scale_min: int
    scale_max: int
    items: tuple[Item, ...]
    missing_codes: tuple[int, ...] = ()
    min_items: int | float = 1.0
    min_respondents: int = 5
    reliability_missing: str = "pairwise"
    name: str = ""
    description: str = ""
    synthetic: bool = False
    labels: tuple[tuple[str, str], ...] = ()
    published_alphas: tuple[tuple[str, float], ...] = ()
    source: str = "codebook"

    @property
    def item_ids(self) -> list[str]:
        """Item ids in the codebook's order."""
        return [i.id for i in self.items]

    @property
    def columns(self) -> list[str]:
        """The columns a survey file must have: respondent, unit, then the items."""
        return [self.respondent, self.unit, *self.item_ids]

    @property
    def scales(self) -> list[str]:
        """Scale names in the order of their first item."""
        return list(dict.fromkeys(i.scale for i in self.items))

    def scale_items(self, scale: str) -> list[str]:
        """The item ids of ``scale``, in the codebook's order."""
        found = [i.id for i in self.items if i.scale == scale]
        if not found:
            raise CodebookError(f"{self.source}: unknown scale {scale!r}; scales are "
                                f"{self.scales}")
        return found

    def item(self, item_id: str) -> Item:
        """The item with id ``item_id``."""
        for i in self.items:
            if i.id == item_id:
                return i
        raise CodebookError(f"{self.source}: unknown item {item_id!r}")

    def scale_range(self, scale: str) -> tuple[int, int]:
        """Lowest and highest answer of ``scale``'s items."""
        first = self.item(self.scale_items(scale)[0])
        return first.low, first.high

    def n_options(self, scale: str) -> int:
        """Number of response options of ``scale`` (the uniform null of rwg)."""
        low, high = self.scale_range(scale)
        return high - low + 1

    def needed(self, scale: str) -> int:
        r"""Answered items a score on ``scale`` needs: ``min_items`` when it is a count; for a
        fraction :math:`f` of the scale's :math:`k` items, :math:`\lceil f k \rceil` (with a
        tolerance of 1e-9, so that 0.7 of 10 items is 7, not 8)."""
        if isinstance(self.min_items, int):
            return self.min_items
        k = len(self.scale_items(scale))
        return max(1, math.ceil(self.min_items * k - 1e-9))

    def label(self, scale: str) -> str:
        """The scale's label (its name when the codebook gives none)."""
        return dict(self.labels).get(scale, scale)

    def published_alpha(self, scale: str) -> float:
        """The alpha a publication reports for ``scale`` (NaN when none is given)."""
        return float(dict(self.published_alphas).get(scale, float("nan")))

    def keyed(self, responses: pd.DataFrame) -> pd.DataFrame:
        r"""``responses`` with each reverse-keyed item recoded, :math:`x \mapsto
        x_{\min} + x_{\max} - x` on the item's own range; other columns are unchanged.

        >>> from collabcomm.codebook import from_mapping
        >>> cb = from_mapping({"respondent": "r", "unit": "u", "response_scale":
        ...     {"min": 1, "max": 7}, "items": [{"id": "a", "scale": "s"},
        ...     {"id": "b", "scale": "s", "reverse": True}]})
        >>> cb.keyed(pd.DataFrame({"a": [2.0], "b": [2.0]}))["b"].tolist()
        [6.0]
        """
        out = responses.copy()
        for i in self.items:
            if i.reverse and i.id in out.columns:
                out[i.id] = i.low + i.high - out[i.id].astype(float)
        return out


def is_exhibit1(cb: Codebook) -> bool:
    """Whether ``cb`` is :func:`exhibit1`'s codebook itself (messages then speak of teachers
    and Exhibit 1), not a file, even one with the same content."""
    return cb.source == EXHIBIT1_SOURCE


def scale_table(cb: Codebook) -> pd.DataFrame:
    """The instrument at a glance, one row per scale: ``scale``, ``label``, ``items``
    (number), ``response_scale`` (``min-max``), ``options``, ``needed`` (answered items a
    score needs), ``reversed`` (reverse-keyed item ids, comma-separated) and
    ``published_alpha``.

    >>> from collabcomm.codebook import exhibit1
    >>> row = scale_table(exhibit1()).loc[2]
    >>> row["scale"], int(row["items"]), row["response_scale"], int(row["needed"])
    ('collaborative', 5, '1-5', 4)
    """
    rows = []
    for s in cb.scales:
        low, high = cb.scale_range(s)
        ids = cb.scale_items(s)
        rows.append((s, cb.label(s), len(ids), f"{low}-{high}", high - low + 1, cb.needed(s),
                     ",".join(i for i in ids if cb.item(i).reverse), cb.published_alpha(s)))
    return pd.DataFrame(rows, columns=["scale", "label", "items", "response_scale", "options",
                                       "needed", "reversed", "published_alpha"])
