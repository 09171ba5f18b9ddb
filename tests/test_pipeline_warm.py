"""The warm start: what ``make env`` compiles to bytecode for the notebooks' kernels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from collabcomm.pipeline import warm


def test_import_set_covers_the_package_its_lazy_imports_and_the_kernel():
    names = warm.import_set()
    assert names[0] == "collabcomm"
    assert {"collabcomm.audit.sprite", "collabcomm.pipeline.execute",
            "collabcomm.figures.theme"} <= set(names)
    # read from the modules' lazy_import calls, not from a list kept by hand
    assert {"matplotlib.pyplot", "seaborn", "scipy.stats", "statsmodels.formula.api",
            "statsmodels.stats.outliers_influence"} <= set(names)
    assert names[-len(warm.KERNEL_MODULES):] == list(warm.KERNEL_MODULES)
    assert len(names) == len(set(names))


def test_precompile_writes_bytecode_even_when_the_environment_forbids_it(tmp_path):
    prefix = tmp_path / "pycache"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(prefix)}
    out = subprocess.run([sys.executable, "-m", "collabcomm.pipeline.warm"], env=env,
                         capture_output=True, text=True, check=True)
    assert out.stdout.startswith("compiling what the notebooks import to bytecode")
    written = {p.name for p in prefix.rglob("*.pyc")}
    tag = sys.implementation.cache_tag
    for module in ("sprite", "theme", "kernelapp", "pyplot", "_base"):  # ours, kernel, libs
        assert f"{module}.{tag}.pyc" in written, module
    # the same command without precompile writes nothing there: the variable is honoured
    plain = tmp_path / "plain"
    subprocess.run([sys.executable, "-c", "import collabcomm.audit.sprite"], check=True,
                   env={**env, "PYTHONPYCACHEPREFIX": str(plain)})
    assert not list(Path(plain).rglob("*.pyc"))
