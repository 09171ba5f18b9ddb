"""Importing the package does not import its heavy dependencies; first use does."""

from __future__ import annotations

import subprocess
import sys

import pytest

from collabcomm.lazy import LazyModule, lazy_import

HEAVY = ("matplotlib", "seaborn", "statsmodels", "scipy.stats", "scipy.optimize", "papermill")

PROBE = f"""
import importlib, pkgutil, sys
import collabcomm
for m in pkgutil.walk_packages(collabcomm.__path__, "collabcomm."):
    importlib.import_module(m.name)
print(sorted(h for h in {HEAVY!r} if h in sys.modules))
from collabcomm import models
from collabcomm.figures import theme
theme.plt.figure
models.smf.ols
print(sorted(h for h in {HEAVY!r} if h in sys.modules))
"""


def test_importing_every_module_leaves_heavy_dependencies_unimported():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0] == "[]"
    # first use imports them (statsmodels brings scipy; pyplot brings matplotlib), not seaborn
    assert out[1] == "['matplotlib', 'scipy.optimize', 'scipy.stats', 'statsmodels']"


def test_lazy_module_imports_once_and_reports_unknown_names():
    stats = lazy_import("json")
    assert isinstance(stats, LazyModule) and "not yet imported" in repr(stats)
    assert stats.dumps([1]) == "[1]" and "imported" in repr(stats)
    assert stats._load() is sys.modules["json"]
    missing = lazy_import("collabcomm_no_such_module")
    with pytest.raises(ModuleNotFoundError, match="collabcomm_no_such_module"):
        _ = missing.anything
