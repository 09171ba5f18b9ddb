"""Tables for readers: what the science returns, typeset as a journal's supplement would print it.

:func:`table` turns a DataFrame (or Series) into a :class:`Table` that notebooks, the website
and the slides show: human column headers, no meaningless index, every number at the precision
it carries, an en dash for a missing value, a numbered caption above and a source note below.
Wide tables sit in a box that scrolls sideways; long text wraps.

Why pandas' Styler rather than great_tables: the Styler ships with pandas (its only extra,
jinja2, is already locked for Sphinx and nbconvert), so no dependency is added to the lock; its
HTML renders the same in JupyterLab, in myst-nb's pages and in nbconvert's slides; and the
formatting here is a few rules per column kind, which the Styler's ``format``, ``hide`` and
``set_caption`` cover. great_tables' strengths (spanners, stub groups, its own theming) are not
needed by these tables.

Precision, by column kind (:func:`column_kind`):

==========  ==================================================  ================================
kind        which columns                                       shown as
==========  ==================================================  ================================
count       integer columns, and float columns whose values     ``26``, ``614``
            are all whole numbers
flag        boolean columns                                     ``yes`` / ``no``
p           p-value columns by the precision policy's naming    ``.017``, ``< .001`` (APA)
            rule (:func:`collabcomm.precision.is_p_value_column`)
published   a column named ``published`` or ``printed`` (or     as printed: the number's shortest
            starting so)                                        decimal form, at most
                                                                :data:`~collabcomm.precision.ESTIMATE_DIGITS`
                                                                significant digits
estimate    every other float                                   3 decimals, 2 when the column
                                                                reaches 100 or more
mixed       the values of a Series of named quantities          each as a count or an estimate
magnitude   only when asked for (``kinds``): small quantities   their order, ``< 10⁻⁶``, or the
            whose order matters more than their digits          estimate from 0.001 up
                                                                (:func:`format_magnitude`)
text        everything else                                     as written; long text wraps
==========  ==================================================  ================================

This is presentation only. The files in ``data/derived/`` keep the precision policy of
:mod:`collabcomm.precision`, and nothing here computes a statistic.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..precision import format_number, is_p_value_column

__all__ = [
    "MISSING",
    "HEADERS",
    "header",
    "column_kind",
    "format_p",
    "format_estimate",
    "format_magnitude",
    "scientific_text",
    "format_cell",
    "format_frame",
    "Table",
    "table",
]

MISSING = "\u2013"
"""What a missing value reads as: an en dash."""

HEADERS = {
    "sd": "SD", "se": "SE", "coef": "Coefficient", "n": "N", "n_obs": "N", "p": "p",
    "r_squared": "R²", "adj_r_squared": "Adjusted R²", "icc1": "ICC(1)", "icc2": "ICC(2)",
    "rwg_j": "rwg(j)", "rwg_star_j": "r*wg(j)", "api_2012": "API 2012", "api_2011": "API 2011",
    "sed_pct": "% SED", "school_id": "School", "teacher_id": "Teacher", "id": "ID",
    "ci_low": "95% CI, low", "ci_high": "95% CI, high", "type_s": "Type S", "type_m": "Type M",
    "std": "SD", "se_hc3": "SE (HC3)", "p_hc3": "p (HC3)", "stars_hc3": "Stars (HC3)",
    "sd_estimate": "SD of the estimates", "q05": "5th percentile", "q95": "95th percentile",
    "reps": "Replications",
}
"""Headers that are not the column's name in words (:func:`header`)."""

_POWER = re.compile(r"^power_(0?\.\d+)$")


