"""School data as the analyses accept it (collabcomm.schooldata): one rule for blank cells and
non-numbers, one check of the design for every entry point, and files named in every message."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from collabcomm import models as M
from collabcomm import reconstruct, schooldata
from collabcomm.errors import CollabcommError


def _school_file(tmp_path, change=None, name="schools.csv"):
    data = reconstruct.schools().astype({"collaborative": object})
    path = tmp_path / name
    (change(data) if change else data).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("change, message", [
    (lambda d: d.drop(columns=["sed_pct"]), r"schools\.csv: missing column\(s\) \['sed_pct'\]"),
    (lambda d: d.assign(collaborative=d["collaborative"].where(d.index != 2, "high")),
     r"schools\.csv: column 'collaborative', row 4: 'high' is not a number"),
    (lambda d: d.assign(collaborative=d["collaborative"].where(d.index != 2)),
     r"schools\.csv: column 'collaborative', row 4: is blank"),
])
def test_load_school_data_names_file_column_and_line(tmp_path, change, message):
    # row numbers are file lines: the header is line 1, the third school line 4
    with pytest.raises(CollabcommError, match=message):
        schooldata.load_school_data(_school_file(tmp_path, change))


def test_load_school_data_reads_a_good_file_and_refuses_a_missing_or_empty_one(tmp_path):
    data = schooldata.load_school_data(_school_file(tmp_path))
    assert len(data) == 26 and data["collaborative"].dtype.kind == "f"
    with pytest.raises(CollabcommError, match=r"none\.csv: school data file not found"):
        schooldata.load_school_data(tmp_path / "none.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(CollabcommError, match=r"empty\.csv: cannot be read as CSV"):
        schooldata.load_school_data(tmp_path / "empty.csv")


def test_one_blank_cell_rule_for_every_entry_point(tmp_path):
    from collabcomm import simulate
    from collabcomm.errors import MissingDataWarning, ParameterError

    d = reconstruct.schools(1)
    d.loc[[2, 7], "collaborative"] = np.nan
    d.loc[4, "bureaucratic"] = np.nan  # used by models 2 and 6 only
    # refused by default, naming the column and the (1-based) row
    for call in (lambda: M.fit(d, 5), lambda: M.fit_all(d), lambda: M.vifs(d, 5),
                 lambda: M.influence(d, 5), lambda: M.partial_regression(d, 5, "collaborative"),
                 lambda: simulate.population_from_data(d, source="d")):
        with pytest.raises(CollabcommError, match=r"column '(collaborative|bureaucratic)', "
                                                  r"row (3|5): is blank"):
            call()
    # a model that does not use the blank column is not affected
    assert int(M.fit(d, 3).nobs) == 26
    # dropped on request, with a warning that counts and names the rows
    with pytest.warns(MissingDataWarning, match=r"left out 2 of 26 rows .* \(rows 3, 8\)"):
        res = M.fit(d, 5, missing="drop")
    assert int(res.nobs) == 24
    complete = d.drop(index=[2, 7])
    np.testing.assert_allclose(res.params, M.fit(complete, 5).params, rtol=1e-12)
    with pytest.warns(MissingDataWarning, match="left out 3 of 26 rows"):
        pop = simulate.population_from_data(d, source="d", missing="drop")
    assert pop.means["api_2012"] == pytest.approx(d.drop(index=[2, 4, 7])["api_2012"].mean())
    path = tmp_path / "schools.csv"
    d.to_csv(path, index=False)
    with pytest.raises(CollabcommError, match=r"schools\.csv: column 'collaborative', row 4: "):
        schooldata.load_school_data(path)  # file lines: the header is line 1
    with pytest.warns(MissingDataWarning, match=r"rows 4, 6, 9\)"):
        assert len(schooldata.load_school_data(path, missing="drop")) == 23
    with pytest.raises(ParameterError, match="missing must be one of"):
        M.fit(d, 1, missing="pairwise")


def _with_cell(column, row, value):
    """A change for _school_file: data row ``row`` (0-based) of ``column`` set to ``value``."""
    def change(d):
        d = d.astype({column: object})
        d.loc[row, column] = value
        return d
    return change


@pytest.mark.parametrize("change, where, what", [
    (_with_cell("api_2012", 0, "inf"), "column 'api_2012', row 2", "'inf' is not a finite number"),
    (_with_cell("sed_pct", 5, "-inf"), "column 'sed_pct', row 7", "'-inf' is not a finite number"),
    (_with_cell("school_size", 9, "1e200"), "column 'school_size', row 11",
     r"'1e\+200' is larger in size than 1e\+12"),
    (_with_cell("school_id", 3, ""), "column 'school_id', row 5", "is blank; every school needs "
                                                                  "an id"),
    (_with_cell("school_id", 6, "S02"), "column 'school_id', row 8",
     "'S02' repeats row 3; each school must appear once"),
])
def test_numbers_that_are_not_numbers_and_missing_ids_are_refused(tmp_path, change, where, what):
    # every entry point that reads a school file: notebooks 04 and 05 (load_school_data) and
    # 07 (population_from_data on the frame; its rows are counted from 1, not file lines)
    from collabcomm import simulate

    path = _school_file(tmp_path, change)
    with pytest.raises(CollabcommError, match=rf"schools\.csv: {where}: {what}"):
        schooldata.load_school_data(path)
    frame_rows = lambda text: re.sub(r"row (\d+)", lambda m: f"row {int(m[1]) - 1}", text)  # noqa: E731
    with pytest.raises(CollabcommError, match=rf"own: {frame_rows(where)}: {frame_rows(what)}"):
        simulate.population_from_data(pd.read_csv(path), source="own")


@pytest.mark.parametrize("change, for_models, for_population", [
    (lambda d: d.head(2), r"2 school\(s\); model 1 \(3 regressors and a constant\) needs at "
                          r"least 5", r"2 school\(s\); a population of 8 variables needs at least 9"),
    (lambda d: d.head(8), r"8 school\(s\); model 6 \(7 regressors and a constant\) needs at "
                          r"least 9", r"8 school\(s\); a population of 8 variables needs at least 9"),
    (lambda d: d.assign(fragmented=3.0),
     r"column\(s\) \['fragmented'\] are constant \(zero variance\); model 4 \(4 regressors and "
     r"a constant\) cannot be estimated from them",
     r"column\(s\) \['fragmented'\] are constant \(zero variance\); a population of 8 "
     r"variables cannot be estimated from them"),
    (lambda d: d.assign(api_2011=2 * d["school_size"] + 1),
     r"the correlation matrix of \['api_2012', 'sed_pct', 'api_2011', 'school_size'\] is not "
     r"positive definite \(smallest eigenvalue .*\); columns \['api_2011', 'school_size'\] are "
     r"collinear, so model 1 \(3 regressors and a constant\) cannot separate them",
     r"the correlation matrix of .* is not positive definite \(smallest eigenvalue .*\); columns "
     r"\['api_2011', 'school_size'\] are collinear, so a population of 8 variables cannot "
     r"separate them"),
])
def test_one_validation_of_degenerate_school_files(tmp_path, change, for_models, for_population):
    # notebook 04 (load_school_data, fit_all) refuses what notebook 07 (population_from_data)
    # refuses, through the same check_design, and both name the file
    from collabcomm import simulate

    data = reconstruct.schools()
    path = tmp_path / "own.csv"
    change(data).to_csv(path, index=False)
    schools = schooldata.load_school_data(path)
    with pytest.raises(CollabcommError, match=rf"^{re.escape(str(path))}: {for_models}"):
        M.fit_all(schools)
    with pytest.raises(CollabcommError, match=rf"^{re.escape(str(path))}: {for_population}"):
        simulate.population_from_data(schools, source=str(path))
    for call in (lambda: M.vifs(schools, 6), lambda: M.influence(schools, 6),
                 lambda: M.partial_regression(schools, 6, "collaborative")):
        with pytest.raises(CollabcommError, match=rf"^{re.escape(str(path))}: "):
            call()


# --- any unit file: the columns a model specification names ----------------------------------

def _unit_file(tmp_path, rows, name="units.csv"):
    path = tmp_path / name
    path.write_text("cds,api00,api99,meals,enroll,note\n" + "".join(f"{r}\n" for r in rows))
    return path


UNITS = ["01611190130229,731,693,14,1278,a", "01611190132878,622,589,20,1113,",
         "01611196000004,622,572,55,546,b", "01611196090005,774,732,35,330,c",
         "01611196090013,811,784,15,233,d", "01611196090021,780,725,25,276,e"]


def test_a_unit_file_needs_the_columns_of_its_specification(tmp_path):
    from collabcomm.modelspec import ModelSpec

    spec = ModelSpec("api00", ("api99", "meals", "enroll"), {1: ()}, id="cds", source="spec")
    data = schooldata.load_school_data(_unit_file(tmp_path, UNITS), spec=spec)
    # the eight school variables are not asked for; the id is read as text; other columns
    # (note, with a blank cell) are kept and not checked
    assert len(data) == 6 and data["cds"].tolist()[0] == "01611190130229"
    assert data["api00"].tolist() == [731, 622, 622, 774, 811, 780]
    assert data.attrs["source"] == str(tmp_path / "units.csv")
    with pytest.raises(CollabcommError, match=r"units\.csv: missing column\(s\) \['api_2012', "):
        schooldata.load_school_data(_unit_file(tmp_path, UNITS))  # no spec: the school columns
    lacking = ModelSpec("api00", ("api99", "mobility"), {1: ()}, id="cds")
    with pytest.raises(CollabcommError, match=r"units\.csv: missing column\(s\) \['mobility'\]"):
        schooldata.load_school_data(_unit_file(tmp_path, UNITS), spec=lacking)
    no_id = ModelSpec("api00", ("api99",), {1: ()}, id="school")
    with pytest.raises(CollabcommError, match=r"units\.csv: missing column\(s\) \['school'\]"):
        schooldata.load_school_data(_unit_file(tmp_path, UNITS), spec=no_id)
    # without an id in the specification, school_id is checked where present, never required
    anon = ModelSpec("api00", ("api99",), {1: ()})
    assert len(schooldata.load_school_data(_unit_file(tmp_path, UNITS), spec=anon)) == 6


@pytest.mark.parametrize("rows, message", [
    ([UNITS[0], "," + UNITS[1].split(",", 1)[1]], r"column 'cds', row 3: is blank; every unit "
                                                   r"needs an id"),
    ([UNITS[0], UNITS[0]], r"column 'cds', row 3: '01611190130229' repeats row 2; each unit "
                           r"must appear once"),
    ([UNITS[0], UNITS[1].replace(",20,", ",,")], r"column 'meals', row 3: is blank \(pass "
                                                  r"missing=\"drop\""),
    ([UNITS[0], UNITS[1].replace(",20,", ",twenty,")], r"column 'meals', row 3: 'twenty' is not a "
                                                     r"number"),
])
def test_a_bad_unit_file_is_refused_naming_file_column_and_line(tmp_path, rows, message):
    from collabcomm.modelspec import ModelSpec

    spec = ModelSpec("api00", ("api99", "meals", "enroll"), {1: ()}, id="cds")
    with pytest.raises(CollabcommError, match=rf"units\.csv: {message}"):
        schooldata.load_school_data(_unit_file(tmp_path, rows), spec=spec)


def test_check_school_data_takes_any_numeric_columns():
    d = pd.DataFrame({"y": [1.0, 2.0, None], "x": ["3", "4", "5"], "label": ["a", "b", "c"]})
    out = schooldata.check_school_data(d, "demo", columns=["x"])
    assert list(out.columns) == ["x"] and out["x"].tolist() == [3.0, 4.0, 5.0]
    with pytest.raises(CollabcommError, match=r"demo: column 'y', row 3: is blank"):
        schooldata.check_school_data(d, "demo", columns=["x", "y"])
    with pytest.raises(CollabcommError, match=r"demo: column 'label', row 1: 'a' is not a number"):
        schooldata.check_school_data(d, "demo", columns=["label"])
