"""Heavy dependencies imported on first use, so that importing the package stays fast.

``import collabcomm.figures`` used to import matplotlib and seaborn, and
``collabcomm.models`` statsmodels and scipy, about a second in all, paid by every notebook and
command whether it plots or fits anything. Each module now binds those names with
:func:`lazy_import`; the real import happens when an attribute is first used.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["lazy_import", "LazyModule"]


class LazyModule:
    """Stands for a module and imports it when one of its attributes is first used."""

    def __init__(self, name: str):
        self._lazy_name = name
        self._lazy_module: ModuleType | None = None

    def _load(self) -> ModuleType:
        if self._lazy_module is None:
            self._lazy_module = importlib.import_module(self._lazy_name)
        return self._lazy_module

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_lazy_"):
            raise AttributeError(attr)
        return getattr(self._load(), attr)

    def __repr__(self) -> str:
        state = "imported" if self._lazy_module is not None else "not yet imported"
        return f"<lazy module {self._lazy_name!r} ({state})>"


def lazy_import(name: str) -> LazyModule:
    """Return a stand-in for module ``name`` that imports it on first attribute access.

    Notes
    -----
    Nothing is imported when the stand-in is made, not even the parent packages (finding
    ``statsmodels.formula.api`` alone would import most of statsmodels). The first attribute
    access runs :func:`importlib.import_module` once and every later access goes to the real
    module. An unknown name raises ``ModuleNotFoundError`` at that first use. Validated in the
    tests: importing every ``collabcomm`` module in a fresh interpreter leaves matplotlib,
    seaborn, statsmodels and scipy.stats unimported, and the first use imports them.

    Examples
    --------
    >>> stats = lazy_import("scipy.stats")
    >>> float(stats.norm.cdf(0.0))
    0.5
    """
    return LazyModule(name)
