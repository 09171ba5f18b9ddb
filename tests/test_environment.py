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
