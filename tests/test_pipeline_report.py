"""What a run reports (collabcomm.pipeline.report): the summary table and the interrupted line."""

from __future__ import annotations

from collabcomm import pipeline


def test_format_summary_counts_statuses():
    runs = [pipeline.NotebookRun("01_a", "ran", 1.25, outputs=["x"]),
            pipeline.NotebookRun("02_b", "skipped"),
            pipeline.NotebookRun("03_c", "failed", 0.5),
            pipeline.NotebookRun("04_d", "not run")]
    text = pipeline.format_summary(runs)
    assert "01_a" in text and "     1.2" in text
    assert text.splitlines()[-1] == "total 1.8 s; 1 ran, 1 skipped, 1 failed, 1 not run"


def test_interrupted_message_names_the_stopped_notebooks():
    report = pipeline.RunReport([pipeline.NotebookRun("03_a", "interrupted"),
                                 pipeline.NotebookRun("04_b", "not run")])
    assert pipeline.interrupted_message(report) == (
        "interrupted: 03_a stopped; none of its outputs were written")
    assert pipeline.interrupted_message(None) == "interrupted: no output was half-written"