def header(name) -> str:
    """A column's header for readers: :data:`HEADERS`, else its name in words, capitalised.

    >>> [header(c) for c in ("r_squared", "published_stars", "power_0.05", ("rwg_j", "min"))]
    ['R²', 'Published stars', 'Power at α = .05', 'rwg(j), min']
    >>> [header(c) for c in ("λ1", "α = 0.55", "sd_estimate", "")]
    ['λ1', 'α = 0.55', 'SD of the estimates', '']
    """
    if isinstance(name, tuple):
        parts = [str(n) for n in name if str(n) != ""]
        return ", ".join([header(parts[0])] + [HEADERS.get(n, n.replace("_", " "))
                                               for n in parts[1:]])
    text = str(name)
    if text in HEADERS:
        return HEADERS[text]
    m = _POWER.match(text)
    if m:
        return f"Power at α = {format_p(float(m.group(1)), threshold=False)}"
    words = text.replace("_", " ").strip()
    # only a Latin letter is capitalised: a Greek one is a symbol (λ1 is not Λ1, α not Α)
    return words[:1].upper() + words[1:] if words[:1].isascii() else words


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def format_p(p: float, *, threshold: bool = True) -> str:
    """A p-value as APA prints it: no leading zero, three decimals, ``< .001`` below .001.

    ``threshold=False`` writes a level (``.05``) with only the digits it has.

    >>> [format_p(x) for x in (0.0172, 0.00049, 0.5, 1.0)], format_p(0.05, threshold=False)
    (['.017', '< .001', '.500', '1.000'], '.05')
    """
    p = float(p)
    if math.isnan(p):
        return MISSING
    if not threshold:
        text = format_number(p)
    elif p < 0.001:
        return "< .001"
    else:
        text = f"{p:.3f}"
    return text[1:] if text.startswith("0.") else text


def format_estimate(x: float, decimals: int = 3) -> str:
    """An estimate at ``decimals`` decimals, a minus sign for negatives, never ``-0.000``.

    >>> [format_estimate(v) for v in (0.401806, -0.0004, 371.816615)], format_estimate(2.5, 0)
    (['0.402', '0.000', '371.817'], '2')
    """
    x = float(x)
    if math.isnan(x):
        return MISSING
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = f"{x:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_magnitude(x: float) -> str:
    """The order of a small quantity (a round-off difference, a distance) without e-notation:
    ``0``, or ``< 10⁻ᵏ`` for the smallest power of ten above ``|x|``, or the estimate itself
    when ``|x|`` is at least 0.001.

    >>> [format_magnitude(v) for v in (0.0, 3.2e-13, 1e-12, 0.0123)]
    ['0', '< 10⁻¹²', '< 10⁻¹¹', '0.012']
    """
    x = abs(float(x))
    if math.isnan(x):
        return MISSING
    if x == 0:
        return "0"
    if x >= 0.001:
        return format_estimate(x)
    k = math.floor(math.log10(x)) + 1
    return f"< 10{str(k).translate(_SUPERSCRIPT)}"


_E_NOTATION = re.compile(r"(?<![\w.])(-?\d+(?:\.\d+)?)e([-+]?)0*(\d+)\b")


def scientific_text(text: str) -> str:
    """``text`` with every number in e-notation written as a printed page writes it.

    >>> scientific_text("p in [2.6e-09, 3e-09]; 1.5e+04")
    'p in [2.6 × 10⁻⁹, 3 × 10⁻⁹]; 1.5 × 10⁴'
    """
    def write(m: re.Match) -> str:
        exponent = ("-" if m.group(2) == "-" else "") + m.group(3)
        return f"{m.group(1)} × 10{exponent.translate(_SUPERSCRIPT)}"

    return _E_NOTATION.sub(write, text)


def format_cell(value, kind: str, decimals: int = 3) -> str:
    """One cell as text by its column's ``kind`` (see the module's table); missing is
    :data:`MISSING`. A text cell holding a number is shown as printed."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if not isinstance(value, numbers.Real):
        return scientific_text(str(value))
    if kind == "p":
        return format_p(value)
    if kind == "magnitude":
        return format_magnitude(value)
    if kind == "count" or isinstance(value, numbers.Integral):
        return f"{int(round(float(value))):d}".replace("-", "−")
    if kind == "estimate":
        return format_estimate(value, decimals)
    if kind == "published":
        return format_number(value).replace("-", "−")
    # a number in a column of mixed rows (a Series of named quantities) or among text
    if float(value) == round(float(value)) and abs(value) < 1e15:
        return f"{int(round(float(value))):d}".replace("-", "−")
    return format_estimate(value, 2 if abs(value) >= 100 else 3)


def column_kind(name, column: pd.Series) -> str:
    """The kind of a column (``count``, ``flag``, ``p``, ``published``, ``estimate``,
    ``text``) by its name and values; see the module's table."""
    label = "_".join(map(str, name)) if isinstance(name, tuple) else str(name)
    values = column.dropna()
    if pd.api.types.is_bool_dtype(column):
        return "flag"
    numeric = pd.api.types.is_numeric_dtype(column) or (
        len(values) > 0 and all(isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)
                                for v in values))
    if not numeric:
        return "text"
    if is_p_value_column(label):
        return "p"
    if label.startswith(("published", "printed")):
        return "published"
    floats = values.astype(float)
    if pd.api.types.is_integer_dtype(column) or (len(floats) and np.all(floats == np.round(floats))
                                                 and np.all(np.abs(floats) < 1e15)):
        return "count"
    return "estimate"


