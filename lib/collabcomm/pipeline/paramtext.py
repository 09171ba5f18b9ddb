"""Command-line parameter values: text read by the parameter's declared type.

``-p name=value`` (``run``, ``html``, ``slides``) and each value of a sweep grid
(``sweep -p name=v1,v2``) arrive as text. They are not read as YAML, which would reinterpret
them silently: in YAML 1.1 `` #`` starts a comment (``profile_name=School #5`` would run as
``School``), ``12:30`` is a base-60 number (750) and ``yes`` is true. Instead the text is
kept as a :class:`Text` until the notebook's declaration is known, and then read by
:func:`from_text` according to the declared type:

========  ===========================================================================
type      accepted text
========  ===========================================================================
str       the text verbatim, spaces, ``#`` and all
path      the text verbatim
int       a plain decimal integer: optional sign and the digits 0-9 (``7``, ``-3``)
float     a plain decimal number: ``0.75``, ``-1``, ``.5``, ``1e-05``
bool      ``true`` or ``false``
list      ``[a,b,c]``: elements separated by commas, each read by the element type (a
          text element is taken verbatim, without its surrounding spaces)
========  ===========================================================================

A ``nullable`` parameter also takes ``null``. Anything else is refused with a message naming
the notebook and the parameter (:meth:`collabcomm.pipeline.params.ParamSpec.coerce`).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["Text", "from_text", "Unreadable"]

_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_RULES = {
    "int": "must be a whole number in decimal digits, such as 7",
    "float": "must be a decimal number, such as 0.75 or 1e-05",
    "bool": "must be true or false",
}


class Text(str):
    """A parameter value as typed on the command line, not yet read by its declared type."""

    __slots__ = ()


class Unreadable(ValueError):
    """The text does not spell a value of the declared type; the message says what would."""


def _scalar(text: str, kind: str) -> Any:
    if kind in ("str", "path"):
        return str(text)
    word = text.strip()
    if kind == "bool" and word in ("true", "false"):
        return word == "true"
    if kind == "int" and _INT.fullmatch(word):
        return int(word)
    if kind == "float" and _FLOAT.fullmatch(word):
        return float(word)
    raise Unreadable(_RULES.get(kind, f"is of unknown type {kind!r}"))


def from_text(text: str, kind: str, *, items: str | None = None, nullable: bool = False) -> Any:
    """Read the command-line ``text`` of a parameter declared of type ``kind``.

    Parameters
    ----------
    text : str
        What follows ``name=`` on the command line.
    kind : str
        The declared type: ``str``, ``path``, ``int``, ``float``, ``bool`` or ``list``.
    items : str, optional
        A list's element type (default ``float``).
    nullable : bool
        Whether ``null`` is accepted (as ``None``).

    Returns
    -------
    The value. Range and choices are checked afterwards, by the declaration.

    Raises
    ------
    Unreadable
        The text spells no value of that type; the message says what would.

    Examples
    --------
    >>> from_text("School #5 (east wing)", "str"), from_text("12:30", "str")
    ('School #5 (east wing)', '12:30')
    >>> from_text("750", "int"), from_text("1e-05", "float"), from_text("[1, 2]", "list", items="int")
    (750, 1e-05, [1, 2])
    >>> from_text("null", "path", nullable=True) is None, from_text("null", "str")
    (True, 'null')
    >>> from_text("12:30", "int")
    Traceback (most recent call last):
    ...
    collabcomm.pipeline.paramtext.Unreadable: must be a whole number in decimal digits, such as 7
    """
    if nullable and text.strip() == "null":
        return None
    if kind != "list":
        return _scalar(text, kind)
    word = text.strip()
    element = items or "float"
    if not (word.startswith("[") and word.endswith("]")):
        raise Unreadable(f"must be a list written [a,b,...] of {element} values")
    inner = word[1:-1]
    if not inner.strip():
        return []
    out = []
    for part in inner.split(","):
        try:
            out.append(_scalar(part.strip(), element))
        except Unreadable as exc:
            raise Unreadable(f"has the element {part.strip()!r}, which {exc}") from None
    return out
