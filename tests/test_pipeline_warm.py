"""The warm start: what ``make env`` compiles to bytecode for the notebooks' kernels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_warm_compiles_the_listing_even_when_the_environment_forbids_bytecode(tmp_path):
    prefix = tmp_path / "pycache"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(prefix)}
    out = subprocess.run([sys.executable, "-m", "collabcomm.pipeline.warm"], env=env,
                         capture_output=True, text=True, check=True)
    count = len(warm.resolve(warm.listed()))
    assert out.stdout.startswith(f"compiling the {count} source files the notebooks import")
    assert len(list(prefix.rglob("*.pyc"))) == count  # every file, into the empty prefix
    written = {p.name for p in prefix.rglob("*.pyc")}
    tag = sys.implementation.cache_tag
    for module in ("sprite", "theme", "kernelapp", "pyplot", "_base", "frame"):  # ours, kernel, libs
        assert f"{module}.{tag}.pyc" in written, module
    # timestamp pycs, as the import system writes them (flags 0), not hash-checked ones
    pyc = next(prefix.rglob(f"frame.{tag}.pyc")).read_bytes()
    assert int.from_bytes(pyc[4:8], "little") == 0
    # the same command without warm writes nothing there: the variable is honoured
    plain = tmp_path / "plain"
    subprocess.run([sys.executable, "-c", "import collabcomm.audit.sprite"], check=True,
                   env={**env, "PYTHONPYCACHEPREFIX": str(plain)})
    assert not list(Path(plain).rglob("*.pyc"))


def test_the_listing_covers_what_this_pythons_kernels_load():
    """Fails, naming the files, when the lock or the package has changed what the kernels import:
    then run ``python -m collabcomm.pipeline.warm --record`` on each supported Python."""
    out = subprocess.run([sys.executable, "-c", "from collabcomm.pipeline import warm; "
                          "print(*warm.loaded_entries(), sep='\\n')"],
                         capture_output=True, text=True, check=True)
    loaded = out.stdout.split()
    assert len(loaded) > 1500 and all(e.split("/", 1)[0] in warm.ROOTS for e in loaded)
    missing = sorted(set(loaded) - set(warm.listed()))
    assert not missing, f"{warm.LISTING.name} lacks {len(missing)} files, e.g. {missing[:5]}"
    assert warm.listed() == sorted(set(warm.listed()))  # sorted, no repeats: a stable diff


def test_resolve_keeps_what_exists_here_and_adds_the_whole_package():
    paths = warm.resolve(["purelib/pandas/core/frame.py", "purelib/no_such_package/x.py",
                          "stdlib/json/decoder.py"])
    names = [p.name for p in paths]
    assert names[:2] == ["frame.py", "decoder.py"]  # the missing one left out, order kept
    own = Path(warm.__file__).resolve().parents[1]
    assert sorted(paths[2:]) == sorted(own.rglob("*.py"))


def test_resolve_names_a_malformed_entry():
    with pytest.raises(ValueError, match=r"kernel_imports.txt: 'site/pandas/core/frame.py' is not"):
        warm.resolve(["site/pandas/core/frame.py"])


def test_record_adds_this_pythons_files_to_the_listing(tmp_path, monkeypatch):
    listing = tmp_path / "kernel_imports.txt"
    listing.write_text("# comment\nstdlib/json/decoder.py\npurelib/a.py\n", encoding="utf-8")
    monkeypatch.setattr(warm, "loaded_entries", lambda: ["purelib/b.py", "purelib/a.py"])
    assert warm.record(listing) == 1
    assert warm.listed(listing) == ["purelib/a.py", "purelib/b.py", "stdlib/json/decoder.py"]
    assert listing.read_text().startswith("# Source files the notebooks' kernels load")
    assert not listing.with_suffix(".tmp").exists()


def test_compile_files_in_parallel_writes_what_import_would(tmp_path, monkeypatch):
    sources = []
    for i in range(6):
        sources.append(tmp_path / f"m{i}.py")
        sources[-1].write_text(f"X = {i}\n", encoding="utf-8")
    monkeypatch.setattr(sys, "pycache_prefix", None)
    assert warm.compile_files(sources, workers=2) == 6
    import importlib.util
    for source in sources:
        assert Path(importlib.util.cache_from_source(str(source))).is_file()


def test_main_refuses_an_unknown_argument(capsys):
    assert warm.main(["--recrod"]) == 2
    assert "usage: python -m collabcomm.pipeline.warm [--record] (got --recrod)" in capsys.readouterr().err


def test_imported_names_reads_an_importtime_report():
    report = """import time: self [us] | cumulative | imported package
import time:       457 |       3337 | _io
import time:        12 |         40 |   encodings.utf_8
[IPKernelApp] some other line | with | bars
import time:       921 |       2911 |     PIL.PngImagePlugin
import time:         3 |          3 | _io
"""
    assert warm.imported_names(report) == ["_io", "encodings.utf_8", "PIL.PngImagePlugin"]
