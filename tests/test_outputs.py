"""Atomic writes and staging (collabcomm.outputs)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collabcomm import outputs
from collabcomm.outputs import csv_text


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLABCOMM_ROOT", str(tmp_path))
    monkeypatch.delenv(outputs.STAGE_ENV, raising=False)
    return tmp_path


def test_write_text_replaces_atomically(root):
    target = root / "figures" / "a.txt"
    outputs.write_text(target, "one\n")
    outputs.write_text(target, "two\n")
    assert target.read_text() == "two\n"
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]  # no temporary left


def test_interrupted_write_leaves_target_and_no_temporary(root):
    target = root / "data" / "derived" / "x.csv"
    outputs.write_text(target, "old\n")
    with pytest.raises(KeyboardInterrupt), outputs.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt
    assert target.read_text() == "old\n"
    assert [p.name for p in target.parent.iterdir()] == ["x.csv"]


def test_staging_redirects_project_writes_until_commit(root, monkeypatch):
    stage = root / "build" / "staging" / "03_x"
    monkeypatch.setenv(outputs.STAGE_ENV, str(stage))
    target = root / "figures" / "f.txt"
    landed = outputs.write_text(target, "new\n")
    assert landed == stage / "figures" / "f.txt"
    assert not target.exists()
    outside = root.parent / "outside.txt"  # an output_dir elsewhere: staged too
    assert outputs.destination(outside) == (stage.resolve() / outputs.OUTSIDE
                                            / outside.relative_to(outside.anchor))
    committed = outputs.commit_staged(stage, root)
    assert committed == [target]
    assert target.read_text() == "new\n" and not stage.exists()


def test_commit_skips_temporaries(root):
    stage = root / "stage"
    (stage / "figures").mkdir(parents=True)
    (stage / "figures" / ".f.tmp-123.png").write_bytes(b"partial")
    (stage / "figures" / "g.png").write_bytes(b"ok")
    assert outputs.commit_staged(stage, root) == [root / "figures" / "g.png"]
    assert not (root / "figures" / ".f.tmp-123.png").exists()


def test_write_csv_applies_the_precision_policy(root):
    df = pd.DataFrame({"a": [0.1 + 0.2, 1 / 3, None], "b": ["x", "y", "z"],
                       "p_hc3": [1 / 3, 2.5e-18, -0.0], "n": [26, 25, 24]})
    p = root / "data" / "derived" / "t.csv"
    outputs.write_csv(df, p)
    first = p.read_bytes()
    outputs.write_csv(df, p)
    assert p.read_bytes() == first
    # estimates to 7 significant digits, p-values to 4, counts exact, NaN blank, -0 as 0
    assert first == b"a,b,p_hc3,n\n0.3,x,0.3333,26\n0.3333333,y,2.5e-18,25\n,z,0,24\n"


@pytest.mark.parametrize("err", [28, 13, 30])  # ENOSPC (full disk), EACCES, EROFS
def test_an_atomic_write_that_fails_names_the_path_and_the_reason(tmp_path, monkeypatch, err):
    import os

    from collabcomm.errors import OutputWriteError

    target = tmp_path / "figures" / "x.png"
    target.parent.mkdir()
    target.write_bytes(b"previous")

    def failing(src, dst):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(outputs.os, "replace", failing)
    with pytest.raises(OutputWriteError) as info:
        outputs.write_bytes(target, b"new")
    assert str(info.value) == (f"{target}: cannot write ({os.strerror(err)}); this file keeps "
                               "its previous version")
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.png"]  # no temporary left


def test_a_file_outside_the_project_is_staged_and_committed_back(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    (root / "notebooks").mkdir(parents=True)
    (root / "notebooks" / "params.yaml").write_text("notebooks: {}\n")
    monkeypatch.setenv("COLLABCOMM_ROOT", str(root))
    stage = tmp_path / "stage"
    monkeypatch.setenv(outputs.STAGE_ENV, str(stage))
    elsewhere = tmp_path / "elsewhere" / "x.csv"
    landed = outputs.write_text(elsewhere, "a\n")
    assert not elsewhere.exists() and landed.is_relative_to(stage.resolve())
    assert outputs.commit_staged(stage, root) == [elsewhere]
    assert elsewhere.read_text() == "a\n"


_CELLS = st.one_of(st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
                   st.sampled_from(["", " ", ",", '"', "\n", "\r", "a,b", 'x"y', "é"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_CELLS, st.integers(-10**12, 10**12), st.booleans(),
                          st.floats(allow_nan=True, allow_infinity=True), _CELLS),
                max_size=8),
       st.sampled_from(["plain", "with floats", "with a missing text", "string dtype"]))
def test_csv_text_writes_what_to_csv_writes(rows, kind):
    # the direct csv.writer path (text, integers, booleans) and to_csv must agree byte for byte
    from collabcomm.outputs import _plain_columns
    from collabcomm.precision import format_table
    frame = pd.DataFrame(rows, columns=["text", "n", "flag", "x", "b,c"]).astype(
        {"text": object, "b,c": object, "n": "int64", "flag": bool})
    if kind == "plain":
        frame = frame.drop(columns="x")
    elif kind == "with a missing text" and len(frame):
        frame.loc[0, "text"] = None
    elif kind == "string dtype":
        frame = frame.drop(columns="x").astype({"text": "string"})
    expected = format_table(frame).to_csv(index=False, lineterminator="\n")
    assert csv_text(frame) == expected
    if kind in ("plain", "string dtype"):
        assert _plain_columns(format_table(frame)) is not None  # the direct path was taken
