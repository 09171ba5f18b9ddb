"""Item bank, survey validation (the bad-input corpus) and scoring (collabcomm.instrument)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from collabcomm import instrument
from collabcomm.errors import SurveyFileError
from collabcomm.schema import FACETS, ITEM_IDS, SCALES

CORPUS = Path(__file__).parent / "data" / "bad_surveys"
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "example_survey.csv"


def _manifest():
    with open(CORPUS / "expected.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_item_bank_and_grid():
    bank = instrument.item_bank()
    assert list(bank["item_id"]) == list(ITEM_IDS)
    grid = instrument.item_grid()
    assert grid.shape == (5, 4)
    assert list(grid.index) == list(FACETS) and list(grid.columns) == list(SCALES)
    assert grid.loc["recruitment", "collaborative"].startswith("When we recruit new people")
    assert instrument.scale_items("fragmented")[0] == "fragmented_policies"


def test_corpus_has_at_least_25_files():
    assert len(_manifest()) >= 25
    assert {m["file"] for m in _manifest()} == {p.name for p in CORPUS.glob("*.csv")} - {"expected.csv"}


@pytest.mark.parametrize("case", _manifest(), ids=lambda m: m["file"])
def test_each_bad_survey_gives_its_message(case, monkeypatch):
    options = json.loads(case["options"])
    if "max_rows" in options:
        monkeypatch.setattr(instrument, "MAX_ROWS", options.pop("max_rows"))
    path = CORPUS / case["file"]
    with pytest.raises(SurveyFileError) as info:
        instrument.read_survey(path, **options)
    msg = str(info.value)
    assert case["message"] in msg
    if "scale_min" not in options:
        assert msg.startswith(str(path)), "the message must name the file"


def test_example_survey_reads_cleanly():
    df = instrument.read_survey(EXAMPLE)
    assert list(df.columns) == ["teacher_id", "school_id", *ITEM_IDS]
    assert df[list(ITEM_IDS)].isna().sum().sum() == 6  # the blanks in the example
    assert set(df["school_id"]) == {"EXAMPLE-A", "EXAMPLE-B", "EXAMPLE-C"}


def test_declared_missing_codes_become_missing(tmp_path):
    text = EXAMPLE.read_text().splitlines()
    header = text[0].split(",")
    row = text[1].split(",")
    row[header.index("collaborative_union")] = "-9"
    row[header.index("fragmented_union")] = "99"
    p = tmp_path / "coded.csv"
    p.write_text("\n".join([text[0], ",".join(row), *text[2:]]) + "\n")
    df = instrument.read_survey(p, missing_codes=[-9, 99])
    assert np.isnan(df.loc[0, "collaborative_union"]) and np.isnan(df.loc[0, "fragmented_union"])


def test_bom_and_column_order_are_accepted(tmp_path):
    df = pd.read_csv(EXAMPLE)
    p = tmp_path / "reordered.csv"
    p.write_bytes(b"\xef\xbb\xbf" + df[df.columns[::-1]].to_csv(index=False).encode())
    out = instrument.read_survey(p)
    assert list(out.columns) == ["teacher_id", "school_id", *ITEM_IDS]
    assert len(out) == len(df)


def _responses(values: dict[str, list[float]], n: int = 1) -> pd.DataFrame:
    n = len(next(iter(values.values()))) if values else n
    base = {"teacher_id": [f"t{i}" for i in range(n)], "school_id": ["A"] * n}
    base.update({i: [3.0] * n for i in ITEM_IDS})
    base.update(values)
    return pd.DataFrame(base)


def test_score_pomp_by_hand():
    # collaborative items 1,2,3,4,5 -> mean 3 -> 50; all 5 -> 100; all 1 -> 0
    r = _responses({f"collaborative_{f}": [v] for f, v in zip(FACETS, [1, 2, 3, 4, 5], strict=True)})
    r.loc[0, [f"traditional_{f}" for f in FACETS]] = 5.0
    r.loc[0, [f"fragmented_{f}" for f in FACETS]] = 1.0
    s = instrument.score(r).iloc[0]
    assert s["collaborative"] == 50.0 and s["traditional"] == 100.0 and s["fragmented"] == 0.0
    # a 1-7 scale: mean 4 -> 50
    assert instrument.score(_responses({}).replace(3.0, 4.0), scale_max=7).iloc[0]["bureaucratic"] == 50.0


def test_min_items_rule():
    r = _responses({"collaborative_policies": [np.nan, np.nan],
                    "collaborative_union": [5.0, np.nan]})
    s = instrument.score(r)  # teacher 0 answered 4 of 5, teacher 1 answered 3 of 5
    assert s.loc[0, "collaborative"] == pytest.approx(100 * ((3 * 3 + 5) / 4 - 1) / 4)
    assert np.isnan(s.loc[1, "collaborative"])
    assert list(s["n_items_collaborative"]) == [4, 3]
    s3 = instrument.score(r, min_items=3)
    assert s3.loc[1, "collaborative"] == 50.0
    with pytest.raises(SurveyFileError, match="min_items must be between 1 and 5"):
        instrument.score(r, min_items=6)


@pytest.mark.parametrize("codes, scale, message", [
    ([3], (1, 5), "missing-value code(s) [3] lie inside the response scale 1-5, so an answer of 3 "
                  "would be ambiguous"),
    ([-9, 1, 5], (1, 5), "missing-value code(s) [1, 5] lie inside the response scale 1-5"),
    ([9], (0, 10), "missing-value code(s) [9] lie inside the response scale 0-10"),
])
def test_missing_codes_inside_the_scale_are_refused(codes, scale, message):
    with pytest.raises(SurveyFileError) as info:
        instrument.read_survey(EXAMPLE, scale_min=scale[0], scale_max=scale[1],
                               missing_codes=codes)
    assert message in str(info.value)
    # outside the scale they are fine
    assert len(instrument.read_survey(EXAMPLE, missing_codes=[-9, 99])) == 29


def _example_rows():
    text = EXAMPLE.read_text().splitlines()
    return text[0], text[0].split(","), [line.split(",") for line in text[1:]]


@pytest.mark.parametrize(("edits", "named"), [
    # a wrong answer in a later column of an earlier row is named before an earlier column of
    # a later row, and before an empty id further down
    ([(3, "fragmented_union", "7"), (4, "traditional_policies", "x"), (5, "teacher_id", "")],
     "row 3, column 'fragmented_union'"),
    ([(4, "traditional_policies", "x"), (3, "school_id", "")], "row 3, column 'school_id'"),
    ([(2, "collaborative_union", "2.5"), (2, "traditional_policies", "9")],
     "row 2, column 'traditional_policies'"),
])
def test_the_first_wrong_cell_in_file_order_is_named(tmp_path, edits, named):
    """Answers are converted a column at a time (each distinct cell once); the error must
    still name the first wrong cell reading row by row, ids first, then the items in the
    codebook's order."""
    head, header, rows = _example_rows()
    for line, column, value in edits:
        rows[line - 2][header.index(column)] = value
    p = tmp_path / "bad.csv"
    p.write_text("\n".join([head, *(",".join(r) for r in rows)]) + "\n")
    with pytest.raises(SurveyFileError, match=named.replace("(", r"\(")):
        instrument.read_survey(p)


