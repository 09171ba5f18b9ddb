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


def _fake_env_run(tmp_path, uv_installs: bool) -> tuple[str, list[str]]:
    """``make env`` in a copy of the Makefile and lock with a stand-in ``.venv``: its python
    logs every call (and, when ``uv_installs``, a pip install of uv puts a logging ``uv``
    beside it); the recipe's own messages and the calls it made are returned."""
    import shutil
    import subprocess

    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    bindir = tmp_path / ".venv" / "bin"
    bindir.mkdir(parents=True)
    log = tmp_path / "calls.log"
    uv_stub = f'#!/bin/sh\nif [ "$1" = --version ]; then echo "uv 0.0.0 (stand-in)"; fi\necho "uv $*" >> {log}\n'
    (bindir / "python").write_text(
        "#!/bin/sh\n"
        f'echo "python $*" >> {log}\n'
        'case "$*" in *"install uv=="*)\n'
        + (f"  cat > {bindir}/uv <<'STUB'\n{uv_stub}STUB\n  chmod +x {bindir}/uv; exit 0;;\n"
           if uv_installs else "  echo 'ERROR: no matching distribution' >&2; exit 1;;\n")
        + "esac\n")
    (bindir / "python").chmod(0o755)
    # --no-print-directory: under `make test` the nested make would say "Entering directory"
    out = subprocess.run(["make", "--no-print-directory", "env"], cwd=tmp_path,
                         capture_output=True, text=True,
                         check=True)
    return out.stdout, log.read_text().splitlines()


def test_make_env_installs_the_lock_with_the_pinned_uv(tmp_path):
    makefile = (REPO / "Makefile").read_text()
    assert makefile.count("UV_VERSION :=") == 1  # one pin, shared with `make lock`
    version = re.search(r"^UV_VERSION := (\S+)$", makefile, re.M).group(1)
    said, calls = _fake_env_run(tmp_path, uv_installs=True)
    assert said.splitlines() == [
        f"installing uv {version} into .venv (with pip, from the package index)",
        "installing the pinned lock into .venv with uv (requirements.txt)"]
    assert calls[0].endswith(f"-m pip --disable-pip-version-check --no-input -q install uv=={version}")
    assert calls[1:] == [
        "uv pip install --quiet --python .venv/bin/python -r requirements.txt",
        "uv pip install --quiet --python .venv/bin/python --no-deps --no-build-isolation -e .",
        "python -m ipykernel install --sys-prefix --name collabcomm --display-name Python "
        "(collabcomm)",
        "python -m collabcomm.pipeline.warm"]
    assert not any("install -r requirements.txt" in c and c.startswith("python") for c in calls)
    assert (tmp_path / ".venv" / ".installed").is_file()


def test_make_env_falls_back_to_pip_and_says_so_when_uv_cannot_be_installed(tmp_path):
    said, calls = _fake_env_run(tmp_path, uv_installs=False)
    version = re.search(r"^UV_VERSION := (\S+)$", (REPO / "Makefile").read_text(), re.M).group(1)
    assert (f"uv {version} could not be installed: installing the pinned lock with pip "
            "instead (slower, about a minute)") in said.splitlines()
    assert [c.split(" -q ", 1)[1] for c in calls if " -m pip " in c] == [
        f"install uv=={version}", "install -r requirements.txt",
        "install --no-deps --no-build-isolation -e ."]
    assert calls[-1] == "python -m collabcomm.pipeline.warm"
    assert not (tmp_path / ".venv" / "bin" / "uv").exists()
