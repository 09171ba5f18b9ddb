"""The codebook package (collabcomm.codebook): one import gives every public name."""

from __future__ import annotations

import collabcomm.codebook as package
from collabcomm.codebook import model, read, write


def test_the_package_exports_its_modules_names():
    for module in (model, read, write):
        for name in module.__all__:
            assert getattr(package, name) is getattr(module, name), name
    assert sorted(package.__all__) == sorted({*model.__all__, *read.__all__, *write.__all__})
