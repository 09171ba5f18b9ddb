"""The pipeline's papermill engine: papermill's own, saving the running notebook less often."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import nbformat
import pytest

from collabcomm.paths import project
from collabcomm.pipeline import engine
from collabcomm.pipeline.execute import _papermill


def _manager(tmp_path: Path):
    from papermill.engines import papermill_engines

    cls = papermill_engines.get_engine(engine.engine_name())
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    nb.metadata.papermill = {}
    out = tmp_path / "out.ipynb"
    return cls.manager(nb, output_path=str(out), progress_bar=False), out


def test_the_engine_is_registered_with_papermill_under_its_name():
    from papermill.engines import NBClientEngine, papermill_engines

    name = engine.engine_name()
    assert name == engine.ENGINE_NAME == "collabcomm"
    assert issubclass(papermill_engines.get_engine(name), NBClientEngine)
    assert engine.engine_name() is name  # registered once


def test_saves_wait_save_every_seconds_but_the_last_is_always_written(tmp_path, monkeypatch):
    manager, out = _manager(tmp_path)
    start = manager.last_save_time
    clock = {"t": 0.0}
    monkeypatch.setattr(manager, "now",
                        lambda: start + datetime.timedelta(seconds=clock["t"]))
    clock["t"] = engine.SAVE_EVERY - 0.5
    manager.save()
    assert not out.exists()  # papermill would have written here: at every cell
    clock["t"] = engine.SAVE_EVERY
    manager.save()
    assert out.is_file()
    out.unlink()
    clock["t"] += 1.0
    manager.save()
    assert not out.exists()
    manager.start_time = manager.now()
    manager.nb.metadata.papermill["start_time"] = manager.start_time.isoformat()
    manager.nb.cells[0].metadata.papermill = {"status": "completed"}
    manager.notebook_complete()  # however the run ended
    assert json.loads(out.read_text())["cells"][0]["source"] == ["1"]


def _notebook(tmp_path: Path, name: str, sources: list[str]) -> Path:
    paths = project(tmp_path)
    paths.notebooks.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, paths.notebooks / f"{name}.ipynb")
    return tmp_path / f"{name}.out.ipynb"


def test_a_notebook_whose_kernel_dies_still_leaves_what_it_ran(tmp_path):
    target = _notebook(tmp_path, "dies", ["print('first cell ran')", "import os; os._exit(1)",
                                          "print('never')"])
    with pytest.raises(Exception) as raised:
        _papermill(project(tmp_path), "dies", target, {})
    assert "DeadKernel" in type(raised.value).__name__ or "died" in str(raised.value).lower()
    cells = json.loads(target.read_text())["cells"]
    assert cells[0]["outputs"][0]["text"] == ["first cell ran\n"]
    assert cells[2]["outputs"] == []


def test_a_cell_that_raises_leaves_the_notebook_with_its_error(tmp_path):
    from papermill.exceptions import PapermillExecutionError

    target = _notebook(tmp_path, "raises", ["x = 41 + 1", "raise ValueError(f'bad {x}')"])
    with pytest.raises(PapermillExecutionError, match="bad 42"):
        _papermill(project(tmp_path), "raises", target, {})
    cells = json.loads(target.read_text())["cells"]
    assert any(o.get("ename") == "ValueError" for c in cells for o in c.get("outputs", []))


def test_a_cell_s_output_streams_do_not_depend_on_when_the_kernel_flushed_them(tmp_path):
    # ipykernel sends what a cell prints in pieces, whenever its flush timer (0.2 s) fires or
    # the cell flushes: on a loaded machine two prints a moment apart may arrive as two
    # messages, and stderr may overtake stdout. The executed notebook must not record that
    # timing: one stdout output per cell, then one stderr output, whatever the pieces were.
    body = ("import sys, time\n"
            "print('a', flush=True)\n"
            "sys.stderr.write('w\\n'); sys.stderr.flush()\n"
            "time.sleep(0.3)\n"
            "print('b', flush=True)\n"
            "display('shown')\n"
            "print('c')")
    target = _notebook(tmp_path, "streams", [body])
    _papermill(project(tmp_path), "streams", target, {})
    outputs = json.loads(target.read_text())["cells"][0]["outputs"]
    kinds = [(o["output_type"], o.get("name")) for o in outputs]
    assert kinds == [("stream", "stdout"), ("stream", "stderr"), ("display_data", None)]
    assert "".join(outputs[0]["text"]) == "a\nb\nc\n"
    assert "".join(outputs[1]["text"]) == "w\n"