def _decimals(column: pd.Series) -> int:
    values = pd.to_numeric(column, errors="coerce").abs()
    return 2 if values.max() >= 100 else 3


def format_frame(data: pd.DataFrame, *, kinds: dict | None = None,
                 decimals: dict | None = None) -> pd.DataFrame:
    """Every cell of ``data`` as the text a reader sees (:func:`format_cell`), by the column's
    :func:`column_kind` unless ``kinds`` names it, at ``decimals`` where given."""
    kinds, decimals = kinds or {}, decimals or {}
    out = {}
    for k, name in enumerate(data.columns):
        col = data.iloc[:, k]
        kind = kinds.get(name) or column_kind(name, col)
        d = decimals.get(name, _decimals(col) if kind == "estimate" else 3)
        out[k] = [format_cell(v, kind, d) for v in col]
    frame = pd.DataFrame(out, index=data.index)
    frame.columns = data.columns
    return frame


def _flatten(data: pd.DataFrame | pd.Series, index: bool | None) -> pd.DataFrame:
    """A frame whose index carries no information is dropped: a RangeIndex, or an unnamed
    index of integers (the row numbers a filtered frame keeps); a labelled index becomes the
    first column(s). A Series keeps any index but a RangeIndex (it names the values)."""
    if isinstance(data, pd.Series):
        data = data.to_frame(name=data.name if data.name is not None else "value")
        if not isinstance(data.index, pd.RangeIndex) and index is None:
            index = True
    meaningful = any(data.index.names) or not (
        isinstance(data.index, pd.RangeIndex) or pd.api.types.is_integer_dtype(data.index))
    if index is None:
        index = meaningful
    data = data.reset_index() if index else data.reset_index(drop=True)
    if isinstance(data.columns, pd.MultiIndex):
        data.columns = [tuple(str(x) for x in c if str(x) != "") if isinstance(c, tuple) else c
                        for c in data.columns]
        data.columns = [c[0] if isinstance(c, tuple) and len(c) == 1 else c for c in data.columns]
    if "index" in data.columns and index and data.index.name is None:
        data = data.rename(columns={"index": ""})
    return data


def _beside_published(frame: pd.DataFrame) -> dict:
    """Decimals of the numeric columns set beside a ``published`` column (``reproduced``,
    ``reconciled``, ...): as many as the most precise published value carries, at least 3, so
    that a reproduced number reads at the digits it is compared at."""
    if "published" not in frame.columns or column_kind("published", frame["published"]) != "published":
        return {}
    printed = [format_number(v) for v in pd.to_numeric(frame["published"], errors="coerce").dropna()]
    places = max([len(t.partition(".")[2]) for t in printed if "e" not in t] + [3])
    return {c: places for c in ("reproduced", "reconciled", "implied")
            if c in frame.columns and column_kind(c, frame[c]) == "estimate"}


def _as_printed(frame: pd.DataFrame, kinds: dict | None) -> tuple[pd.DataFrame, dict]:
    """A ``published`` column beside a ``decimals`` column (how many decimals the paper printed,
    :func:`collabcomm.published.decimals_of`) is shown with those decimals, row by row, so that
    a value printed ``-0.200`` reads ``−0.200``, not ``−0.2``; it stays a right-aligned
    ``published`` column."""
    kinds = dict(kinds or {})
    if not {"published", "decimals"} <= set(frame.columns) or \
            column_kind("published", frame["published"]) != "published":
        return frame, kinds
    frame = frame.copy()
    frame["published"] = [
        v if _is_missing(v) or _is_missing(d) else f"{float(v):.{int(d)}f}".replace("-", "−")
        for v, d in zip(frame["published"], frame["decimals"], strict=True)]
    kinds.setdefault("published", "published")
    return frame, kinds


