"""Reading the companion's small YAML files: one loader, one set of messages.

``notebooks/params.yaml``, codebooks (:mod:`collabcomm.codebook`) and model specifications
(:mod:`collabcomm.modelspec`) are all read by :func:`read_yaml`, so each file problem is
reported the same way, naming the file and, for a syntax error, the line and column. PyYAML's
safe loader keeps the last of a key repeated in one mapping; this one refuses it, since a
repeated key is almost always a mistake whose first value would be silently lost.

The reader is bounded: a file larger than :data:`MAX_BYTES`, an alias (``*name``, which a few
hundred bytes of nested anchors can expand into gigabytes) and nesting deeper than
:data:`MAX_DEPTH` are refused while the file is read, so any such file is refused in well
under a second. None of the companion's files gains anything from an alias. Messages show a
value through :func:`preview`, never whole.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .errors import CollabcommError

__all__ = ["read_yaml", "preview", "MAX_BYTES", "MAX_DEPTH", "PREVIEW_CHARS"]

MAX_BYTES = 2**20
"""Largest YAML file read (1 MiB); the companion's are a few kilobytes."""

MAX_DEPTH = 20
"""Deepest nesting of mappings and lists read; the companion's files use three levels."""

PREVIEW_CHARS = 60
"""Most characters of a value that a message shows (:func:`preview`)."""


def preview(value: Any, limit: int | None = None) -> str:
    """A short representation of ``value`` for a message: :mod:`reprlib`'s (which looks at
    only the first elements and levels of a container, so a huge or deeply nested value costs
    no more than a short one), cut to at most ``limit`` characters (default
    :data:`PREVIEW_CHARS`). A value read from a file or the command line can be of any size.

    Examples
    --------
    >>> preview("abc"), preview(0.5)
    ("'abc'", '0.5')
    >>> preview("x" * 1000, 20)
    "'xxxxxxx...xxxxxxxx'"
    >>> preview(list(range(10**6)))
    '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...]'
    >>> preview([[[["deep"]]]])
    '[[[[...]]]]'
    """
    import reprlib

    limit = PREVIEW_CHARS if limit is None else limit
    shorten = reprlib.Repr()
    shorten.maxlevel, shorten.maxstring, shorten.maxother = 3, limit, limit
    shorten.maxlist = shorten.maxtuple = shorten.maxdict = shorten.maxset = 10
    text = shorten.repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _loader():
    import yaml

    class Refused(yaml.composer.ComposerError):
        """Valid YAML that the companion's files may not hold (an alias, deep nesting)."""

    class Loader(yaml.SafeLoader):
        """yaml.SafeLoader that refuses a key repeated in one mapping, any alias, and nesting
        deeper than :data:`MAX_DEPTH`."""

        depth = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise Refused(
                    None, None, f"alias *{event.anchor[:40]} is not allowed (aliases "
                    "can expand without bound; write the value out)", event.start_mark)
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise Refused(
                        None, None, f"nested more than {MAX_DEPTH} levels deep",
                        self.peek_event().start_mark)
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} appears twice in one mapping",
                        key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return Loader


def read_yaml(path: str | os.PathLike, error: type[CollabcommError], what: str) -> Any:
    """Parse the YAML file ``path`` (UTF-8, with or without a byte-order mark).

    Parameters
    ----------
    path : path-like
        The file.
    error : type
        The :class:`~collabcomm.errors.CollabcommError` subclass to raise.
    what : str
        What the file is, for the message when it is missing (``"codebook file"``).

    Returns
    -------
    The parsed document (``None`` for an empty file).

    Raises
    ------
    error
        One message naming the file: ``<what> not found``, larger than :data:`MAX_BYTES`,
        ``not UTF-8 text``, ``not valid YAML at line L, column C: <problem>`` (a key repeated
        in one mapping included), or ``refused at line L, column C: <problem>`` (an alias, or
        nesting deeper than :data:`MAX_DEPTH`).
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: {what} not found")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise error(f"{path}: {size:,} bytes, more than a {what} may have ({MAX_BYTES:,})")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text") from None
    try:
        return yaml.load(text, Loader=_loader())  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
        if type(exc).__name__ == "Refused":
            raise error(f"{path}: refused{where}: {problem}") from None
        raise error(f"{path}: not valid YAML{where}: {problem}") from None
