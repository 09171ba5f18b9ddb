"""The score command and survey.analyse: outputs, suppression, failing safely."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from collabcomm import survey

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "data" / "examples" / "example_survey.csv"
CORPUS = Path(__file__).parent / "data" / "bad_surveys"


def _score(*args):
    return subprocess.run([sys.executable, "-m", "collabcomm", "score", *map(str, args)],
                          capture_output=True, text=True)


def test_score_command_on_the_example(tmp_path):
    out = tmp_path / "scores.csv"
    proc = _score(EXAMPLE, "--out", out)
    assert proc.returncode == 0, proc.stderr
    names = survey.output_names(out)
    assert all(p.is_file() for p in names.values())
    schools = pd.read_csv(names["schools"])
    assert list(schools["school_id"]) == ["EXAMPLE-A", "EXAMPLE-B"]  # C has 3 < 5 respondents
    assert list(pd.read_csv(names["suppressed"])["school_id"]) == ["EXAMPLE-C"]
    agreement = pd.read_csv(names["agreement"])
    assert "EXAMPLE-C" not in set(agreement["school_id"])
    for key in ("schools", "reliability", "items", "icc", "agreement", "suppressed"):
        assert "EXAMPLE-C" not in names[key].read_text() or key == "suppressed"
    rel = pd.read_csv(names["reliability"])
    assert list(rel["scale"]) == ["traditional", "bureaucratic", "collaborative", "fragmented"]


def test_min_respondents_option(tmp_path):
    out = tmp_path / "s.csv"
    assert _score(EXAMPLE, "--out", out, "--min-respondents", "3").returncode == 0
    assert "EXAMPLE-C" in set(pd.read_csv(survey.output_names(out)["schools"])["school_id"])


def test_bad_files_exit_2_with_one_message_and_touch_nothing(tmp_path):
    out = tmp_path / "scores.csv"
    assert _score(EXAMPLE, "--out", out).returncode == 0
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    for bad in sorted(CORPUS.glob("*.csv")):
        if bad.name in ("expected.csv", "too_many_rows.csv", "scale_bounds_reversed.csv"):
            continue
        proc = _score(bad, "--out", out)
        assert proc.returncode == 2, bad.name
        lines = [x for x in proc.stderr.splitlines() if x.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"error: {bad}"), (bad.name, proc.stderr)
        assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before, bad.name


def test_missing_codes_option(tmp_path):
    bad = CORPUS / "undeclared_code_minus9.csv"
    assert _score(bad, "--out", tmp_path / "x.csv").returncode == 2
    assert _score(bad, "--out", tmp_path / "x.csv", "--missing-codes", "-9").returncode == 0
