"""The published tables against the paper itself: every table, every cell.

Expected values come from tests/seed_exhibits.py, which parses the exhibits out of the paper's
text independently of data/published. No published number is typed in this file.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import raw_rows
from seed_exhibits import exhibit1, exhibit2, exhibit3, exhibit4, exhibit5, normalise

from collabcomm import published
from collabcomm.errors import PublishedDataError
from collabcomm.schema import ITEM_IDS, SCALES, SCHOOL_VARIABLES

LABEL_TO_VAR = {
    "API 2012": "api_2012", "API 2011": "api_2011", "% SED": "sed_pct", "SED": "sed_pct",
    "School Size": "school_size", "Traditional": "traditional", "Bureaucratic": "bureaucratic",
    "Collaborative": "collaborative", "Fragmented": "fragmented",
}
HEADING_TO_SCALE = {"Traditionalistic": "traditional", "Contractual / bureaucratic": "bureaucratic",
                    "Collaborative": "collaborative", "Fragmented": "fragmented"}
ABBREV_TO_SCALE = {"Collab": "collaborative", "Bur": "bureaucratic", "Trad": "traditional",
                   "Frag": "fragmented"}
EXHIBIT4_LABELS = {"% SED": "sed_pct", "API 2011": "api_2011", "School Size": "school_size",
                   "Bureaucratic": "bureaucratic", "Traditional": "traditional",
                   "Fragmented": "fragmented", "Collaborative": "collaborative",
                   "Constant": "const", "Observations": "n_obs", "R-squared": "r_squared"}


def test_decimals_of_counts_printed_digits():
    assert published.decimals_of("26.40") == 2
    assert published.decimals_of("-.29") == 2
    assert published.decimals_of("100") == 0
    assert published.decimals_of("0.0790") == 4
    assert published.decimals_of("") is None
    assert published.decimals_of(float("nan")) is None


def test_exhibit1_every_item(paper):
    printed = exhibit1(paper)
    table = published.items()
    assert len(printed) == len(table) == 20
    assert tuple(table["item_id"]) == ITEM_IDS
    for (heading, text), row in zip(printed, table.itertuples(), strict=True):
        assert row.scale == HEADING_TO_SCALE[heading]
        assert row.scale_label == heading
        assert row.item_id == f"{row.scale}_{row.facet}"
        assert row.text == text
    assert list(table["position"]) == list(range(1, 21))


def test_exhibit2_every_cell(paper):
    printed = exhibit2(paper)
    raw = raw_rows("exhibit2_descriptives.csv")
    loaded = published.descriptives()
    assert len(raw) == len(loaded) == 8 * 4
    stats = ["mean", "sd", "min", "max"]
    seen = set()
    for r, (_, row) in zip(raw, loaded.iterrows(), strict=True):
        expected = printed[r["label"]][stats.index(r["statistic"])]
        assert r["value"] == expected, (r, expected)
        assert LABEL_TO_VAR[r["label"]] == r["variable"]
        assert row["value"] == float(expected)
        assert row["decimals"] == published.decimals_of(expected)
        seen.add((r["variable"], r["statistic"]))
    assert seen == {(v, s) for v in SCHOOL_VARIABLES for s in stats}
    wide = published.descriptives(wide=True)
    assert list(wide.index) == list(SCHOOL_VARIABLES)
    for label, cells in printed.items():
        assert list(wide.loc[LABEL_TO_VAR[label]]) == [float(c) for c in cells]


def test_exhibit3_every_cell(paper):
    header, printed = exhibit3(paper)
    raw = raw_rows("exhibit3_correlations.csv")
    assert len(raw) == sum(len(v) for v in printed.values()) == 35
    by_cell = {(r["row_label"], r["col_label"]): r for r in raw}
    for row_label, cells in printed.items():
        for j, cell in enumerate(cells):
            r = by_cell[(row_label, header[j])]
            if r["kind"] == "alpha":
                assert cell == f"({r['value']})"
            else:
                assert cell == r["value"] + r["stars"], (row_label, header[j])
            assert r["row"] == LABEL_TO_VAR[row_label]
            assert r["col"] == LABEL_TO_VAR[header[j]]
    loaded = published.correlations()
    assert (loaded["value"].to_numpy() == [float(r["value"]) for r in raw]).all()
    assert set(loaded["kind"]) == {"alpha", "unit", "correlation"}
    assert (loaded["kind"] == "correlation").sum() == 28


def test_correlation_matrix_is_exhibit3_symmetrised(paper):
    header, printed = exhibit3(paper)
    m = published.correlation_matrix()
    assert list(m.index) == list(m.columns) == list(SCHOOL_VARIABLES)
    assert np.allclose(m.to_numpy(), m.to_numpy().T)
    assert (np.diag(m.to_numpy()) == 1).all()
    for row_label, cells in printed.items():
        for j, cell in enumerate(cells):
            if cell.startswith("(") or row_label == header[j]:
                continue
            v = float(cell.rstrip("*"))
            assert m.loc[LABEL_TO_VAR[row_label], LABEL_TO_VAR[header[j]]] == v
            assert m.loc[LABEL_TO_VAR[header[j]], LABEL_TO_VAR[row_label]] == v


def test_alphas_are_the_parenthesised_diagonal(paper):
    _, printed = exhibit3(paper)
    a = published.alphas()
    assert set(a.index) == set(SCALES)
    for scale in SCALES:
        label = scale.capitalize()
        assert f"({a[scale]:.3f})" == printed[label][-1]


def test_exhibit4_every_cell_blanks_stay_missing(paper):
    printed = exhibit4(paper)
    assert set(printed) == set(EXHIBIT4_LABELS)
    loaded = published.regressions()
    assert len(loaded) == 10 * 6
    raw = raw_rows("exhibit4_regressions.csv")
    for r, (_, row) in zip(raw, loaded.iterrows(), strict=True):
        label = next(k for k, v in EXHIBIT4_LABELS.items() if v == r["term"])
        cell = printed[label][int(r["model"]) - 1]
        assert r["value"] + r["stars"] == cell, (r, cell)
        if cell == "":
            assert math.isnan(row["value"]) and pd.isna(row["decimals"]) and row["stars"] == ""
        else:
            assert row["value"] == float(r["value"])
    # a blank cell is never 0: Model 1's constant is blank but part of the model
    m1c = loaded[(loaded.model == 1) & (loaded.term == "const")].iloc[0]
    assert m1c["in_model"] and math.isnan(m1c["value"])
    # in_model follows the model specifications of data/README.md
    added = {2: "bureaucratic", 3: "traditional", 4: "fragmented", 5: "collaborative"}
    for _, row in loaded.iterrows():
        scale_term = row["term"] in SCALES
        expected = (not scale_term) or row["model"] == 6 or added.get(row["model"]) == row["term"]
        assert row["in_model"] == expected, (row["model"], row["term"])
        if not row["in_model"]:
            assert math.isnan(row["value"])


def test_exhibit5_every_cell(paper):
    printed = exhibit5(paper)
    loaded = published.item_results()
    raw = raw_rows("exhibit5_items.csv")
    assert len(printed) == len(loaded) == 20
    for k, ((abbr, text, value), r) in enumerate(zip(printed, raw, strict=True), start=1):
        assert r["scale_label"] == abbr and r["text"] == text and r["value"] == value
        assert int(r["rank"]) == k
        assert r["item_id"].startswith(ABBREV_TO_SCALE[abbr] + "_")
    assert sorted(loaded["item_id"]) == sorted(ITEM_IDS)
    assert loaded["value"].is_monotonic_decreasing


def test_exhibit5_items_match_exhibit1_texts_up_to_wording():
    """Each Exhibit 5 row maps to the Exhibit 1 item with the same scale and facet; the texts
    differ only in punctuation and 'grade-levels' for 'grades'."""
    e1 = published.items().set_index("item_id")["text"]

    def words(s):
        s = s.lower().replace("grade-levels", "grades").replace("it's hard", "hard")
        return {w.strip(".,'") for w in s.split()} - {""}

    for r in published.item_results().itertuples():
        w5, w1 = words(r.text), words(e1[r.item_id])
        assert len(w5 & w1) / len(w5) > 0.85, r.item_id


def test_every_claim_quote_is_in_the_paper(paper):
    text = normalise(paper)
    c = published.claims()
    assert c["claim_id"].is_unique
    for q in c["quote"]:
        assert normalise(q) in text, q


def test_claims_point_at_existing_cells():
    c = published.claims()
    desc = published.descriptives()
    regs = published.regressions()
    corr = published.correlations()
    for ref in c["refers_to"]:
        parts = ref.split(":")
        if parts[0] == "exhibit2" and len(parts) == 3 and parts[1] in SCHOOL_VARIABLES:
            assert ((desc.variable == parts[1]) & (desc.statistic == parts[2])).any(), ref
        elif parts[0] == "exhibit3" and len(parts) == 3:
            pair = {parts[1], parts[2]}
            assert any({r, k} == pair for r, k in zip(corr.row, corr.col, strict=True)), ref
        elif parts[0] == "exhibit4" and len(parts) == 3:
            m = int(parts[1].removeprefix("model"))
            assert ((regs.model == m) & (regs.term == parts[2]) & regs.in_model).any(), ref
    assert set(c["kind"]) <= {"count", "percent", "bound", "min", "max", "mean", "sd",
                              "ordering", "exhibit_reference", "correlation", "r_squared",
                              "coefficient", "robustness", "item_signs", "comparison", "method"}


def test_significance_legend():
    leg = published.significance_legend()
    four = leg[leg.exhibit == 4].set_index("symbol")["p_below"].to_dict()
    assert four == {"**": 0.01, "*": 0.05, "+": 0.1}
    assert leg[leg.exhibit == 3]["source"].str.startswith("assumed").all()


@pytest.mark.parametrize("loader", [published.items, published.descriptives,
                                    published.correlations, published.regressions,
                                    published.item_results, published.claims,
                                    published.significance_legend])
def test_missing_published_file_names_it(tmp_path, loader):
    (tmp_path / "data" / "published").mkdir(parents=True)
    with pytest.raises(PublishedDataError, match=r"data/published/.*not found"):
        loader(tmp_path)


def test_corrupt_published_file_names_file_row_and_column(tmp_path):
    pub = tmp_path / "data" / "published"
    pub.mkdir(parents=True)
    src = (published.project().published / "exhibit2_descriptives.csv").read_text()
    (pub / "exhibit2_descriptives.csv").write_text(src.replace("849.22", "849,22x"))
    with pytest.raises(PublishedDataError, match=r"exhibit2_descriptives.csv: row 2, column 'value'"):
        published.descriptives(tmp_path)
    (pub / "exhibit2_descriptives.csv").write_text("variable,label\napi_2012,API\n")
    with pytest.raises(PublishedDataError, match="columns are"):
        published.descriptives(tmp_path)
    (pub / "exhibit2_descriptives.csv").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(PublishedDataError, match="cannot be read"):
        published.descriptives(tmp_path)


def test_a_table_is_parsed_again_when_its_bytes_change_and_each_call_gets_its_own_copy(tmp_path):
    import shutil

    from collabcomm.paths import project

    shutil.copytree(project().published, tmp_path / "data" / "published")
    first = published.descriptives(tmp_path)
    printed = first.loc[0, "value"]
    first.loc[0, "value"] = -1.0  # a caller's change stays with the caller
    assert published.descriptives(tmp_path).loc[0, "value"] == printed
    path = tmp_path / "data" / "published" / "exhibit2_descriptives.csv"
    text = path.read_text()
    row = text.splitlines()[1]
    edited = row.rsplit(",", 1)[0] + ",12345.5"
    path.write_text(text.replace(row, edited, 1))
    again = published.descriptives(tmp_path)
    assert again.loc[0, "value"] == 12345.5 and again.loc[0, "decimals"] == 1
    path.write_text("variable,label\n")  # and a broken file is still refused, naming it
    with pytest.raises(PublishedDataError, match="exhibit2_descriptives.csv"):
        published.descriptives(tmp_path)
