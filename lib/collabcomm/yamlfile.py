"""Reading the companion's small YAML files: one loader, one set of messages.

``notebooks/params.yaml``, codebooks (:mod:`collabcomm.codebook`) and model specifications
(:mod:`collabcomm.modelspec`) are all read by :func:`read_yaml`, so each file problem is
reported the same way, naming the file and, for a syntax error, the line and column. PyYAML's
safe loader keeps the last of a key repeated in one mapping; this one refuses it, since a
repeated key is almost always a mistake whose first value would be silently lost.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .errors import CollabcommError

__all__ = ["read_yaml", "MAX_BYTES"]

MAX_BYTES = 2**20
"""Largest YAML file read (1 MiB); the companion's are a few kilobytes."""


def _loader():
    import yaml

    class Loader(yaml.SafeLoader):
        """yaml.SafeLoader that refuses a key repeated in one mapping."""

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
        ``not UTF-8 text``, or ``not valid YAML at line L, column C: <problem>`` (a key repeated
        in one mapping included).
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
        raise error(f"{path}: not valid YAML{where}: {problem}") from None
