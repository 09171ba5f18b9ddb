"""Model specifications as data (collabcomm.modelspec): Exhibit 4's six models from the
library's constants, the apipop example file, and one clear error, naming the file and the
key, for every kind of bad specification."""

from __future__ import annotations

from pathlib import Path

import pytest

from collabcomm import models, modelspec
from collabcomm.errors import CollabcommError, ModelSpecError
from collabcomm.modelspec import ModelSpec, exhibit4, load_spec
from collabcomm.schema import CONTROLS

REPO = Path(__file__).resolve().parents[1]
APIPOP_SPEC = REPO / "data" / "examples" / "apipop_models.yaml"
POWER_SPEC = REPO / "data" / "examples" / "apipop_power.yaml"


def test_exhibit4_is_built_from_the_librarys_constants():
    e = exhibit4()
    assert e.outcome == modelspec.OUTCOME == models.OUTCOME == "api_2012"
    assert e.controls == CONTROLS
    assert e.models == tuple(modelspec.ADDED.items()) and models.ADDED is modelspec.ADDED
    assert e.names == (1, 2, 3, 4, 5, 6)
    assert e.formula(1) == "api_2012 ~ sed_pct + api_2011 + school_size"
    assert e.formula(6) == ("api_2012 ~ sed_pct + api_2011 + school_size + bureaucratic + "
                            "traditional + fragmented + collaborative")
    assert e.regressors(5, drop=("sed_pct",)) == ["api_2011", "school_size", "collaborative"]
    # the printed rows of Exhibit 4 are the regressors in order of first appearance
    assert (*e.regressor_order, "const", "n_obs", "r_squared") == models.TERM_ORDER
    assert e.columns == ("api_2012", "sed_pct", "api_2011", "school_size", "bureaucratic",
                         "traditional", "fragmented", "collaborative")
    assert e.is_exhibit4 and e.main_model == 5 and e.focal(5) == "collaborative"
    assert e.focal(6) == "collaborative" and e.id is None and e.unit_id == "school_id"
    assert exhibit4() is e  # built once


def test_the_apipop_specification_file():
    s = load_spec(APIPOP_SPEC)
    assert s == ModelSpec("api00", ("api99", "meals", "enroll"), ((1, ()),), id="cds")
    assert s.source == str(APIPOP_SPEC)
    assert s.formula(1) == "api00 ~ api99 + meals + enroll"
    assert s.columns == ("api00", "api99", "meals", "enroll") and s.unit_id == "cds"
    assert not s.is_exhibit4 and s.main_model == 1
    with pytest.raises(CollabcommError, match="model 1 adds no term to the controls"):
        s.focal(1)
    p = load_spec(POWER_SPEC)
    assert p.formula(1) == "api00 ~ api99 + enroll + meals" and p.focal(1) == "meals"


def test_exhibit4_written_as_a_file_is_exhibit4(tmp_path):
    path = tmp_path / "e4.yaml"
    path.write_text("outcome: api_2012\ncontrols: [sed_pct, api_2011, school_size]\nmodels:\n"
                    "  - {name: 1}\n  - {name: 2, terms: [bureaucratic]}\n"
                    "  - {name: 3, terms: [traditional]}\n  - {name: 4, terms: [fragmented]}\n"
                    "  - {name: 5, terms: [collaborative]}\n"
                    "  - {name: 6, terms: [bureaucratic, traditional, fragmented, collaborative]}\n")
    spec = load_spec(path)
    assert spec == exhibit4() and spec.is_exhibit4 and spec.source == str(path)


def test_calls_with_a_model_or_drop_the_specification_lacks():
    e = exhibit4()
    with pytest.raises(CollabcommError, match=r"^Exhibit 4: model must be one of 1-6, not 7$"):
        e.regressors(7)
    with pytest.raises(CollabcommError, match=r"drop: unknown regressor\(s\) \['size'\]"):
        e.regressors(1, drop=("size",))
    s = ModelSpec("y", (), {2: ("x",), 4: ("x", "z")}, source="mine")
    with pytest.raises(CollabcommError, match=r"^mine: model must be one of 2, 4, not 3$"):
        s.terms(3)
    with pytest.raises(CollabcommError, match=r"mine: model 2 has no regressor left"):
        s.regressors(2, drop=("x",))
    assert s.regressor_order == ("x", "z") and s.formula(4) == "y ~ x + z"


