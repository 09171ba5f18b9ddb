"""Fresh machine: clone the repository into a temporary folder with no .venv and run the
README's two commands exactly as written. Both must pass, and `make reproduce` must
regenerate exactly the committed results (the clone's git status stays clean).

The clone runs the whole of `make test` again, so the check sits with the other full-run
checks in `make test-matrix` (marker ``matrix``), which CI runs after `make test`; CI's own
`make test` on its clean clone is the same check of the second command."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from seed_exhibits import seeds_dir

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
GUARD = "COLLABCOMM_IN_FRESH_CLONE"


def readme_commands() -> list[str]:
    """The two commands of the README's Instructions, as written there."""
    text = (REPO / "README.md").read_text()
    block = re.search(r"```bash\n(make reproduce[^\n]*)\n(make test[^\n]*)\n```", text)
    assert block, "README.md must show the two commands in one bash block"
    return [line.split("#")[0].strip() for line in block.groups()]


def test_readme_commands_are_the_two_make_targets():
    assert readme_commands() == ["make reproduce", "make test"]


@pytest.mark.matrix
@pytest.mark.skipif(os.environ.get(GUARD) == "1", reason="already inside the fresh-clone check")
def test_fresh_clone_runs_the_readme_commands(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    assert not (clone / ".venv").exists()
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "COLLABCOMM_ROOT", "COLLABCOMM_STAGE_DIR")}
    env[GUARD] = "1"
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if ".venv" not in p)
    if seeds_dir() is not None:
        env["COLLABCOMM_SEEDS"] = str(seeds_dir())
    timings = {}
    for command in readme_commands():
        start = time.perf_counter()
        proc = subprocess.run(command, shell=True, cwd=clone, env=env, capture_output=True,
                              text=True, timeout=3600)
        timings[command] = time.perf_counter() - start
        assert proc.returncode == 0, f"{command} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert (clone / ".venv").is_dir()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True,
                            text=True, check=True).stdout
    assert status == "", f"make reproduce changed committed files:\n{status}"
    print("fresh clone timings (s):", {k: round(v, 1) for k, v in timings.items()})
