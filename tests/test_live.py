"""The live figures (collabcomm.live) lay out the classroom grids and compute nothing: each
control filters the grid, the numbers drawn are the grid's at its precision, and the same
object is a Vega-Lite output in JupyterLab."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from collabcomm import classroom as C
from collabcomm import live
from collabcomm.errors import ParameterError

STATISTICS = {"aggregate", "joinaggregate", "window", "regression", "loess", "density",
              "quantile", "bin", "impute", "pivot", "stack"}
"""Vega-Lite transforms (and encodings) that compute: a live figure must use none of them."""


def _table(n_values=C.GRID_N, effects=C.GRID_EFFECTS, reliabilities=C.GRID_RELIABILITIES,
           seed=0):
    """A grid of the real shape with made-up values (for layout and size: no simulation)."""
    rng = np.random.default_rng(seed)
    rows = [{"n_schools": n, "effect": e, "reliability": r, "level": lv,
             "power": rng.integers(0, 501) / 500, "type_m": 1 + 3 * rng.random(),
             "type_s": rng.random() / 10, "mean_estimate": e * r * rng.random()}
            for n in n_values for r in reliabilities for e in effects for lv in (0.1, 0.05, 0.01)]
    t = pd.DataFrame(rows)
    t.loc[0, ["type_m", "type_s"]] = np.nan  # no significant study
    return t


@pytest.fixture(scope="module")
def explorer():
    return live.power_explorer(_table(), C.attenuation_table())


def _walk(spec):
    if isinstance(spec, dict):
        yield spec
        for v in spec.values():
            yield from _walk(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _walk(v)


def test_the_grid_is_embedded_as_csv_at_its_precision():
    t = _table(n_values=[10, 26], effects=[0.08], reliabilities=[0.8])
    data = live.grid_data(t).to_dict()
    parsed = pd.read_csv(io.StringIO(data["values"]))
    assert list(parsed.columns) == list(t.columns)
    np.testing.assert_array_equal(parsed["power"], t["power"])  # multiples of 1/500: exact
    assert data["values"].splitlines()[1].startswith("10,0.08,0.80,0.10,")
    assert np.isnan(parsed.loc[0, "type_m"]) and ",," in data["values"].splitlines()[1]
    assert data["format"] == {"type": "csv", "parse": {c: "number" for c in t.columns}}


def test_the_explorer_has_four_controls_over_the_grid(explorer):
    params = {p["name"]: p for p in explorer.spec["params"]}
    assert set(params) == {"sel_n", "sel_effect", "sel_reliability", "sel_level"}
    n = params["sel_n"]
    assert (n["value"], n["bind"]["input"], n["bind"]["min"], n["bind"]["max"],
            n["bind"]["step"]) == (26, "range", 10, 60, 2)
    e, r = params["sel_effect"]["bind"], params["sel_reliability"]["bind"]
    assert (e["min"], e["max"], e["step"]) == (0.04, 0.2, 0.04)
    assert (r["min"], r["max"], r["step"]) == (0.5, 1.0, 0.1)
    assert params["sel_level"]["bind"] == {"input": "radio", "options": [0.1, 0.05, 0.01],
                                           "labels": ["0.10", "0.05", "0.01"],
                                           "name": "Significance level α "}


def test_the_explorer_computes_nothing_and_reads_the_grid(explorer):
    nodes = list(_walk(explorer.spec))
    used = {k for node in nodes for k in node} | {
        t.get("op") for node in nodes for t in [node] if "op" in node}
    assert not (used & STATISTICS), used & STATISTICS
    # three panels of the power grid (power, Type M, Type S) and one of attenuation
    names = {node.get("name") for node in nodes if isinstance(node.get("name"), str)}
    assert {"power_readout", "type_m_readout", "type_s_readout",
            "attenuation_readout"} <= names
    datasets = explorer.spec["datasets"]
    assert len(datasets) == 3  # the grid, the attenuation grid, the grid's mean estimates
    grid = pd.read_csv(io.StringIO(datasets[explorer.spec["data"]["name"]]))
    assert len(grid) == len(C.GRID_N) * 5 * 6 * 3


def test_the_embedded_data_is_well_under_a_megabyte(explorer):
    size = explorer.data_bytes()
    assert 50_000 < size < 250_000, size  # about 130 kB
    assert len(json.dumps(explorer.spec)) < 1_000_000


def test_in_a_notebook_it_is_a_vega_lite_output(explorer):
    bundle = explorer._repr_mimebundle_()
    assert set(bundle) == {live.VEGALITE_MIME, "text/plain"}
    assert bundle[live.VEGALITE_MIME] == explorer.chart.to_dict() == explorer.spec
    assert explorer.spec["$schema"].endswith("/vega-lite/v5.20.1.json")


def test_the_slide_is_the_power_curve_at_one_setting_with_an_n_slider():
    t = _table()
    fig = live.power_slide(t, effect=0.12, reliability=0.7, level=0.01, n=40)
    assert [p["name"] for p in fig.spec["params"]] == ["sel_n"]
    assert fig.spec["params"][0]["value"] == 40
    rows = pd.read_csv(io.StringIO(next(iter(fig.spec["datasets"].values()))))
    want = t.query("effect == 0.12 and reliability == 0.7 and level == 0.01")
    assert rows["n_schools"].tolist() == want["n_schools"].tolist()
    np.testing.assert_array_equal(rows["power"], want["power"])
    assert fig.data_bytes() < 2_000
    with pytest.raises(ParameterError, match=r"no rows at slope 0.1, reliability 0.7"):
        live.power_slide(t, effect=0.1, reliability=0.7)
