"""Diagnostics of differing outputs name the file, the cell and the size of the change
(collabcomm.pipeline.compare)."""

from __future__ import annotations

import json

import pytest

from collabcomm.pipeline.compare import compare_csv, compare_trees, relative_difference


def test_relative_difference():
    assert relative_difference("0.5", "0.4") == pytest.approx(0.2)
    assert relative_difference("0", "0") == 0.0
    assert relative_difference("x", "1") is None and relative_difference("", "1") is None


def test_compare_csv_names_row_column_values(tmp_path):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text("term,coef,p\nsed_pct,-0.6500000,0.01\napi_2011,0.63,0.002\n")
    new.write_text("term,coef,p\nsed_pct,-0.6500001,0.01\napi_2011,0.63,0.002\n")
    assert compare_csv(new, new) == []
    lines = compare_csv(new, old)
    assert lines == ["row 1, column coef: committed '-0.6500000', new '-0.6500001' "
                     "(relative difference 1.5e-07)"]


def test_compare_csv_shape_and_limits(tmp_path):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text("a\n" + "".join(f"{i}\n" for i in range(30)))
    new.write_text("a\n" + "".join(f"{i + 1}\n" for i in range(30)))
    lines = compare_csv(new, old, max_cells=3)
    assert len(lines) == 4 and lines[-1] == "... and 27 more cells"
    new.write_text("b\n1\n")
    assert compare_csv(new, old) == ["columns differ: committed ['a'], new ['b']"]
    new.write_text("a\n1\n")
    assert compare_csv(new, old) == ["number of rows differs: committed 30, new 1"]
    new.write_text(old.read_text().replace("\n", "\r\n"))
    assert compare_csv(new, old) == ["same cells, different bytes (line endings or quoting)"]


def test_compare_trees_names_a_figure_and_its_data(tmp_path):
    new, old = tmp_path / "new", tmp_path / "old"
    for root, value, png in ((new, "0.2", b"A"), (old, "0.1", b"B")):
        (root / "data/derived").mkdir(parents=True)
        (root / "figures").mkdir()
        (root / "data/derived/t.csv").write_text(f"x\n{value}\n")
        (root / "data/derived/same.csv").write_text("y\n1\n")
        (root / "figures/f.png").write_bytes(png)
    (old / "figures/only_committed.png").write_bytes(b"C")
    (old / "figures/README.md").write_text("ignored")
    stamps = new / "build/stamps"
    stamps.mkdir(parents=True)
    (stamps / "03_x.json").write_text(json.dumps({"notebook": "03_x", "outputs": [
        "data/derived/t.csv", "data/derived/same.csv", "figures/f.png"]}))
    derived = compare_trees(new, old, "data/derived", stamps=stamps)
    assert derived == ["data/derived/t.csv:", "  row 1, column x: committed '0.1', new '0.2' "
                       "(relative difference 0.5)"]
    figs = compare_trees(new, old, "figures", stamps=stamps)
    assert figs == [
        "figures/f.png: figure differs; drawn by notebook 03_x, whose data files are "
        "data/derived/t.csv, data/derived/same.csv; of these data/derived/t.csv differ too",
        "figures/only_committed.png: committed but no notebook produces it"]


def test_compare_outputs_covers_both_folders_with_the_runs_stamps(tmp_path):
    from collabcomm.pipeline.compare import OUTPUT_FOLDERS, compare_outputs

    new, old = tmp_path / "new", tmp_path / "old"
    for root, value in ((new, "1"), (old, "2")):
        for folder in OUTPUT_FOLDERS:
            (root / folder).mkdir(parents=True)
        (root / "data/derived/t.csv").write_text(f"x\n{value}\n")
        (root / "figures/f.svg").write_text(f"<svg>{value}</svg>")
    (new / "build/stamps").mkdir(parents=True)
    (new / "build/stamps/01_a.json").write_text(json.dumps(
        {"notebook": "01_a", "outputs": ["data/derived/t.csv", "figures/f.svg"]}))
    assert compare_outputs(new, old) == [
        "data/derived/t.csv:", "  row 1, column x: committed '2', new '1' (relative difference 0.5)",
        "figures/f.svg: figure differs; drawn by notebook 01_a, whose data files are "
        "data/derived/t.csv; of these data/derived/t.csv differ too"]
    assert compare_outputs(new, new) == []
