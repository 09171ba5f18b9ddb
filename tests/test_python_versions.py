"""Every supported Python builds the environment from the one lock and writes the same bytes.

For each supported version found on the machine (``python3.X`` on PATH, or a pyenv install),
this builds a fresh environment in a copy of the project with ``make env PYTHON3=...``, runs the
full pipeline, and compares data/derived and figures with git; it also runs the library's fast
tests there. A version that is not installed is skipped with a message that says so. Run by
``make test-matrix`` (CI calls it after ``make test``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from seed_exhibits import seeds_dir

from collabcomm.pipeline.compare import OUTPUT_FOLDERS, compare_outputs

pytestmark = [pytest.mark.matrix, pytest.mark.notebooks]
REPO = Path(__file__).resolve().parents[1]
SUPPORTED = ["3.11", "3.12", "3.13"]


def _project_files() -> list[str]:
    """The checkout as git sees it (tracked and new files, uncommitted edits included), without
    the outputs the pipeline regenerates."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    return [f for f in out if not f.startswith(tuple(f"{o}/" for o in OUTPUT_FOLDERS)) and (REPO / f).is_file()]


def _version_of(python: str) -> str | None:
    try:
        out = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find_interpreter(version: str) -> str | None:
    """A working ``python<version>``: on PATH first, else under ``pyenv root``/versions."""
    candidates = [shutil.which(f"python{version}")]
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(str(p) for p in root.glob(f"versions/{version}.*/bin/python{version}"))
    for c in candidates:
        if c and _version_of(c) == version:
            return c
    return None


def _without_venv(env: dict[str, str]) -> dict[str, str]:
    out = {k: v for k, v in env.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "COLLABCOMM_ROOT", "MAKEFLAGS", "MFLAGS")}
    out["PATH"] = os.pathsep.join(p for p in out.get("PATH", "").split(os.pathsep)
                                  if ".venv" not in p)
    return out


@pytest.mark.parametrize("version", SUPPORTED)
def test_supported_python_reproduces_the_outputs(version, tmp_path):
    python = find_interpreter(version)
    if python is None:
        pytest.skip(f"Python {version} is not installed here (looked for python{version} on PATH "
                    f"and under pyenv): this supported version was NOT checked")
    print(f"Python {version}: {python}", file=sys.stderr)
    root = tmp_path / f"py{version}"
    for item in _project_files():
        (root / item).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / item, root / item)
    env = _without_venv(os.environ)
    if seeds_dir() is not None:
        env["COLLABCOMM_SEEDS"] = str(seeds_dir())

    def run(*command: str, timeout: int = 1800) -> subprocess.CompletedProcess:
        proc = subprocess.run(list(command), cwd=root, env=env, capture_output=True, text=True,
                              timeout=timeout)
        assert proc.returncode == 0, (f"Python {version}: {' '.join(command)} failed:\n"
                                      f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc

    run("make", "env", f"PYTHON3={python}")
    venv_python = str(root / ".venv" / "bin" / "python")
    assert _version_of(venv_python) == version
    run(venv_python, "-m", "collabcomm", "run", "--force")
    report = compare_outputs(root, REPO)
    assert not report, f"outputs under Python {version} differ from git:\n" + "\n".join(report)
    run(venv_python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m",
        "not slow and not notebooks", "tests")
