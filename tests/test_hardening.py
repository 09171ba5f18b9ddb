"""The second hardening round, end to end through the command line: no silent wrong result
from a ``-p`` value or the run cache, outputs anywhere tracked and written all or none.
Each refusal is one message naming the parameter, file or path, exit status 2, nothing
written; each silent wrong result is checked on the output values. (Unit-level cases of each
class are in the module's own tests; README, *Bad input and errors*, lists them all.)"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import make_project

NOTEBOOKS = {
    # writes its label and seed to data/derived (or output_dir) and a figure beside it
    "01_w": ('label = "new"\nseed = 1\noutput_dir = ""\n',
             'out = P.root / output_dir if output_dir else P.derived\n'
             'fig = P.root / output_dir if output_dir else P.figures\n'
             'write_text(out / "a.txt", f"{label}|{seed}\\n")\n'
             'write_text(fig / "b.txt", label + "\\n")\n'),
}
PARAMS = """\
notebooks:
  01_w:
    outputs: [data/derived/a.txt, figures/b.txt]
    parameters:
      label: {default: new, type: str, help: what the outputs say}
      seed: {default: 1, type: int, min: 0, max: 4294967295, help: a seed}
      output_dir: {default: "", type: str, output: true, help: where results go}
"""


@pytest.fixture
def proj(tmp_path):
    root = make_project(tmp_path / "proj", NOTEBOOKS, PARAMS)
    for folder in ("data/derived", "figures"):
        (root / folder).mkdir(parents=True)
    return root


def _cli(root, *args):
    env = {k: v for k, v in os.environ.items() if k != "COLLABCOMM_ROOT"}
    return subprocess.run([sys.executable, "-m", "collabcomm", "run", "--no-progress", "--root",
                           str(root), *map(str, args)], capture_output=True, text=True, env=env)


# --- -p values are read by the declared type, never as YAML -----------------------------------

def test_a_text_parameter_runs_with_the_text_verbatim(proj):
    label = "School #5 (east wing) 12:30 &a [*a]"  # more cases: test_pipeline_params.py
    proc = _cli(proj, "--force", "-p", f"label={label}", "-p", "seed=0750")
    assert proc.returncode == 0, proc.stderr
    assert (proj / "data/derived/a.txt").read_text() == f"{label}|750\n"
    assert (proj / "figures/b.txt").read_text() == f"{label}\n"


def test_an_output_dir_with_a_hash_is_used_whole(proj):
    proc = _cli(proj, "-p", "output_dir=build/run #2")
    assert proc.returncode == 0, proc.stderr
    assert (proj / "build/run #2/a.txt").read_text() == "new|1\n"
    assert not (proj / "build/run").exists()


@pytest.mark.parametrize("value", ["12:30", "1_000", "0x1F", "7 # lucky", "7.5", "1e3", ".inf",
                                   "", "true", "\uff17"])
def test_a_number_that_is_not_a_plain_decimal_literal_is_refused(proj, value):
    proc = _cli(proj, "-p", f"seed={value}")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"error: notebook 01_w: parameter 'seed' = {value!r} must be a whole number in decimal "
        "digits, such as 7. (a seed)"]
    assert list((proj / "data/derived").iterdir()) == [] and not (proj / "build").exists()
