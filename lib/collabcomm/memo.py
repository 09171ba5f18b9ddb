"""A disk cache for the pipeline's pure, slow functions of the published tables.

The notebooks recompute the same things on every forced run: notebook 06 the audit's checks,
the reconciliation of Exhibits 3 and 4, the innocent explanations with their typo screen and
SPRITE search; notebooks 02 and 03 the reconstructed schools and teachers; notebook 07 its
simulated studies and classroom power grid. Each is a pure function of its arguments, the
files of ``data/published`` and the package's code, with every random draw seeded by an
argument (a seed, never a generator whose state the caller keeps). Decorated
with :func:`memoized`, such a function keeps its result in a folder and returns it from there
when called again with the same inputs.

The cache is off unless the environment names its folder (``COLLABCOMM_CACHE``,
:data:`CACHE_ENV`). The pipeline sets it to ``build/cache`` for the kernels it starts (unless
it is already set; ``off`` or an empty value turns it off); the library called from a test, a
script or JupyterLab computes as always. ``make clean`` empties it.

The key of a result (:func:`key`) is a SHA-256 of

- the function's module and name, and its arguments by value (containers, NumPy arrays,
  pandas objects and dataclasses walked value by value, to the bit; anything else pickled);
- every source file of the ``collabcomm`` package, and every file of ``data/published``
  under the project root (:func:`fingerprint`), so that any change to the code or the
  published tables invalidates every entry;
- the Python version, the versions of numpy, scipy, pandas and statsmodels, and the machine
  type. Not the BLAS kernel: a result computed with another one differs at most in round-off
  digits, which nothing the companion writes carries (the precision policy; ``make
  test-matrix`` checks it under other kernels), and the package never reads or sets it.

A result is written atomically (a temporary file then a rename), so two kernels computing the
same entry at once leave one whole file; an entry that cannot be read is computed again and
rewritten. Arguments that cannot be pickled bypass the cache. Results are pickles: the folder
is the project's own build folder, not a place to put files from elsewhere.

Validated by the pipeline writing the same bytes with the cache cold, warm and off
(``tests/test_memo.py``, and the forced runs of the determinism tests).
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import platform
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from .paths import package_dir, project

__all__ = ["CACHE_ENV", "OFF", "cache_folder", "fingerprint", "key", "memoized"]

CACHE_ENV = "COLLABCOMM_CACHE"
"""Environment variable naming the cache folder; unset, empty or :data:`OFF`: no cache."""

OFF = "off"

#: Libraries whose version is part of every key (those the cached functions compute with).
LIBRARIES = ("numpy", "scipy", "pandas", "statsmodels")

F = TypeVar("F", bound=Callable[..., Any])


def cache_folder() -> Path | None:
    """The folder named by :data:`CACHE_ENV`, or ``None`` when the cache is off."""
    value = os.environ.get(CACHE_ENV, "").strip()
    return None if value in ("", OFF) else Path(value)


def _files_digest(files: list[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@functools.cache
def _code_and_versions() -> str:
    package = package_dir()
    code = _files_digest(sorted(package.rglob("*.py")), package)
    versions = [sys.version, platform.machine()]
    versions += [f"{name}=={metadata.version(name)}" for name in LIBRARIES]
    return code + "\n" + "\n".join(versions)


def fingerprint(root: Path | None = None) -> str:
    """What every key shares: the package's source files, the files of ``data/published``
    below ``root`` (default: :func:`~collabcomm.paths.project`'s), and the versions above."""
    published = project(root).published
    files = sorted(p for p in published.rglob("*") if p.is_file()) if published.is_dir() else []
    return _code_and_versions() + "\n" + _files_digest(files, published)


def _feed(digest: Any, obj: Any) -> None:
    """Feed ``obj`` to ``digest`` by value: the same value gives the same bytes in any process.

    Pickle does not: it shares repeated objects by identity, so two equal DataFrames can pickle
    differently after unrelated work has interned their labels. Containers, NumPy arrays,
    pandas objects and dataclasses are walked here; anything else falls back to its pickle
    (at worst a cache miss, never a wrong hit: equal pickles are equal values)."""
    import dataclasses

    import numpy as np
    import pandas as pd

    def tag(name: str, *parts: Any) -> None:
        digest.update(f"<{name}:{':'.join(map(str, parts))}>".encode())

    if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes)):
        tag(type(obj).__name__, repr(obj))
    elif isinstance(obj, (list, tuple)):
        tag(type(obj).__name__, len(obj))
        for item in obj:
            _feed(digest, item)
    elif isinstance(obj, dict):
        tag("dict", len(obj))
        for k, v in sorted(obj.items(), key=lambda kv: repr(kv[0])):
            _feed(digest, k)
            _feed(digest, v)
    elif isinstance(obj, (np.ndarray, np.generic)):
        array = np.asarray(obj)
        tag("ndarray", array.dtype.str, array.shape)
        if array.dtype.kind == "O":
            _feed(digest, array.ravel().tolist())
        else:
            digest.update(np.ascontiguousarray(array).tobytes())
    elif isinstance(obj, pd.CategoricalDtype):  # its categories and their order are values
        tag("category", obj.ordered)
        _feed(digest, None if obj.categories is None else obj.categories.tolist())
    elif isinstance(obj, pd.Index):
        tag(type(obj).__name__, obj.dtype, len(obj))
        if isinstance(obj.dtype, pd.CategoricalDtype):
            _feed(digest, obj.dtype)
        _feed(digest, list(obj.names))
        _feed(digest, obj.tolist())
    elif isinstance(obj, pd.Series):
        tag("Series", obj.dtype)
        if isinstance(obj.dtype, pd.CategoricalDtype):
            _feed(digest, obj.dtype)
        _feed(digest, obj.name)
        _feed(digest, obj.index)
        _feed(digest, obj.to_numpy(dtype=object) if obj.dtype.kind not in "biufcmM" else obj.to_numpy())
        _feed(digest, dict(obj.attrs))
    elif isinstance(obj, pd.DataFrame):
        tag("DataFrame", obj.shape)
        _feed(digest, obj.columns)
        _feed(digest, obj.index)
        for column in range(obj.shape[1]):
            _feed(digest, obj.iloc[:, column].reset_index(drop=True))
        _feed(digest, dict(obj.attrs))
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        tag("dataclass", type(obj).__module__, type(obj).__qualname__)
        for field in dataclasses.fields(obj):
            _feed(digest, field.name)
            _feed(digest, getattr(obj, field.name))
    else:
        tag("pickle", type(obj).__module__, type(obj).__qualname__)
        digest.update(pickle.dumps(obj, protocol=5))


