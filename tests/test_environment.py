"""environment.yml (conda/Binder) and the pip lock (requirements.txt) agree."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock() -> dict[str, str]:
    out = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"requirements.txt: '{line}' is not pinned with =="
            out[_norm(name)] = version
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


def test_running_interpreter_matches_the_declared_python():
    assert sys.version_info[:2] == (3, 11)


def test_installed_versions_match_the_lock():
    """The environment running the tests is the locked one (catches a stale .venv)."""
    from importlib.metadata import PackageNotFoundError, version

    wrong = {}
    for name, pinned in lock().items():
        try:
            got = version(name)
        except PackageNotFoundError:
            got = None
        if got != pinned:
            wrong[name] = (pinned, got)
    assert not wrong, f"installed versions differ from requirements.txt: {wrong}"
