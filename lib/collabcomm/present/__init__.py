"""Presentation for readers: numbered, captioned tables and figures at the precision they carry.

A layer of its own above the science and the figures (README.md, *Architecture*): it formats
what they return and never computes a statistic. :mod:`~collabcomm.present.tables` typesets a
table; :mod:`~collabcomm.present.page` numbers a notebook's tables and figures.
"""

from __future__ import annotations

from .page import Caption, Page
from .tables import MISSING, Table, format_magnitude, format_p, header, table

magnitude = format_magnitude

__all__ = ["Page", "Caption", "Table", "table", "header", "format_p", "magnitude", "MISSING"]
