"""Property-based tests: random survey files, valid and invalid, and every notebook parameter.

Valid surveys score; anything else raises SurveyFileError, never a raw KeyError, ValueError
or csv error from the parsing libraries.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collabcomm import instrument
from collabcomm.errors import ParameterError, SurveyFileError
from collabcomm.pipeline import params
from collabcomm.schema import ITEM_IDS, TEACHER_ID_COLUMNS

HEADER = [*TEACHER_ID_COLUMNS, *ITEM_IDS]
answers = st.one_of(st.integers(1, 5).map(str), st.just(""))


@st.composite
def valid_survey(draw):
    n = draw(st.integers(1, 12))
    ids = draw(st.lists(st.text("abcdefXYZ0123456789-", min_size=1, max_size=6),
                        min_size=n, max_size=n, unique=True))
    schools = draw(st.lists(st.sampled_from(["A", "B", "C"]), min_size=n, max_size=n))
    rows = [[t, s, *draw(st.lists(answers, min_size=20, max_size=20))]
            for t, s in zip(ids, schools, strict=True)]
    order = draw(st.permutations(range(len(HEADER))))
    return [HEADER[i] for i in order], [[r[i] for i in order] for r in rows]


def _csv_bytes(header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(survey=valid_survey())
def test_valid_surveys_score(survey, tmp_path):
    header, rows = survey
    path = tmp_path / "ok.csv"
    path.write_bytes(_csv_bytes(header, rows))
    df = instrument.read_survey(path)
    assert list(df.columns) == HEADER and len(df) == len(rows)
    scores = instrument.score(df)
    vals = scores[["traditional", "bureaucratic", "collaborative", "fragmented"]].to_numpy()
    assert np.all(np.isnan(vals) | ((vals >= 0) & (vals <= 100)))


MUTATIONS = ["drop_column", "rename_column", "bad_value", "duplicate_id", "ragged",
             "empty_id"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(survey=valid_survey(), mutation=st.sampled_from(MUTATIONS), data=st.data())
def test_invalid_surveys_raise_only_survey_file_error(survey, mutation, data, tmp_path):
    header, rows = survey
    header, rows = list(header), [list(r) for r in rows]
    col = data.draw(st.integers(0, len(header) - 1))
    row = data.draw(st.integers(0, len(rows) - 1))
    if mutation == "drop_column":
        header.pop(col)
        rows = [r[:col] + r[col + 1:] for r in rows]
    elif mutation == "rename_column":
        header[col] = header[col] + data.draw(st.text("xyz_", min_size=1, max_size=3))
    elif mutation == "bad_value":
        item_cols = [i for i, h in enumerate(header) if h in ITEM_IDS]
        c = data.draw(st.sampled_from(item_cols))
        rows[row][c] = data.draw(st.one_of(
            st.integers(-100, 0).map(str), st.integers(6, 1000).map(str),
            # not whole: "2.00" is the whole number 2, a valid answer
            st.floats(1.01, 4.99).map(lambda v: f"{v:.2f}").filter(lambda s: s[-3:] != ".00"),
            st.text("abcxyz!?", min_size=1, max_size=5), st.just("inf"), st.just("1e400")))
    elif mutation == "duplicate_id":
        rows.append(list(rows[row]))
    elif mutation == "ragged":
        rows[row] = rows[row] + ["1"]
    elif mutation == "empty_id":
        rows[row][header.index("teacher_id")] = ""
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv_bytes(header, rows))
    with pytest.raises(SurveyFileError) as info:
        instrument.read_survey(path)
    assert str(path) in str(info.value)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise_a_raw_error(content, tmp_path):
    path = tmp_path / "any.csv"
    path.write_bytes(content)
    try:
        instrument.read_survey(path)
    except SurveyFileError:
        pass


def _wrong_values(spec):
    """A wrongly typed value and, where the declaration bounds it, out-of-range values."""
    wrong = {"int": "seven", "float": "high", "str": 12, "bool": "yes", "path": 3,
             "list": 5}[spec.type]
    out = [wrong]
    kind = spec.items if spec.type == "list" else spec.type
    if kind in ("int", "float") and spec.min is not None:
        low = spec.min - 1
        out.append([low] * (spec.length or 1) if spec.type == "list" else low)
    if kind in ("int", "float") and spec.max is not None:
        high = spec.max + 1
        out.append([high] * (spec.length or 1) if spec.type == "list" else high)
    if spec.choices is not None and spec.type != "list":
        out.append("not-a-choice")
    return out


SPECS = params.load_specs()
CASES = [(nb, name, bad) for nb, spec in SPECS.items() for name, p in spec.parameters.items()
         for bad in _wrong_values(p)]


@pytest.mark.parametrize("notebook, name, bad", CASES,
                         ids=[f"{nb}-{name}-{i}" for i, (nb, name, _) in enumerate(CASES)])
def test_every_notebook_parameter_refuses_bad_values(notebook, name, bad):
    with pytest.raises(ParameterError) as info:
        params.resolve_parameters(SPECS, [notebook], {name: bad})
    assert f"notebook {notebook}: parameter '{name}'" in str(info.value)


def test_every_notebook_has_validated_parameters():
    assert len(SPECS) == 7
    assert all(spec.parameters for spec in SPECS.values())
    assert len(CASES) > 40
