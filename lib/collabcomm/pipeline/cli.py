"""Command line: ``python -m collabcomm COMMAND``.

Commands
--------
run     run the notebooks through papermill (what ``make reproduce`` calls)
score   score your own survey file with a codebook (default: the 20-item instrument)
sweep   run one notebook over a grid of parameters (two runs at a time)
html    run what is stale (options as for run), then build the companion website in build/html
slides  run notebook 07 if stale, then render it as a reveal.js deck in build/slides
bench   print the benchmark figures (what ``make bench`` calls)

``--version`` prints the package's version and the git commit the code runs from
(:func:`collabcomm.pipeline.provenance.describe`).

Exit codes: 0 success; 1 a notebook failed; 2 bad input or parameters (also a notebook that
stopped on bad input, e.g. a malformed file given as a parameter); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys

from ..errors import CollabcommError

__all__ = ["main", "failure_code"]

#: The notebook ``slides`` renders (the classroom notebook).
SLIDES_NOTEBOOK = "07_classroom_power"


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m collabcomm", description=__doc__.split("\n")[0])
    ap.add_argument("--version", action=_Version, nargs=0,
                    help="print the version and the git commit of the code, and exit")
    sub = ap.add_subparsers(dest="command", required=True)

    _run_options(sub.add_parser("run", help="run the notebooks in order through papermill"))

    score = sub.add_parser("score", help="score a survey file with a codebook (default: the "
                                         "20-item instrument of Exhibit 1)")
    score.add_argument("survey", help="survey CSV: the codebook's respondent and unit columns "
                                      "and its items (default: teacher_id, school_id and the 20 "
                                      "item columns)")
    score.add_argument("--out", required=True,
                       help="respondent scores CSV; unit, reliability and agreement tables are "
                            "written beside it as <stem>_schools.csv, <stem>_reliability.csv, "
                            "...; or a folder (existing, or ending in /) to write into, the "
                            "files named after the survey: <survey>_scores.csv, "
                            "<survey>_schools.csv, ...")
    score.add_argument("--codebook", metavar="YAML", default=None,
                       help="codebook describing the instrument (README: Your own instrument); "
                            "default: Exhibit 1's 20 items")
    score.add_argument("--scale-min", type=int, default=None,
                       help="lowest answer (default: the codebook's; Exhibit 1: 1)")
    score.add_argument("--scale-max", type=int, default=None,
                       help="highest answer (default: the codebook's; Exhibit 1: 5)")
    score.add_argument("--missing-codes", type=int, nargs="*", default=None, metavar="CODE",
                       help="answer codes that mean 'missing', e.g. -9 99 (default: the "
                            "codebook's; Exhibit 1: none)")
    score.add_argument("--min-items", type=_count_or_fraction, default=None,
                       help="answered items a scale score needs: a count, or a fraction such as "
                            "0.8 (default: the codebook's; Exhibit 1: 4 of 5)")
    score.add_argument("--min-respondents", type=int, default=None,
                       help="units with fewer respondents are suppressed (default: the "
                            "codebook's; Exhibit 1: 5)")
    score.add_argument("--reliability-missing", choices=("pairwise", "listwise"), default=None,
                       help="missing answers in alpha and the item statistics: pairwise (every "
                            "answer, as R's psych::alpha) or listwise (complete cases, as SPSS); "
                            "default: the codebook's, else pairwise")

    sw = sub.add_parser("sweep", help="run one notebook once per combination of parameters")
    sw.add_argument("notebook", help="notebook number or name, e.g. 07")
    sw.add_argument("-p", "--param", action="append", metavar="NAME=V1,V2,...", default=[],
                    help="values of one parameter (repeatable; the grid is their product)")
    sw.add_argument("--workers", type=int, default=2, help="runs at a time (default 2)")
    sw.add_argument("--max-runs", type=int, default=None, metavar="N",
                    help="most combinations the sweep may start (default 100); a larger grid "
                         "is refused before anything runs")
    sw.add_argument("--root", help="project root (default: this checkout)")
    sw.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    _run_options(sub.add_parser("html", help="run what is stale, then build the companion website "
                                             "in build/html from the executed notebooks (works "
                                             "offline)"), before="before the build")

    slides = sub.add_parser("slides", help="notebook 07 as reveal.js slides in build/slides "
                                           "(works offline)")
    slides.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", default=[],
                        help="override a default of notebooks/params.yaml (repeatable)")
    slides.add_argument("--root", help="project root (default: this checkout)")
    slides.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    bench = sub.add_parser("bench", help="print the benchmark figures")
    bench.add_argument("--quick", action="store_true",
                       help="leave out the test-suite timings (about five minutes)")
    return ap


class _Version(argparse.Action):
    """``--version``: print :func:`~collabcomm.pipeline.provenance.describe` and exit (the
    commit is looked up only when asked for, not whenever the parser is built)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from .provenance import describe

        print(describe())  # on stdout, as argparse's own "version" action prints
        parser.exit()


