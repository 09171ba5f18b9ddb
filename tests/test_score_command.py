"""The ``score`` command says what it did (collabcomm.survey.score_file, output_names,
score_notes; collabcomm.pipeline.cli): ``--out`` as a folder, ``note:`` lines for respondents
left unscored and units not shown, the all-suppressed case, and unit ids in natural order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collabcomm import codebook, survey
from collabcomm.pipeline.cli import main

ITEMS = codebook.exhibit1().item_ids


def write_survey(path, units: dict[str, int], *, blank_rows: int = 0, short: int = 0,
                 seed: int = 0):
    """A small Exhibit 1 survey: ``units`` id -> respondents; the first ``short`` respondents
    answer only 3 of the 5 collaborative items (fewer than the 4 needed); ``blank_rows``
    respondents of the first unit answer nothing."""
    rng = np.random.default_rng(seed)
    rows = []
    for unit, n in units.items():
        for _ in range(n):
            rows.append({"teacher_id": f"T{len(rows) + 1:03d}", "school_id": unit,
                         **dict(zip(ITEMS, rng.integers(1, 6, len(ITEMS)).tolist(),
                                    strict=True))})
    data = pd.DataFrame(rows).astype({c: "Int64" for c in ITEMS})
    collab = [c for c in ITEMS if c.startswith("collaborative")]
    data.loc[: short - 1, collab[:2]] = pd.NA
    first = data.index[data["school_id"] == next(iter(units))][:blank_rows]
    data.loc[first, ITEMS] = pd.NA
    data.to_csv(path, index=False)
    return path


def test_out_as_an_existing_folder_writes_inside_it(tmp_path, capsys):
    src = write_survey(tmp_path / "district.csv", {"A": 6, "B": 6})
    folder = tmp_path / "results"
    folder.mkdir()
    assert main(["score", str(src), "--out", str(folder)]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(["district_scores.csv"] + [f"district_{k}.csv" for k in
                                                      survey.TABLE_KEYS])
    assert f"wrote {folder / 'district_scores.csv'}" in capsys.readouterr().out


def test_out_ending_in_a_slash_makes_the_folder(tmp_path):
    src = write_survey(tmp_path / "district.csv", {"A": 6, "B": 6})
    assert main(["score", str(src), "--out", f"{tmp_path / 'new'}/"]) == 0
    assert (tmp_path / "new").is_dir()  # not a file called "new"
    assert (tmp_path / "new" / "district_reliability.csv").is_file()
    # a file name still works as before
    assert main(["score", str(src), "--out", str(tmp_path / "x" / "s.csv")]) == 0
    assert (tmp_path / "x" / "s_reliability.csv").is_file()


def test_output_names_refuse_a_folder_without_a_survey():
    with pytest.raises(Exception, match="is a folder; give the survey"):
        survey.output_names("somewhere/")
    with pytest.raises(Exception, match=r"or a folder to write into \(--out build/scores/\)"):
        survey.output_names(" ")


def test_notes_count_unscored_respondents_and_hidden_units(tmp_path, capsys):
    src = write_survey(tmp_path / "s.csv", {"A": 8, "B": 6, "C": 3}, short=3, blank_rows=2)
    assert main(["score", str(src), "--out", str(tmp_path / "o.csv")]) == 0
    captured = capsys.readouterr()
    notes = [line for line in captured.err.splitlines() if line.startswith("note: ")]
    # A: 8 rows, the first 2 blank and the third short on collaborative -> 5 scored on
    # collaborative, 6 elsewhere; B: 6; C: 3 (below 5 on every scale)
    assert notes == [
        "note: traditional: 2 of 17 respondents answered fewer than 4 of 5 items and are not "
        "scored",
        "note: traditional: 1 of 3 units (school_id) has fewer than 5 scored respondents and "
        "is not shown on this scale",
        "note: bureaucratic: 2 of 17 respondents answered fewer than 4 of 5 items and are not "
        "scored",
        "note: bureaucratic: 1 of 3 units (school_id) has fewer than 5 scored respondents and "
        "is not shown on this scale",
        "note: collaborative: 3 of 17 respondents answered fewer than 4 of 5 items and are not "
        "scored",
        "note: collaborative: 1 of 3 units (school_id) has fewer than 5 scored respondents and "
        "is not shown on this scale",
        "note: fragmented: 2 of 17 respondents answered fewer than 4 of 5 items and are not "
        "scored",
        "note: fragmented: 1 of 3 units (school_id) has fewer than 5 scored respondents and is "
        "not shown on this scale",
        "note: 1 of 3 units (school_id) is below min_respondents on every scale: left out of "
        "the unit tables and listed, by id only, in the suppressed table"]
    assert "note:" not in captured.out
    scores = pd.read_csv(tmp_path / "o.csv")
    assert scores["collaborative"].isna().sum() == 3 and scores["traditional"].isna().sum() == 2


def test_no_note_when_nothing_is_left_out(tmp_path, capsys):
    src = write_survey(tmp_path / "s.csv", {"A": 6, "B": 6})
    assert main(["score", str(src), "--out", str(tmp_path / "o.csv")]) == 0
    assert "note:" not in capsys.readouterr().err


def test_every_unit_suppressed_is_said_plainly_and_exits_0(tmp_path, capsys):
    src = write_survey(tmp_path / "s.csv", {"A": 4, "B": 3})
    assert main(["score", str(src), "--out", str(tmp_path / "o.csv")]) == 0
    err = capsys.readouterr().err
    assert ("note: every unit is suppressed: none of the 2 units (school_id) has 5 scored "
            "respondents on any scale (min_respondents), so the unit tables (schools, icc, "
            "agreement) have a header only and every unit is listed in the suppressed table"
            ) in err.splitlines()
    for key, header in (("schools", "school_id,n_respondents,traditional,bureaucratic,"
                                    "collaborative,fragmented"),
                        ("icc", "scale,icc1,icc2,schools,teachers"),
                        ("agreement", "school_id,scale,rwg_j,rwg_star_j")):
        assert (tmp_path / f"o_{key}.csv").read_text(encoding="utf-8") == header + "\n"
    assert pd.read_csv(tmp_path / "o_suppressed.csv")["school_id"].tolist() == ["A", "B"]
    assert len(pd.read_csv(tmp_path / "o_reliability.csv")) == 4  # reliability is still shown


def test_unit_ids_in_natural_order_in_every_table(tmp_path):
    units = {"S10": 5, "S2": 5, "S1": 5, "S9": 2, "S11": 1, "3": 5, "20": 5}
    src = write_survey(tmp_path / "s.csv", units)
    survey.score_file(src, tmp_path / "o.csv")
    shown = ["3", "20", "S1", "S2", "S10"]
    assert pd.read_csv(tmp_path / "o_schools.csv", dtype=str)["school_id"].tolist() == shown
    agreement = pd.read_csv(tmp_path / "o_agreement.csv", dtype=str)
    assert agreement["scale"].tolist() == [s for s in ("traditional", "bureaucratic",
                                                       "collaborative", "fragmented")
                                           for _ in shown]
    assert agreement["school_id"].tolist() == shown * 4
    assert pd.read_csv(tmp_path / "o_suppressed.csv", dtype=str)["school_id"].tolist() == [
        "S9", "S11"]


def test_natural_key():
    ids = ["U10", "U2", "u1", "U1", "U01", "2", "10", "1b", "1a", "", "W-3.10", "W-3.9"]
    assert sorted(ids, key=survey.natural_key) == [
        "", "1a", "1b", "2", "10", "U01", "U1", "U2", "U10", "W-3.9", "W-3.10", "u1"]


def test_units_with_equal_means_do_not_stop_the_icc():
    # two schools whose means are equal: MSB = 0, ICC(2) = (MSB - MSW) / MSB is undefined
    from collabcomm.reliability import icc

    res = icc([1, 2, 3, 1, 2, 3], ["a", "a", "a", "b", "b", "b"])
    assert res["msb"] == 0 and np.isnan(res["icc2"])
    assert res["icc1"] == pytest.approx(-1 / (3 - 1))  # -MSW / ((k - 1) MSW)


@pytest.mark.notebooks
def test_notebook_02_parameter_chooses_the_mode(tmp_path):
    import io
    import shutil
    from pathlib import Path

    from collabcomm import instrument, pipeline

    repo = Path(__file__).resolve().parents[1]
    root = tmp_path / "proj"
    for sub in ("notebooks", "data", "figures"):
        shutil.copytree(repo / sub, root / sub)
    report = pipeline.run(root, only=["02"], progress=False, out=io.StringIO(),
                          overrides={"responses_path": "data/examples/example_survey.csv",
                                     "reliability_missing": "listwise"})
    assert report.ok, report.failure and report.failure.message
    written = pd.read_csv(root / "build" / "own_data" / "instrument_reliability.csv")
    assert set(written["missing_answers"]) == {"listwise"}
    responses = instrument.read_survey(repo / "data" / "examples" / "example_survey.csv")
    expected = survey.analyse(responses, reliability_missing="listwise")["reliability"]
    pairwise = survey.analyse(responses)["reliability"]
    assert written["n"].tolist() == expected["n"].tolist() != pairwise["n"].tolist()
    assert written["alpha"].tolist() == pytest.approx(expected["alpha"].tolist(), abs=1e-6)
