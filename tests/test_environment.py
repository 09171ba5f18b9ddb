"""environment.yml (conda/Binder) and the pip lock (requirements.txt) agree."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock(*, only_this_python: bool = False) -> dict[str, str]:
    """Name -> version of every pin in requirements.txt (a universal lock: a line may carry an
    environment marker, e.g. ``; python_full_version < '3.12'``). With ``only_this_python``,
    only the lines whose marker holds for the running interpreter and platform."""
    from packaging.markers import Marker

    out = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, _, marker = line.partition(";")
        if only_this_python and marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        name, sep, version = requirement.strip().partition("==")
        assert sep, f"requirements.txt: '{line}' is not pinned with =="
        out[_norm(name)] = version.strip()
    return out


def conda() -> tuple[dict[str, str], list]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pins, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip = dep["pip"]
            continue
        name, _, version = dep.partition("=")
        pins[_norm(name)] = version
    return pins, pip


def test_environment_yml_is_conda_forge_only_with_editable_install():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    pins, pip = conda()
    assert pins["python"] == "3.11"
    assert pip == ["-e ."]


def test_every_environment_pin_matches_the_lock():
    pins, _ = conda()
    locked = lock()
    unpinned = [n for n, v in pins.items() if n not in ("pip",) and not v]
    assert not unpinned, f"environment.yml: unpinned {unpinned}"
    mismatched = {n: (v, locked.get(n)) for n, v in pins.items()
                  if n not in ("python", "pip") and locked.get(n) != v}
    assert not mismatched, f"environment.yml vs requirements.txt (env, lock): {mismatched}"


def test_lock_covers_the_design_card_packages():
    locked = lock()
    for name in ("jupyterlab", "pandas", "statsmodels", "seaborn", "papermill"):
        assert name in locked


SUPPORTED = [(3, 11), (3, 12), (3, 13)]


def test_running_interpreter_is_supported_and_declared():
    import tomllib

    from packaging.specifiers import SpecifierSet

    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert declared == ">=3.11"  # no upper cap
    assert sys.version_info[:2] in SUPPORTED
    assert SpecifierSet(declared).contains(".".join(map(str, sys.version_info[:3])))


def test_the_makefile_and_readme_name_the_same_supported_versions():
    makefile = (REPO / "Makefile").read_text()
    assert "SUPPORTED_PYTHONS := 3.11 3.12 3.13" in makefile
    readme = (REPO / "README.md").read_text()
    assert "Python 3.11, 3.12 or 3.13" in readme


def test_lock_is_universal_and_modern():
    text = (REPO / "requirements.txt").read_text()
    assert "uv pip compile --universal" in text or "make lock" in text
    locked = lock()
    major = int(locked["setuptools"].split(".")[0])
    assert major >= 77  # 65.5.0 predates Python 3.12 (pkgutil.ImpImporter) and PEP 639


def test_installed_versions_match_the_lock():
    """The environment running the tests is the locked one (catches a stale .venv)."""
    from importlib.metadata import PackageNotFoundError, version

    wrong = {}
    for name, pinned in lock(only_this_python=True).items():
        try:
            got = version(name)
        except PackageNotFoundError:
            got = None
        if got != pinned:
            wrong[name] = (pinned, got)
    assert not wrong, f"installed versions differ from requirements.txt: {wrong}"


def _uv_version() -> str:
    return re.search(r"^UV_VERSION := (\S+)$", (REPO / "Makefile").read_text(), re.M).group(1)


def _fake_env_run(tmp_path, uv_installs: bool) -> tuple[str, list[str]]:
    """``make env`` in a copy of the Makefile and lock, with stand-ins that log every call: a
    base Python (``PYTHON3``; its pip puts a stand-in ``uv`` into the --target folder when
    ``uv_installs``, else fails), that uv, and the ``.venv`` python either of them creates.
    The recipe's own messages and the calls made are returned."""
    import shutil
    import subprocess

    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    log = tmp_path / "calls.log"
    venv_python = f'#!/bin/sh\necho "python $*" >> {log}\n'

    def stub(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o755)

    uv = (f'#!/bin/sh\nif [ "$1" = --version ]; then echo "uv {_uv_version()} (stand-in)"; exit; fi\n'
          f'echo "uv $*" >> {log}\n'
          'if [ "$1" = venv ]; then for last; do :; done; mkdir -p "$last/bin"\n'
          f"  cat > \"$last/bin/python\" <<'VENV'\n{venv_python}VENV\n"
          '  chmod +x "$last/bin/python"; fi\n')
    base = tmp_path / "base" / "python3.12"
    stub(base, "#!/bin/sh\n"
         f'case "$1" in -c) echo "3.12 {base}"; exit;; esac\n'
         f'echo "base $*" >> {log}\n'
         'case "$*" in *"install"*"uv=="*)\n'
         + ('  for a; do [ "$prev" = --target ] && dir=$a; prev=$a; done; mkdir -p "$dir/bin"\n'
            f"  cat > \"$dir/bin/uv\" <<'UV'\n{uv}UV\n  chmod +x \"$dir/bin/uv\"; exit 0;;\n"
            if uv_installs else "  echo 'ERROR: no matching distribution' >&2; exit 1;;\n")
         + '*"-m venv"*) mkdir -p .venv/bin\n'
         f"  cat > .venv/bin/python <<'STUB'\n{venv_python}STUB\n  chmod +x .venv/bin/python;;\n"
         "esac\n")
    # --no-print-directory: under `make test` the nested make would say "Entering directory"
    out = subprocess.run(["make", "--no-print-directory", "env", f"PYTHON3={base}"],
                         cwd=tmp_path, capture_output=True, text=True, check=True)
    return out.stdout, log.read_text().splitlines()