GOOD = "outcome: api00\nid: cds\ncontrols: [api99, meals]\nmodels:\n  - {name: 1, terms: [enroll]}\n"


@pytest.mark.parametrize("text, key, why", [
    (GOOD.replace("outcome:", "outcom:"), "'outcom'", "is unknown; the keys are outcome, id, "
                                                      "controls, models"),
    (GOOD.replace("outcome: api00\n", ""), "'outcome'", "is missing"),
    (GOOD.replace("outcome: api00", "outcome:"), "'outcome'", "must be a column name, not None"),
    (GOOD.replace("outcome: api00", "outcome: ''"), "'outcome'", "must be a column name"),
    (GOOD.replace("outcome: api00", "outcome: [api00]"), "'outcome'", "must be a column name"),
    (GOOD.replace("[api99, meals]", "[api99, meals, api99]"), "'controls'",
     "'api99' is listed twice"),
    (GOOD.replace("[enroll]", "[enroll, enroll]"), "'models', model 1: 'terms'",
     "'enroll' is listed twice"),
    (GOOD.replace("[enroll]", "[meals]"), "'models', model 1", "term 'meals' is listed twice "
                                                              "(it is already a control)"),
    (GOOD.replace("[api99, meals]", "[api99, api00]"), "'outcome'",
     "'api00' is also a regressor (in controls)"),
    (GOOD.replace("[enroll]", "[api00]"), "'outcome'",
     "'api00' is also a regressor (in the terms of model 1)"),
    (GOOD.replace("[enroll]", "[cds]"), "'id'", "'cds' is also a regressor (in the terms of "
                                                "model 1)"),
    (GOOD.replace("id: cds", "id: api00"), "'id'", "'api00' is also the outcome"),
    (GOOD.replace("terms: [enroll]", "terms: enroll"), "'models', model 1: 'terms'",
     "must be a list of column names"),
    (GOOD.replace("[api99, meals]", "api99"), "'controls'", "must be a list of column names"),
    (GOOD.replace("[api99, meals]", "[api99, api.stu]"), "'controls'",
     "'api.stu' cannot be used in a model formula"),
    (GOOD.replace("[enroll]", "[const]"), "'models', model 1: 'terms'", "'const' cannot be used"),
    (GOOD.replace("  - {name: 1, terms: [enroll]}\n", "  []\n"), "'models'",
     "needs at least one model"),
    (GOOD.replace("  - {name: 1, terms: [enroll]}\n", "  {name: 1}\n"), "'models'",
     "must be a list of models"),
    (GOOD.replace("{name: 1, terms: [enroll]}", "enroll"), "'models', entry 1",
     "must be a mapping such as"),
    (GOOD.replace("{name: 1, terms", "{name: 1, term"), "'models', entry 1",
     "key 'term' is unknown; a model has the keys name, terms"),
    (GOOD.replace("name: 1, ", ""), "'models', entry 1", "key 'name' is missing"),
    (GOOD.replace("name: 1", "name: one"), "'models', entry 1",
     "'name' must be a whole number from 1 (models are numbered, as in Exhibit 4), not 'one'"),
    (GOOD.replace("name: 1", "name: 0"), "'models', entry 1", "'name' must be a whole number"),
    (GOOD.replace("name: 1", "name: true"), "'models', entry 1", "'name' must be a whole number"),
    (GOOD + "  - {name: 1, terms: []}\n", "'models', entry 2", "model 1 is listed twice"),
    (GOOD.replace("controls: [api99, meals]", "controls: []").replace("[enroll]", "[]"),
     "'models', model 1", "has no regressor (no controls and no terms)"),
])
def test_a_bad_specification_gets_one_message_naming_the_file_and_the_key(tmp_path, text, key,
                                                                           why):
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelSpecError) as info:
        load_spec(path)
    assert str(info.value).startswith(f"{path}: key {key}"), str(info.value)
    assert why in str(info.value)


@pytest.mark.parametrize("content, why", [
    (None, "model specification file not found"),
    (b"outcome: api00\nmodels: [{name: 1, terms: [a}\n",
     "not valid YAML at line 2, column 29: expected ',' or ']', but got '}'"),
    (b"outcome: api00\noutcome: api99\nmodels: [{name: 1, terms: [a]}]\n",
     "not valid YAML at line 2, column 1: key 'outcome' appears twice in one mapping"),
    (b"- outcome: api00\n", "must be a mapping with the keys outcome, id, controls, models"),
    (b"", "must be a mapping with the keys"),
    (b"outcome: api\xe9\n", "not UTF-8 text"),
])
def test_an_unreadable_specification_file_is_named(tmp_path, content, why):
    path = tmp_path / "spec.yaml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelSpecError) as info:
        load_spec(path)
    assert str(info.value).startswith(f"{path}: {why}"), str(info.value)
    assert "\n" not in str(info.value)  # one line