def _run_options(parser: argparse.ArgumentParser, *, before: str = "") -> None:
    """The options of a pipeline run, shared by ``run`` and ``html`` (which runs what is stale
    before it builds the site): ``-p``, ``--only``, ``--force``, ``--root``, ``--no-progress``
    and ``--jobs``."""
    parser.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", default=[],
                        help="override a default of notebooks/params.yaml (repeatable)")
    parser.add_argument("--only", action="append", metavar="NN",
                        help=f"run only this notebook{' ' + before if before else ''} (number "
                             "or name; repeatable)")
    parser.add_argument("--force", action="store_true",
                        help="rerun notebooks whose inputs are unchanged")
    parser.add_argument("--root", help="project root (default: this checkout)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                        help="notebooks run at once (default: one per core; 1 = one after "
                             "another)")


def _count_or_fraction(text: str) -> int | float:
    """``--min-items``: an integer count (``4``) or a fraction (``0.8``).

    >>> _count_or_fraction("4"), _count_or_fraction("0.8")
    (4, 0.8)
    """
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is neither a count (4) nor a fraction (0.8)") from None


def failure_code(error: str) -> int:
    """Exit code of a failed notebook, from the class name of what failed it
    (:attr:`NotebookRun.error <collabcomm.pipeline.report.NotebookRun>`): 2 for one of the
    companion's errors (:mod:`collabcomm.errors`: bad input, such as a malformed school file
    given as a parameter, or an output that cannot be written), else 1.

    Examples
    --------
    >>> failure_code("CollabcommError"), failure_code("OutputWriteError")
    (2, 2)
    >>> failure_code("KeyError"), failure_code("MissingDataWarning")
    (1, 1)
    """
    from .. import errors

    kind = getattr(errors, error, None)
    return 2 if isinstance(kind, type) and issubclass(kind, errors.CollabcommError) else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if getattr(args, "root", None) is not None:
            from ..paths import check_root

            check_root(args.root)
        if args.command in ("run", "html", "slides"):
            from .. import pipeline
            from . import render
            from .params import parse_overrides

            overrides = parse_overrides(getattr(args, "param", []))
            only = [SLIDES_NOTEBOOK] if args.command == "slides" else getattr(args, "only", None)
            report = pipeline.run(
                args.root, only=only, force=getattr(args, "force", False),
                overrides=overrides, progress=not getattr(args, "no_progress", False),
                jobs=getattr(args, "jobs", None),
            )
            if not report.ok:
                print(f"\nerror: {report.failure.message}", file=sys.stderr)
                return failure_code(report.failure.error)
            if args.command == "html":
                from .site import build_site

                index = build_site(args.root)
                print(f"wrote {index} (the companion website; open it in a browser, no network "
                      "or server needed)")
            if args.command == "slides":
                deck = render.render_slides(SLIDES_NOTEBOOK, args.root)
                print(f"wrote {deck} (works offline: open it in a browser; S shows the code)")
            return 0
        if args.command == "score":
            from ..survey import score_file

            notes: list[str] = []
            written = score_file(args.survey, args.out, args.codebook,
                                 scale_min=args.scale_min,
                                 scale_max=args.scale_max, missing_codes=args.missing_codes,
                                 min_items=args.min_items, min_respondents=args.min_respondents,
                                 reliability_missing=args.reliability_missing,
                                 on_note=notes.append)
            for path in written.values():
                print(f"wrote {path}")
            sys.stdout.flush()
            for note in notes:  # after the files, on stderr: what scoring left out
                print(f"note: {note}", file=sys.stderr)
            return 0
        if args.command == "sweep":
            from ..figures import power_curve, save, set_theme
            from .sweeps import parse_grid, sweep

            limit = {} if args.max_runs is None else {"max_runs": args.max_runs}
            table, folder = sweep(args.notebook, parse_grid(args.param), args.root,
                                  workers=args.workers, progress=not args.no_progress, **limit)
            print(f"results: {len(table)} row(s) in {folder / 'results.csv'}")
            if {"n_schools", "alpha", "power_0.05"} <= set(table.columns):
                set_theme()
                save(power_curve(table), "power_curve", folder=folder)
                print(f"figure: {folder / 'power_curve.png'}")
            return 0
        if args.command == "bench":
            import os

            from ..paths import SINGLE_BLAS_THREAD

            for name, value in SINGLE_BLAS_THREAD.items():  # as the notebooks run; before numpy
                os.environ.setdefault(name, value)
            from .bench import main as bench_main

            return bench_main(["--quick"] if args.quick else [])
    except CollabcommError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        from .report import interrupted_message

        print(interrupted_message(getattr(exc, "report", None)), file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
