"""Tables for readers (collabcomm.present.tables): every number at the precision it carries,
human headers, no meaningless index, an en dash for a missing value, caption and note."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from collabcomm.present import tables as t

RAW = re.compile(r"(?<![\w.])-?\d+\.\d{6,}(?![\w.])|\b\d\.\d+e[-+]\d+\b")
"""A number as raw pandas prints it: six or more decimals, or e-notation."""


def test_p_values_are_printed_as_apa_prints_them():
    assert [t.format_p(p) for p in (0.0172, 0.001924, 0.00049, 2.455e-06, 0.5, 1.0)] == [
        ".017", ".002", "< .001", "< .001", ".500", "1.000"]
    assert t.format_p(float("nan")) == t.MISSING
    assert t.format_p(0.05, threshold=False) == ".05"


def test_estimates_have_three_decimals_and_no_negative_zero():
    assert [t.format_estimate(x) for x in (0.401806, -0.65123, -0.0004, 371.816615)] == [
        "0.402", "−0.651", "0.000", "371.817"]
    assert t.format_estimate(2.455e-06) == "0.000"
    assert t.format_estimate(float("inf")) == "∞"


def test_magnitudes_are_written_without_e_notation():
    assert [t.format_magnitude(x) for x in (0.0, 3.2e-13, -4e-15, 0.02)] == [
        "0", "< 10⁻¹²", "< 10⁻¹⁴", "0.020"]


def test_each_column_kind_is_read_from_its_name_and_values():
    frame = pd.DataFrame({"coef": [0.1234], "p_hc3": [0.2], "published": [350.9],
                          "count": [614.0], "n": [26], "ok": [True], "note": ["x"]})
    kinds = {c: t.column_kind(c, frame[c]) for c in frame}
    assert kinds == {"coef": "estimate", "p_hc3": "p", "published": "published",
                     "count": "count", "n": "count", "ok": "flag", "note": "text"}


def test_headers_are_human():
    assert [t.header(c) for c in ("r_squared", "sd", "published_stars", "power_0.05", "se_hc3")
            ] == ["R²", "SD", "Published stars", "Power at α = .05", "SE (HC3)"]
    assert t.header(("rwg_j", "median")) == "rwg(j), median"
    # a Greek first letter is a symbol, never capitalised (Table 3.2's λ1, Table 7.2's α)
    assert [t.header(c) for c in ("λ1", "α = 0.55", "β", "q95")] == [
        "λ1", "α = 0.55", "β", "95th percentile"]


def test_a_regression_table_reads_as_a_journal_prints_it():
    fits = pd.DataFrame({"term": ["sed_pct", "collaborative", "const"],
                         "coef": [-0.65123, 0.401806, np.nan], "p": [1.924e-03, 0.0172, 0.5],
                         "n_obs": [26.0, 26.0, 26.0], "published": [-0.65, 0.957, np.nan],
                         "in_model": [True, False, True]})
    out = t.table(fits, "Table 4.1: Six models", note="Source: paper 001, Exhibit 4.")
    assert list(out.cells.columns) == ["Term", "Coefficient", "p", "N", "Published", "In model"]
    assert out.cells.values.tolist() == [
        ["sed_pct", "−0.651", ".002", "26", "−0.65", "yes"],
        ["collaborative", "0.402", ".017", "26", "0.957", "no"],
        ["const", "–", ".500", "26", "–", "yes"]]
    html = out.to_html()
    assert '<p class="cc-table-caption" id="t-caption"><strong>Table 4.1: Six models' in html
    assert "<em>Note.</em> Source: paper 001, Exhibit 4." in html
    assert 'class="cc-table-scroll" tabindex="0" style="overflow-x: auto' in html
    assert "row_heading" not in html  # no index column
    assert not RAW.search(html) and "NaN" not in html and "dtype" not in html
    assert repr(out).splitlines()[0] == "Table 4.1: Six models"


def test_a_labelled_index_becomes_the_first_column_and_a_range_index_is_dropped():
    labelled = pd.DataFrame({"mean": [849.2212345]}, index=pd.Index(["api_2012"], name="variable"))
    assert t.table(labelled, "c").cells.values.tolist() == [["api_2012", "849.22"]]
    assert list(t.table(labelled, "c").cells.columns) == ["Variable", "Mean"]
    plain = pd.DataFrame({"x": [1.5, 2.25]})
    assert list(t.table(plain, "c").cells.columns) == ["X"]


def test_a_series_of_named_quantities_is_formatted_row_by_row():
    one = pd.Series({"reps": 2000.0, "power": 0.40123, "type_s": 2.455e-06, "mean": 371.816615},
                    name="N = 26")
    out = t.table(one, "c")
    assert out.cells.values.tolist() == [["Replications", "2000"], ["Power", "0.401"],
                                         ["Type S", "0.000"], ["Mean", "371.82"]]


def test_missing_values_of_every_kind_read_as_an_en_dash():
    frame = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": [None, "x"],
                          "c": [pd.NaT, pd.Timestamp("2012-01-01")], "d": [np.nan, 0.5]})
    cells = t.table(frame, "c").cells
    assert cells.iloc[0].tolist() == ["1", "–", "–", "–"]
    assert not {"NaN", "nan", "<NA>", "None", "NaT"} & set(cells.to_numpy().ravel())


def test_aggregated_columns_get_one_header_each():
    frame = pd.DataFrame({"scale": ["a", "a", "b"], "rwg_j": [0.5, 0.7, 0.9]})
    agg = frame.groupby("scale")[["rwg_j"]].agg(["median", "min"])
    out = t.table(agg, "c")
    assert list(out.cells.columns) == ["Scale", "rwg(j), median", "rwg(j), min"]
    assert out.cells.values.tolist() == [["a", "0.600", "0.500"], ["b", "0.900", "0.900"]]


def test_long_text_wraps_and_numbers_align_right():
    frame = pd.DataFrame({"item": ["People participate in defining and improving the school's "
                                   "policies and procedures."], "coef": [0.118]})
    out = t.table(frame, "c")
    assert out.wrap == ("Item",) and out.numeric == ("Coefficient",)
    assert "white-space: normal" in out.to_html()


def test_options_override_kinds_headers_and_decimals():
    frame = pd.DataFrame({"published": [0.3431], "coef": [0.123456]})
    out = t.table(frame, "c", kinds={"published": "estimate"}, decimals={"coef": 4},
                  headers={"coef": "b"})
    assert out.cells.values.tolist() == [["0.343", "0.1235"]]
    assert list(out.cells.columns) == ["Published", "b"]


def test_the_data_are_not_changed():
    frame = pd.DataFrame({"coef": [0.123456789]})
    before = frame.copy()
    t.table(frame, "c")
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize("value", [1e-300, 123456789.123, -0.00049999])
def test_no_number_is_shown_raw(value):
    assert not RAW.search(t.table(pd.DataFrame({"x": [value, 0.5]}), "c").to_html())


def test_e_notation_inside_text_is_written_as_a_page_prints_it():
    cells = t.table(pd.DataFrame({"reproduced": ["p in [2.6e-09, 3e-09]", "F = 1.5e+04"]}),
                    "c").cells
    assert cells["Reproduced"].tolist() == ["p in [2.6 × 10⁻⁹, 3 × 10⁻⁹]", "F = 1.5 × 10⁴"]
    assert t.scientific_text("item_1e3 and v2.0e") == "item_1e3 and v2.0e"


def test_a_reproduced_number_is_shown_at_the_digits_of_the_published_one_beside_it():
    frame = pd.DataFrame({"published": [0.3431, 0.756], "reproduced": [0.34312345, 0.7559871],
                          "coef": [0.12345, 0.5]})
    cells = t.table(frame, "c").cells
    assert cells.values.tolist() == [["0.3431", "0.3431", "0.123"], ["0.756", "0.7560", "0.500"]]


def test_a_published_value_is_shown_at_the_decimals_the_paper_printed():
    # Exhibit 4 printed Model 6's School Size as -0.200 and Model 1's as -.29 (2 decimals)
    frame = pd.DataFrame({"term": ["school_size", "school_size", "const"],
                          "published": [-0.2, -0.29, np.nan], "decimals": [3, 2, np.nan],
                          "reproduced": [-0.23812, -0.28712, 360.1781]})
    out = t.table(frame, "c")
    assert out.cells["Published"].tolist() == ["−0.200", "−0.29", t.MISSING]
    assert "Published" in out.numeric  # still right-aligned as a number
    # the reproduced value keeps the decimals of the most precise published one
    assert out.cells["Reproduced"].tolist() == ["−0.238", "−0.287", "360.178"]
    # without a decimals column, the shortest form as before
    plain = t.table(frame.drop(columns="decimals"), "c")
    assert plain.cells["Published"].tolist() == ["−0.2", "−0.29", t.MISSING]


def test_a_magnitude_column_shows_orders_and_stays_right_aligned():
    frame = pd.DataFrame({"r2_reach": [2.198949e-07, 0.000306, 0.0437, 0.0, np.nan]})
    out = t.table(frame, "c", kinds={"r2_reach": "magnitude"})
    assert out.cells["R2 reach"].tolist() == ["< 10⁻⁶", "< 10⁻³", "0.044", "0", t.MISSING]
    assert "R2 reach" in out.numeric