@dataclass
class Table:
    """A table as a reader sees it: its caption, its cells as text, its note.

    Shows itself as HTML in JupyterLab, on the website and in the slides (``_repr_html_``),
    and as plain text elsewhere (``repr``).
    """

    caption: str
    cells: pd.DataFrame            # every cell as text, headers as shown
    note: str = ""
    wrap: tuple[str, ...] = ()     # headers of text columns that wrap
    numeric: tuple[str, ...] = ()  # headers of right-aligned columns
    uid: str = "t"

    def styler(self):
        """The pandas Styler of the cells: no index, alignment and wrapping (the caption and
        the note are :meth:`to_html`'s, outside the box that scrolls)."""
        styler = self.cells.style.hide(axis="index")
        styler.set_uuid(self.uid)
        styles = {c: [{"selector": "td", "props": "white-space: normal; min-width: 8em; "
                                                  "max-width: 28em; text-align: left;"}]
                  for c in self.wrap}
        styles.update({c: [{"selector": "td", "props": "text-align: right; "
                                                       "white-space: nowrap;"}]
                       for c in self.numeric})
        if styles:
            styler.set_table_styles(styles, overwrite=False)
        styler.set_table_attributes('class="cc-table"')
        return styler

    def to_html(self) -> str:
        """The table's HTML: the caption, a box holding the Styler's table that scrolls sideways
        when the table is wider than the page, then the note."""
        note = (f'<p class="cc-table-note"><em>Note.</em> {html.escape(self.note)}</p>'
                if self.note else "")
        label = f"{self.uid}-caption"
        return (f'<div class="cc-table-box" role="group" aria-labelledby="{label}">'
                f'<p class="cc-table-caption" id="{label}"><strong>'
                f"{html.escape(self.caption)}</strong></p>"
                '<div class="cc-table-scroll" tabindex="0" style="overflow-x: auto; '
                'max-width: 100%;">' + self.styler().to_html() + "</div>" + note + "</div>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        body = self.cells.to_string(index=False)
        return "\n".join([self.caption, body] + ([f"Note. {self.note}"] if self.note else []))


def table(data: pd.DataFrame | pd.Series, caption: str, *, note: str = "",
          headers: dict | None = None, kinds: dict | None = None, decimals: dict | None = None,
          index: bool | None = None, uid: str = "t") -> Table:
    """``data`` typeset for readers.

    Parameters
    ----------
    data : DataFrame or Series
        What the science returned. Not modified.
    caption : str
        The caption, numbered by the caller ("Table 4.2: ...";
        :meth:`collabcomm.present.Page.table` numbers it).
    note : str
        A source note printed below the table.
    headers : dict, optional
        Column name -> header, overriding :func:`header`.
    kinds, decimals : dict, optional
        Column name -> kind (see the module's table) or decimals, overriding the defaults.
    index : bool, optional
        Whether the index is shown as the first column(s). Default: when it is labelled (not
        a plain RangeIndex).
    uid : str
        Id of the table in its page (the Styler's uuid).

    Returns
    -------
    Table
    """
    if isinstance(data, pd.Series) and not isinstance(data.index, pd.RangeIndex):
        # a Series of named quantities: each row is formatted by its own value (unless they
        # are all text, which is text), and named in words as a header would be
        numbers_in = any(isinstance(v, numbers.Real) for v in data.dropna())
        if numbers_in:
            kinds = {data.name if data.name is not None else "value": "mixed", **(kinds or {})}
        data = data.rename(index=lambda k: header(k) if isinstance(k, str) else k)
    frame = _flatten(data, index)
    decimals = {**_beside_published(frame), **(decimals or {})}
    frame, kinds = _as_printed(frame, kinds)
    cells = format_frame(frame, kinds=kinds, decimals=decimals)
    headers = headers or {}
    shown = [headers.get(c, header(c)) for c in frame.columns]
    unique = []
    for h in shown:  # a Styler needs unique headers
        unique.append(h if h not in unique else f"{h} ({shown[:len(unique)].count(h) + 1})")
    cells.columns = unique
    kinds_used = [(kinds or {}).get(c) or column_kind(c, frame[c] if not isinstance(
        frame[c], pd.DataFrame) else frame[c].iloc[:, 0]) for c in frame.columns]
    wrap = tuple(h for h, k, c in zip(unique, kinds_used, frame.columns, strict=True)
                 if k == "text" and cells[h].str.len().max() > 40)
    numeric = tuple(h for h, k in zip(unique, kinds_used, strict=True)
                    if k in ("count", "p", "published", "estimate", "mixed", "magnitude"))
    return Table(caption, cells, note, wrap, numeric, uid)