def test_answers_equal_a_cell_by_cell_reading(tmp_path):
    """Every cell of the example, with blanks, NA and declared codes, read column-wise equals
    float(cell) or NaN read one by one."""
    head, header, rows = _example_rows()
    rows[0][header.index("collaborative_union")] = "NA"
    rows[1][header.index("bureaucratic_union")] = " 4 "
    rows[2][header.index("fragmented_policies")] = "-9"
    p = tmp_path / "ok.csv"
    p.write_text("\n".join([head, *(",".join(r) for r in rows)]) + "\n")
    df = instrument.read_survey(p, missing_codes=[-9])
    for i, r in enumerate(rows):
        for item in ITEM_IDS:
            v = r[header.index(item)].strip()
            expected = np.nan if v in ("", "NA", "-9") else float(v)
            got = df.loc[i, item]
            assert (np.isnan(got) and np.isnan(expected)) or got == expected, (i, item, v)


def test_reading_pauses_the_garbage_collector_and_restores_it():
    import gc

    from collabcomm.instrument import _gc_paused
    assert gc.isenabled()
    with pytest.raises(ValueError), _gc_paused():
        assert not gc.isenabled()
        raise ValueError("a failure inside still restores the collector")
    assert gc.isenabled()
    gc.disable()
    try:
        with _gc_paused():
            pass
        assert not gc.isenabled()  # a caller's choice to keep it off is kept
    finally:
        gc.enable()


def test_blank_rows_anywhere_are_skipped_and_lines_still_count_them():
    from collabcomm.instrument import _nonblank
    rows = [["a", "1"], [], [" ", "\t"], ["", "2"], ["b", ""], ["  "]]
    assert _nonblank(rows) == [(2, ["a", "1"]), (5, ["", "2"]), (6, ["b", ""])]
    assert _nonblank([["x"]]) == [(2, ["x"])]
    assert _nonblank([]) == []
