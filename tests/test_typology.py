"""Theory tables, their validation, profile placement and the typology figures."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from collabcomm import figures, typology
from collabcomm.errors import CollabcommError, PublishedDataError
from collabcomm.paths import project
from collabcomm.schema import ITEM_IDS

THEORY = project().theory


@pytest.fixture(scope="module")
def theory():
    return typology.load_theory()


def test_theory_loads_and_has_the_papers_structure(theory):
    a = theory.action_types.set_index("action_type")
    assert list(theory.action_types["action_type"]) == list(typology.ACTION_ORDER)
    assert a.loc["value_rational", "forms"] == "collegial;collaborative"
    assert a.loc["instrumental", "forms"] == "bureaucracy;market"
    assert bool(a.loc["value_rational", "rational"]) and not bool(a.loc["affectual", "rational"])
    assert a["adaptability_rank"].idxmax() == "value_rational"
    sm = theory.scale_mapping.set_index("scale")["action_type"].to_dict()
    assert sm == {"traditional": "traditional", "bureaucratic": "instrumental",
                  "collaborative": "value_rational", "fragmented": "none"}
    cov = theory.instrument_coverage.set_index("action_type")["measured"]
    assert not cov["affectual"] and cov.drop("affectual").all()
    ch = theory.challenges.set_index("dimension")
    assert list(ch.index) == ["values", "norms", "authority", "capabilities"]
    assert ch.loc["authority", "principle"] == "participative centralization"
    assert theory.techniques.groupby("dimension").size().to_dict() == {
        "values": 6, "norms": 6, "authority": 6, "capabilities": 10}
    assert list(theory.professions_trajectory.sort_values("order")["stage"]) == [
        "guild", "contract", "collaborative_community"]
    assert (theory.figure1_edges["relation"] == "overcomes").sum() == 4


def _broken(tmp_path, name, transform):
    folder = tmp_path / "theory"
    shutil.copytree(THEORY, folder)
    path = folder / name
    path.write_text(transform(path.read_text()))
    return folder


@pytest.mark.parametrize("name, transform, message", [
    ("challenges.csv", lambda s: s.replace('"participative centralization",', '"",', 1),
     "have no principle; every challenge has exactly one"),
    ("challenges.csv", lambda s: s + s.splitlines()[1] + "\n",
     "listed more than once"),
    ("techniques.csv", lambda s: "\n".join(x for x in s.splitlines() if not x.startswith("norms")) + "\n",
     "no technique for the principle(s) of ['norms (meta-norm of interactive process management)']"),
    ("scale_mapping.csv", lambda s: s.replace("fragmented,Fragmented,none", "fragmented,Fragmented,anomic"),
     "scale 'fragmented' maps to 'anomic'"),
    ("figure1_edges.csv", lambda s: s.replace("capability_development,specialization,overcomes",
                                              "capability_development,nowhere,overcomes"),
     "unknown node(s) ['nowhere']"),
    ("instrument_coverage.csv", lambda s: s.replace("affectual,false", "affectual,true"),
     "'affectual' is marked measured=True"),
    ("action_types.csv", lambda s: s.replace("action_type,label", "type,label"),
     "columns are"),
])
def test_broken_theory_raises_a_clear_error(tmp_path, name, transform, message):
    folder = _broken(tmp_path, name, transform)
    with pytest.raises(PublishedDataError) as info:
        typology.load_theory(folder)
    assert message in str(info.value)
    assert name in str(info.value)


def test_missing_theory_file(tmp_path):
    folder = tmp_path / "theory"
    shutil.copytree(THEORY, folder)
    (folder / "techniques.csv").unlink()
    with pytest.raises(PublishedDataError, match="techniques.csv: theory table not found"):
        typology.load_theory(folder)


def test_place_profile_hand_made(theory):
    p = typology.place_profile({"traditional": 60, "bureaucratic": 30, "collaborative": 20,
                                "fragmented": 25}, theory)
    assert (p["dominant"], p["secondary"], p["margin"], p["reading"]) == (
        "traditional", "bureaucratic", 30.0, "leaning")
    t = p["table"].set_index("scale")
    assert t.loc["traditional", "share"] == pytest.approx(60 / 135)
    assert t.loc["collaborative", "action_type"] == "value_rational"
    close = typology.place_profile({"traditional": 10, "bureaucratic": 40, "collaborative": 45,
                                    "fragmented": 5}, theory)
    assert close["reading"] == "mixed" and close["margin"] == 5.0
    assert typology.place_profile({"traditional": 10, "bureaucratic": 40, "collaborative": 45,
                                   "fragmented": 5}, theory, mixed_margin=4)["reading"] == "leaning"


@pytest.mark.parametrize("scores, message", [
    ({"traditional": 10, "bureaucratic": 40, "collaborative": 45}, "missing scale score"),
    ({"traditional": 110, "bureaucratic": 40, "collaborative": 45, "fragmented": 5},
     "score of 'traditional' must be between 0 and 100"),
])
def test_place_profile_refuses_bad_profiles(theory, scores, message):
    with pytest.raises(CollabcommError, match=message):
        typology.place_profile(scores, theory)


def test_scores_from_answers_by_hand():
    answers = dict.fromkeys(ITEM_IDS, 1)
    answers.update({f"collaborative_{f}": 5 for f in
                    ("policies", "disagreements", "recruitment", "administrators", "union")})
    answers["bureaucratic_union"] = 3
    s = typology.scores_from_answers(answers)
    assert s == pytest.approx({"traditional": 0.0, "bureaucratic": 10.0, "collaborative": 100.0,
                               "fragmented": 0.0})
    with pytest.raises(CollabcommError, match="missing items"):
        typology.scores_from_answers({"collaborative_policies": 3})
    with pytest.raises(CollabcommError, match="outside 1-5"):
        typology.scores_from_answers({**answers, "fragmented_union": 7})


def test_typology_figures_are_written_and_byte_identical(theory, tmp_path):
    def draw_all(folder):
        figures.set_theme()
        out = []
        for name, fig in (("typology", figures.typology_diagram(theory)),
                          ("figure1", figures.figure1_diagram(theory)),
                          ("figure2", figures.figure2_table(theory)),
                          ("profile", figures.profile_chart(typology.place_profile(
                              {"traditional": 20, "bureaucratic": 36, "collaborative": 42,
                               "fragmented": 13}, theory)))):
            out += figures.save(fig, name, folder=folder)
            plt.close(fig)
        return [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in out]

    first = draw_all(tmp_path / "a")
    assert len(first) == 8
    assert draw_all(tmp_path / "b") == first


def test_codes_in_words_for_the_readers_tables():
    import pandas as pd

    from collabcomm import typology

    theory = typology.load_theory()
    mapping = typology.codes_in_words(theory.scale_mapping, theory)
    assert mapping.set_index("scale")["action_type"].to_dict() == {
        "traditional": "Traditional (traditionalistic)", "bureaucratic": "Instrumentally rational",
        "collaborative": "Value-rational", "fragmented": "none"}
    assert mapping.set_index("scale").loc["bureaucratic", "form"] == "bureaucracy or market"
    pd.testing.assert_frame_equal(theory.scale_mapping.drop(columns=["action_type", "form"]),
                                  mapping.drop(columns=["action_type", "form"]))
    coverage = typology.codes_in_words(theory.instrument_coverage.set_index("action_type"), theory)
    assert coverage.index.name == "action_type"
    assert coverage.index.tolist() == ["Traditional (traditionalistic)", "Affectual",
                                       "Value-rational", "Instrumentally rational"]
    with pytest.raises(ValueError, match="'charismatic' is not in data/theory/action_types.csv"):
        typology.codes_in_words(pd.DataFrame({"action_type": ["charismatic"]}), theory)
