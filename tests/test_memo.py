"""The pipeline's disk cache of slow pure functions (collabcomm.memo)."""

from __future__ import annotations

import hashlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from collabcomm import memo
from collabcomm.paths import ROOT_ENV, project
from collabcomm.pipeline.execute import cache_env

REPO = Path(__file__).resolve().parents[1]
CALLS: list[tuple] = []


@memo.memoized
def slow_sum(frame: pd.DataFrame, *, scale: float = 1.0) -> pd.DataFrame:
    CALLS.append((len(frame), scale))
    return frame.sum().to_frame("total") * scale


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(memo.CACHE_ENV, str(folder))
    CALLS.clear()
    return folder


def frame() -> pd.DataFrame:
    return pd.DataFrame({"a": [1.5, 2.25], "b": [3, 4]}, index=["x", "y"])


def digest(obj) -> str:
    d = hashlib.sha256()
    memo._feed(d, obj)
    return d.hexdigest()


def test_off_unless_the_environment_names_a_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(memo.CACHE_ENV, raising=False)
    assert memo.cache_folder() is None
    CALLS.clear()
    slow_sum(frame())
    slow_sum(frame())
    assert len(CALLS) == 2
    for value in ("", "off", " off "):
        monkeypatch.setenv(memo.CACHE_ENV, value)
        assert memo.cache_folder() is None
    monkeypatch.setenv(memo.CACHE_ENV, str(tmp_path / "c"))
    assert memo.cache_folder() == tmp_path / "c"


def test_a_second_call_is_read_from_the_folder(cache):
    first = slow_sum(frame(), scale=2.0)
    second = slow_sum(frame(), scale=2.0)
    assert CALLS == [(2, 2.0)]
    pd.testing.assert_frame_equal(first, second)
    assert second.loc["a", "total"] == 7.5 and second.loc["b", "total"] == 14
    assert second is not first  # a fresh copy: a caller's edit cannot reach the next one
    entries = list(cache.iterdir())
    assert len(entries) == 1 and entries[0].name.startswith("test_memo.slow_sum-")
    assert entries[0].suffix == ".pkl"  # and no temporary file left behind


def test_another_argument_is_another_entry(cache):
    slow_sum(frame(), scale=2.0)
    slow_sum(frame(), scale=3.0)
    changed = frame()
    changed.loc["x", "a"] = np.nextafter(1.5, 2.0)  # one ulp
    slow_sum(changed, scale=2.0)
    assert len(CALLS) == 3 and len(list(cache.iterdir())) == 3


def test_keys_follow_values_not_object_identity():
    """Pickle shares repeated objects by identity, so equal frames may pickle differently; the
    key may not (this is why the audit's reconciliation missed the cache at first)."""
    a = frame()
    b = pd.read_csv(io.StringIO(a.to_csv()), index_col=0)
    b.index.name = None
    assert digest(a) == digest(b)
    assert digest(a) != digest(a.astype({"b": "float64"}))  # dtype is part of the value
    assert digest(a) != digest(a.rename(columns={"b": "c"}))
    assert digest({"k": 1, "j": 2}) == digest({"j": 2, "k": 1})
    # a categorical's categories and their order are part of its value (groupby follows them)
    low_high = pd.Series(["low", "high"], dtype=pd.CategoricalDtype(["low", "high"], ordered=True))
    high_low = pd.Series(["low", "high"], dtype=pd.CategoricalDtype(["high", "low"], ordered=True))
    assert digest(low_high) != digest(high_low)
    assert digest(pd.DataFrame({"c": low_high})) != digest(pd.DataFrame({"c": high_low}))
    assert digest(pd.CategoricalIndex(low_high)) != digest(pd.CategoricalIndex(high_low))
    assert digest((1,)) != digest([1]) and digest(1) != digest(1.0) and digest("1") != digest(1)

    @dataclass(frozen=True)
    class Setting:
        name: str
        values: np.ndarray

    assert digest(Setting("s", np.arange(3.0))) == digest(Setting("s", np.arange(3.0)))
    assert digest(Setting("s", np.arange(3.0))) != digest(Setting("s", np.arange(3)))


def test_a_changed_published_file_or_code_invalidates(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    shutil.copytree(REPO / "data" / "published", root / "data" / "published")
    monkeypatch.setenv(ROOT_ENV, str(root))
    before = memo.fingerprint()
    assert before == memo.fingerprint(root)
    table = next(p for p in sorted((root / "data" / "published").iterdir()) if p.suffix == ".csv")
    table.write_text(table.read_text() + "\n")
    assert memo.fingerprint() != before
    # the package's code and the library versions are in it too
    assert "numpy==" in memo.fingerprint() and "pandas==" in memo.fingerprint()


def test_a_damaged_entry_is_computed_again(cache):
    slow_sum(frame())
    (entry,) = cache.iterdir()
    entry.write_bytes(b"not a pickle")
    again = slow_sum(frame())
    assert len(CALLS) == 2 and again.loc["a", "total"] == 3.75
    assert entry.read_bytes() != b"not a pickle"


def test_an_argument_that_cannot_be_pickled_bypasses_the_cache(cache):
    @memo.memoized
    def apply(f, x):
        CALLS.append(x)
        return f(x)

    assert apply(lambda v: v + 1, 1) == 2 and apply(lambda v: v + 1, 1) == 2
    assert CALLS == [1, 1] and not cache.exists()


def test_the_pipeline_gives_its_kernels_the_runs_own_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(memo.CACHE_ENV, raising=False)
    paths = project(tmp_path)
    assert cache_env(paths) == {memo.CACHE_ENV: str(tmp_path.resolve() / "build" / "cache")}
    monkeypatch.setenv(memo.CACHE_ENV, "off")  # the caller's choice is inherited as it is
    assert cache_env(paths) == {}


def test_the_slow_functions_are_memoized():
    from collabcomm import audit, classroom, reconstruct, simulate

    for func in (audit.run_all, audit.reconcile, audit.innocent_explanations,
                 classroom.power_table, simulate.simulate_model,
                 reconstruct.reconstruct_schools, reconstruct.reconstruct_teachers):
        assert func.__wrapped__.__module__.startswith("collabcomm.")
        assert func.__wrapped__ is not func
