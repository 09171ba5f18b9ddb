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


# The command line's main() on each file in turn, in one interpreter (starting one per file
# took 10 s): exit code and everything written to stderr, as `python -m collabcomm` gives them.
EACH_FILE = """
import contextlib, io, json, sys
from collabcomm.pipeline.cli import main
out, results = sys.argv[1], []
for bad in sys.argv[2:]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["score", bad, "--out", out])
    results.append((bad, code, err.getvalue()))
print(json.dumps(results))
"""


def test_bad_files_exit_2_with_one_message_and_touch_nothing(tmp_path):
    import json

    out = tmp_path / "scores.csv"
    assert _score(EXAMPLE, "--out", out).returncode == 0
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    bads = [str(b) for b in sorted(CORPUS.glob("*.csv"))
            if b.name not in ("expected.csv", "too_many_rows.csv", "scale_bounds_reversed.csv")]
    assert len(bads) == 33
    proc = subprocess.run([sys.executable, "-c", EACH_FILE, str(out), *bads],
                          capture_output=True, text=True, check=True)
    for bad, code, stderr in json.loads(proc.stdout):
        assert code == 2, bad
        lines = [x for x in stderr.splitlines() if x.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"error: {bad}"), (bad, stderr)
    assert proc.stderr == ""
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before
    # and one of them through the real command, as a user runs it
    proc = _score(Path(bads[0]), "--out", out)
    assert proc.returncode == 2 and proc.stderr.startswith(f"error: {bads[0]}")


def test_missing_codes_option(tmp_path):
    bad = CORPUS / "undeclared_code_minus9.csv"
    assert _score(bad, "--out", tmp_path / "x.csv").returncode == 2
    assert _score(bad, "--out", tmp_path / "x.csv", "--missing-codes", "-9").returncode == 0


def _overwrite_cases(tmp_path):
    """(survey, --out) pairs where an output would be the survey itself."""
    same = tmp_path / "same" / "survey.csv"
    sibling = tmp_path / "sibling" / "scores_schools.csv"      # <stem>_schools.csv of --out
    linked = tmp_path / "linked" / "survey.csv"
    hard = tmp_path / "hard" / "survey.csv"
    for p in (same, sibling, linked, hard):
        p.parent.mkdir()
        p.write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "linked" / "link.csv").symlink_to(linked)
    (tmp_path / "hard" / "alias.csv").hardlink_to(hard)
    return [(same, same, same), (sibling, sibling.with_name("scores.csv"), sibling),
            (linked, tmp_path / "linked" / "link.csv", tmp_path / "linked" / "link.csv"),
            (hard, tmp_path / "hard" / "alias.csv", tmp_path / "hard" / "alias.csv")]


def test_an_output_that_is_the_input_is_refused_before_anything_is_written(tmp_path):
    for survey_path, out, clash in _overwrite_cases(tmp_path):
        before = {p: p.read_bytes() for p in survey_path.parent.iterdir()}
        proc = _score(survey_path, "--out", out)
        assert proc.returncode == 2, (out, proc.stderr)
        lines = [x for x in proc.stderr.splitlines() if x.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"error: {clash}: "), proc.stderr
        assert f"would overwrite the input survey {survey_path} (the same file)" in lines[0]
        assert {p: p.read_bytes() for p in survey_path.parent.iterdir()} == before, out


def test_an_output_in_an_input_folder_is_refused(tmp_path):
    import os

    root = tmp_path / "proj"
    (root / "data" / "examples").mkdir(parents=True)
    (root / "notebooks").mkdir()
    target = root / "data" / "examples" / "scores.csv"
    proc = subprocess.run([sys.executable, "-m", "collabcomm", "score", str(EXAMPLE),
                           "--out", str(target)], capture_output=True, text=True,
                          env={**os.environ, "COLLABCOMM_ROOT": str(root)})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"error: {target}: --out would be written into data/examples/")
    assert f"(input survey {EXAMPLE})" in proc.stderr
    assert list((root / "data" / "examples").iterdir()) == []
