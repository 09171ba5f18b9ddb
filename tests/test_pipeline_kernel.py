"""How the pipeline starts a notebook's kernel (collabcomm.pipeline.kernel): its environment,
its folder, and a new interpreter when there is no fork server."""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from collabcomm.memo import CACHE_ENV
from collabcomm.paths import ROOT_ENV, project
from collabcomm.pipeline.kernel import RUN_ENV, _papermill, kernel_env


def test_every_kernel_gets_the_root_the_run_settings_and_the_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    paths = project(tmp_path)
    env = kernel_env(paths)
    assert env[ROOT_ENV] == str(paths.root)
    assert {k: env[k] for k in RUN_ENV} == {"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
                                            "SOURCE_DATE_EPOCH": "0"}
    assert env[CACHE_ENV] == str(paths.build / "cache")
    monkeypatch.setenv(CACHE_ENV, "off")  # the user's choice is inherited, not overridden
    assert CACHE_ENV not in kernel_env(paths)


@pytest.mark.notebooks
def test_without_a_fork_server_a_kernel_is_a_new_interpreter_in_the_notebooks_folder(tmp_path):
    paths = project(tmp_path)
    paths.notebooks.mkdir(parents=True)
    probe = ("import json, os\nprint(json.dumps({'ppid': os.getppid(), 'cwd': os.getcwd(), "
             "'mark': os.environ.get('PROBE_MARK')}))")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(probe)])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                              "language": "python"}
    nbformat.write(nb, paths.notebooks / "probe.ipynb")
    target = tmp_path / "probe.out.ipynb"
    log = tmp_path / "logs" / "probe.kernel.log"
    _papermill(paths, "probe", target, {}, {**kernel_env(paths), "PROBE_MARK": "seen"},
               log=log)
    out = json.loads(target.read_text())["cells"][0]["outputs"][0]["text"]
    assert json.loads("".join(out)) == {"ppid": os.getpid(), "cwd": str(paths.notebooks),
                                        "mark": "seen"}
    assert log.is_file()  # the kernel's own output goes there, not to the terminal