EDITABLE = "--no-deps --no-build-isolation -e ."
KERNEL = "python -m ipykernel install --sys-prefix --name collabcomm --display-name Python (collabcomm)"
WARM = "python -m collabcomm.pipeline.warm"


def _parallel_tail(calls: list[str], editable: str) -> None:
    """The last three calls: the editable install then the kernel, beside the compile step
    (they run at the same time, so only the editable install's order before the kernel holds)."""
    assert sorted(calls[-3:]) == sorted([editable, KERNEL, WARM])
    assert calls.index(editable) < calls.index(KERNEL)


def test_make_env_installs_the_lock_with_the_pinned_uv(tmp_path):
    makefile = (REPO / "Makefile").read_text()
    assert makefile.count("UV_VERSION :=") == 1  # one pin, shared with `make lock`
    version = _uv_version()
    said, calls = _fake_env_run(tmp_path, uv_installs=True)
    assert said.splitlines() == [
        f"fetching uv {version} into build/tools (with {tmp_path}/base/python3.12's pip, "
        "from the package index)",
        "creating .venv with " + f"{tmp_path}/base/python3.12 (Python 3.12)",
        "installing the pinned lock into .venv with uv (requirements.txt; exactly the lock, nothing else)",
    ]
    assert calls[0].startswith("base -m pip --disable-pip-version-check --no-input -q install "
                               "--no-deps --no-compile --only-binary :all: --target build/tools.part ")
    assert calls[0].endswith(f" uv=={version}")
    assert calls[1:3] == [
        f"uv venv --quiet --python {tmp_path}/base/python3.12 .venv",
        "uv pip sync --quiet --python .venv/bin/python requirements.txt"]
    editable = f"uv pip install --quiet --python .venv/bin/python {EDITABLE}"
    _parallel_tail(calls, editable)
    assert len(calls) == 6
    assert not any(c.startswith("python -m pip") for c in calls)  # no pip in .venv at all
    assert (tmp_path / "build" / "tools" / "bin" / "uv").is_file()
    assert not (tmp_path / "build" / "tools.part").exists()
    assert (tmp_path / ".venv" / ".installed").is_file()
    # a second run finds everything in place and does nothing
    again = __import__("subprocess").run(["make", "--no-print-directory", "env"], cwd=tmp_path,
                                         capture_output=True, text=True, check=True)
    assert "Nothing to be done" in again.stdout or again.stdout == ""


def test_make_env_falls_back_to_pip_and_says_so_when_uv_cannot_be_installed(tmp_path):
    said, calls = _fake_env_run(tmp_path, uv_installs=False)
    version = _uv_version()
    assert (f"uv {version} could not be installed: installing the pinned lock with pip "
            "instead (slower, about a minute)") in said.splitlines()
    assert calls[1] == "base -m venv .venv"
    assert [c.split(" -q ", 1)[1] for c in calls if c.startswith("python -m pip --disable")] == [
        "install -r requirements.txt", f"install {EDITABLE}"]
    _parallel_tail(calls, f"python -m pip --disable-pip-version-check --no-input -q install {EDITABLE}")
    assert not (tmp_path / "build" / "tools").exists()
    assert not (tmp_path / "build" / "tools.part").exists()
    assert (tmp_path / ".venv" / ".installed").is_file()