def key(func: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> str:
    """The SHA-256 (hex) of ``func``'s name, its arguments by value (:func:`_feed`) and
    :func:`fingerprint`.

    Raises whatever :func:`pickle.dumps` raises for an argument it has to pickle and cannot."""
    digest = hashlib.sha256()
    digest.update(f"{func.__module__}.{func.__qualname__}\n".encode())
    _feed(digest, (args, kwargs))
    digest.update(fingerprint().encode())
    return digest.hexdigest()


def _load(path: Path) -> tuple[bool, Any]:
    try:
        with open(path, "rb") as handle:
            return True, pickle.load(handle)
    except Exception:  # none yet, or a damaged one: computed (again) and written
        return False, None


def _store(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            pickle.dump(value, handle, protocol=5)
        tmp.replace(path)
    except OSError:  # a read-only or full disk costs the speed, not the result
        tmp.unlink(missing_ok=True)


def memoized(func: F) -> F:
    """Decorate a pure function so that, while the cache is on (:func:`cache_folder`), a call
    with the same arguments, code, published tables and library versions returns the stored
    result (a fresh copy, unpickled) instead of computing it again."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        folder = cache_folder()
        if folder is None:
            return func(*args, **kwargs)
        try:
            entry = folder / f"{func.__module__}.{func.__qualname__}-{key(func, args, kwargs)}.pkl"
        except (pickle.PicklingError, TypeError, AttributeError):
            return func(*args, **kwargs)
        found, value = _load(entry)
        if found:
            return value
        value = func(*args, **kwargs)
        _store(entry, value)
        return value

    return wrapper  # type: ignore[return-value]
