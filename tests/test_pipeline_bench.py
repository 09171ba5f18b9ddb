"""The benchmark printer and the benchmarks that are quick enough to run in the suite (the
figures themselves are judged by reading ``make bench``, not by timed tests)."""

from __future__ import annotations

import pytest

from collabcomm.pipeline import bench


def test_times_are_printed_with_their_ratio_to_the_reference(monkeypatch, capsys):
    monkeypatch.setattr(bench, "reference", lambda: 0.5)
    monkeypatch.setattr(bench, "BENCHMARKS", [lambda: [("a time", 2.0, "s", "<= 3 s"),
                                                       ("a short time", 250.0, "ms", ""),
                                                       ("a speed-up", 60.0, "x", ">= 50x")]])
    monkeypatch.setattr(bench, "SUITE_BENCHMARKS", [lambda: [("the suite", 1.0, "s", "")]])
    assert bench.main(["--quick"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "reference computation: 0.500 s (ratios below are time / reference)"
    rows = {line[:58].strip(): line[58:].split() for line in lines[3:]}
    assert rows["a time"] == ["2.000", "s", "4.0", "<=", "3", "s"]
    assert rows["a short time"] == ["250.000", "ms", "0.5"]
    assert rows["a speed-up"] == ["60.000", "x", ">=", "50x"]  # not a time: no ratio
    assert "the suite" not in rows  # --quick leaves the suite out


def test_reconcile_benchmark_reports_the_pinned_objective():
    rows = bench.bench_reconcile()
    labels = [r[0] for r in rows]
    assert labels[0] == "reconciliation, both variants of notebook 06"
    assert rows[1][1] == pytest.approx(0.2131574914, abs=1e-10)
    assert all(r[1] > 0 for r in rows)


def test_reference_is_a_positive_time():
    assert 0 < bench.reference() < 60
