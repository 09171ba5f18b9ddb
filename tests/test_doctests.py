"""Every example in the library's docstrings runs and prints what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import collabcomm

MODULES = sorted(m.name for m in pkgutil.walk_packages(collabcomm.__path__, "collabcomm.")
                 if m.name != "collabcomm.__main__")
"""Every module, those of the subpackages (collabcomm.audit, ...) included."""


def test_modules_are_found():
    assert {"collabcomm.precision", "collabcomm.simulate", "collabcomm.reliability",
            "collabcomm.moments", "collabcomm.audit", "collabcomm.audit.grim"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             report=True, verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