def test_a_specification_built_in_python_is_checked_the_same_way():
    with pytest.raises(ModelSpecError, match=r"^mine: key 'models', model 2: term 'x' is listed "
                                             r"twice \(it is already a control\)$"):
        ModelSpec("y", ["x"], {2: ["x"]}, source="mine")
    with pytest.raises(ModelSpecError, match=r"^model specification: key 'models': needs at "
                                             "least one model"):
        ModelSpec("y", ["x"], {})
    s = ModelSpec("y", ["x"], {1: ["z"]})
    assert s.controls == ("x",) and s.models == ((1, ("z",)),)  # lists become tuples
    assert s == ModelSpec("y", ("x",), ((1, ("z",)),), source="elsewhere")  # source not compared
    with pytest.raises(AttributeError):
        s.outcome = "w"  # frozen


# --- look-alike names: compared after Unicode NFKC normalization, as the formula parser does --

# names that NFKC folds into another name (most are valid Python identifiers)
LOOK_ALIKES = ["\uff58",            # full-width x -> x
               "\ufb01t",           # ligature fi + t -> fit
               "x\u2082",           # subscript two -> x2
               "\u210ccore",        # script capital H -> Hcore
               "\u2160",            # roman numeral one -> I
               "e\u0301t\u00e9",    # decomposed e-acute -> composed
               "ｍｅａｌｓ"]        # all full-width -> meals


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_a_name_the_formula_parser_would_fold_is_refused(tmp_path, name):
    import unicodedata

    assert unicodedata.normalize("NFKC", name) != name
    path = tmp_path / "spec.yaml"
    path.write_text(f"outcome: y\ncontrols: [{name}]\nmodels:\n  - {{name: 1}}\n",
                    encoding="utf-8")
    with pytest.raises(ModelSpecError) as info:
        load_spec(path)
    assert str(info.value).startswith(
        f"{path}: key 'controls': {name!r} is not a plain column name: it has compatibility "
        f"characters (full-width letters, ligatures, ...) that the formula parser reads as "
        f"{unicodedata.normalize('NFKC', name)!r}")
    with pytest.raises(ModelSpecError, match="not a plain column name"):
        ModelSpec("y", [], [(1, [name])])
    with pytest.raises(ModelSpecError, match="not a plain column name"):
        ModelSpec(name, ["a"], [(1, [])])


def _look_alike_data():
    """y depends on x (slope 2) and not on the full-width column (slope 0, noise)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    x, other = rng.normal(size=40), rng.normal(size=40)
    return pd.DataFrame({"y": 2 * x + rng.normal(scale=0.1, size=40), "x": x,
                         "\uff58": other})


def test_look_alike_columns_in_the_data_are_refused_before_any_fit(tmp_path):
    data = _look_alike_data()
    spec = ModelSpec("y", ["x"], [(1, [])])
    with pytest.raises(CollabcommError, match=r"columns \['x', 'ｘ'\] differ only in look-alike "
                                              r"characters"):
        models.fit(data, 1, spec=spec)
    path = tmp_path / "units.csv"
    data.to_csv(path, index=False)
    from collabcomm.schooldata import load_school_data
    with pytest.raises(CollabcommError, match=rf"^{path}: columns \['x', 'ｘ'\] differ only"):
        load_school_data(path, spec=spec)


def test_an_exact_name_fits_its_own_column(tmp_path):
    """The wrong result once given with exit 0: a term 'ｘ' on a file with x and ｘ fitted x
    and labelled it 'ｘ'. Renamed apart, each name fits its own column, checked on the slopes."""
    data = _look_alike_data().rename(columns={"\uff58": "x_wide"})
    fit_x = models.fit(data, 1, spec=ModelSpec("y", ["x"], [(1, [])]))
    fit_w = models.fit(data, 1, spec=ModelSpec("y", ["x_wide"], [(1, [])]))
    assert fit_x.params["x"] == pytest.approx(2.0, abs=0.05)
    assert abs(fit_w.params["x_wide"]) < 0.5
