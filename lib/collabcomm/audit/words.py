"""The audit's rows in words, for the tables a reader sees.

audit.csv names what each check is about with the shared identifiers (collabcomm.schema): a
quantity reads ``mean of api_2012 at N = 26`` or ``star of r(sed_pct, api_2011)``, an item of
Exhibit 5 is ``collaborative_policies``, a status is ``not_checkable``. Scripts filter on those
names, so the file keeps them. The tables of notebook 06 show the same rows through
:func:`in_words`: each identifier that is not a word is replaced by the paper's own label
(Exhibit 2's variable labels: ``API 2012``, ``% SED``, ``School Size``; ``R²``; an item as
``the collaborative item on policies``), a significance mark that audit.csv quotes as a
Python string (``'**'``, ``''``) is written as the mark itself or ``no star``
(:func:`stars_in_words`), and each status is written as a reader says it
(:data:`STATUS_WORDS`); :func:`tally` counts statuses in a sentence.

Only whole identifiers are replaced (an identifier inside a longer name is left alone), and a
status without words is refused (:class:`ValueError` naming it), never shown as its code.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

import pandas as pd

__all__ = ["STATUS_WORDS", "identifier_words", "quantity_in_words", "stars_in_words", "in_words",
           "tally"]

#: Audit status (audit.csv's ``status``) -> how a reader says it. The figure's legend uses the
#: same words (:data:`collabcomm.figures.STATUS_LABELS`).
STATUS_WORDS: dict[str, str] = {"match": "match", "differs": "differs",
                                "inconsistent": "inconsistent",
                                "not_checkable": "not checkable"}


def _words(status: str) -> str:
    if status not in STATUS_WORDS:
        raise ValueError(f"audit status {status!r} has no words: add it to "
                         "collabcomm.audit.words.STATUS_WORDS")
    return STATUS_WORDS[status]


def tally(statuses: Iterable[str]) -> str:
    """How many checks have each status, in words: the statuses that occur, in the order of
    :data:`STATUS_WORDS`. A status may be given as audit.csv's code or as its words (the
    ``status`` of :func:`in_words`' rows).

    >>> tally(["match", "not_checkable", "match", "not checkable", "inconsistent"])
    '2 match, 1 inconsistent, 2 not checkable'

    Raises
    ------
    ValueError
        If a status is neither a code nor the words of one (it names the status), or if there
        is none.
    """
    codes = {**{w: c for c, w in STATUS_WORDS.items()}, **{c: c for c in STATUS_WORDS}}
    counts: Counter = Counter()
    for status in statuses:
        counts[codes.get(status) or _words(status)] += 1
    if not counts:
        raise ValueError("no audit statuses to count")
    return ", ".join(f"{counts[s]} {STATUS_WORDS[s]}" for s in STATUS_WORDS if counts[s])


@cache
def identifier_words() -> dict[str, str]:
    """Every identifier of a quantity that is not a word -> the words shown instead.

    The variables and terms of Exhibits 2 and 4 whose names are not words (``api_2012``,
    ``api_2011``, ``sed_pct``, ``school_size``, ``r_squared``, ``n_obs``) by the exhibits'
    labels (:func:`collabcomm.published.term_labels`); each item of
    Exhibit 1 as ``the <scale> item on <facet>`` (:func:`collabcomm.published.items`); the
    significance a claim states in data/published/claims.csv (``strongly_significant``,
    read by :mod:`collabcomm.audit.text`) in words.

    >>> words = identifier_words()
    >>> words["sed_pct"], words["r_squared"], words["fragmented_union"]
    ('% SED', 'R²', 'the fragmented item on union')
    """
    from ..published import items, term_labels

    words = {v: label for v, label in term_labels().items() if "_" in v}
    for level in ("not", "weakly", "strongly"):
        words[f"{level}_significant"] = f"{level} significant"
    for item_id, scale, facet in items()[["item_id", "scale", "facet"]].itertuples(index=False):
        words[item_id] = f"the {scale} item on {facet}"
    return words


@cache
def _identifier_pattern() -> re.Pattern:
    names = sorted(identifier_words(), key=len, reverse=True)
    return re.compile(r"(?<![\w])(" + "|".join(map(re.escape, names)) + r")(?![\w])")


def quantity_in_words(text: str) -> str:
    """``text`` with every identifier of :func:`identifier_words` replaced by its words.

    >>> quantity_in_words("star of r(sed_pct, api_2011)")
    'star of r(% SED, API 2011)'
    >>> quantity_in_words("Model 1: r_squared"), quantity_in_words("my_sed_pct")
    ('Model 1: R²', 'my_sed_pct')
    """
    words = identifier_words()
    return _identifier_pattern().sub(lambda m: words[m.group(1)], text)


_QUOTED_STARS = re.compile(r"'(\*{1,3}|\+|)'")


def stars_in_words(text: str) -> str:
    """``text`` with each quoted significance mark (``'***'``, ``'**'``, ``'*'``, ``'+'``)
    written as the mark, and the quoted empty mark ``''`` as ``no star``. Other quotes stay.

    >>> stars_in_words("|r| > 0.3882: '*'"), stars_in_words("|r| < 0.3882: ''")
    ('|r| > 0.3882: *', '|r| < 0.3882: no star')
    >>> stars_in_words("Model 3's '**' vs 'the number of teachers'")
    "Model 3's ** vs 'the number of teachers'"
    """
    return _QUOTED_STARS.sub(lambda m: m.group(1) or "no star", text)


def in_words(rows: pd.DataFrame, *, also: tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy of audit rows (:data:`collabcomm.schema.AUDIT_COLUMNS`, or some of them) for a
    reader's table: ``quantity`` and the text of ``published`` by :func:`quantity_in_words`
    (a claim's published value can be a coded statement), the significance marks of
    ``quantity``, ``reproduced`` and ``note`` by :func:`stars_in_words`, ``status`` by
    :data:`STATUS_WORDS`. The other columns (``check`` among them, which filters) and the
    index are kept as they are, but for the text columns named in ``also`` (a table's ``row``
    and ``col``, say), whose identifiers are replaced as the quantity's are.

    Raises
    ------
    ValueError
        If a status has no words in :data:`STATUS_WORDS` (it names the status), or a column
        of ``also`` is not in ``rows`` (it names the column).
    """
    missing = [c for c in also if c not in rows.columns]
    if missing:
        raise ValueError(f"in_words: no column {missing[0]!r} to name in words")
    out = rows.copy()

    def text(column: str, words) -> None:
        out[column] = [words(v) if isinstance(v, str) else v for v in out[column]]

    for column in ("quantity", "published", *also):
        if column in out.columns:
            text(column, quantity_in_words)
    for column in ("quantity", "reproduced", "note"):
        if column in out.columns:
            text(column, stars_in_words)
    if "status" in out.columns:
        out["status"] = [_words(s) for s in out["status"]]
    return out
