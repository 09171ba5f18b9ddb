"""Parameter sweeps: one notebook run over a grid of parameter values (``python -m collabcomm
sweep``), each run in its own folder, the summaries gathered in one table."""

from __future__ import annotations

import os
import sys
import time
from typing import Any, TextIO

from ..errors import NotebookError
from ..outputs import output_lock
from ..paths import project
from . import execute
from .params import load_specs, resolve_parameters
from .paramtext import Text
from .plan import _select, discover
from .report import NotebookRun, format_summary

__all__ = [
    "parse_grid",
    "sweep",
    "MAX_RUNS",
]


def parse_grid(items: list[str]) -> dict[str, list[Any]]:
    """``["n_schools=10,26", "alpha=0.55,0.75"]`` -> ``{"n_schools": ["10", "26"], ...}``.

    Each value stays text (:class:`collabcomm.pipeline.paramtext.Text`) until :func:`sweep`
    reads it by the parameter's declared type, as ``-p`` values of ``run`` are read.
    """
    from ..errors import ParameterError

    grid: dict[str, list[Any]] = {}
    for item in items or []:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name or not text.strip():
            raise ParameterError(f"sweep: {item!r} is not of the form name=v1,v2,...")
        if name in grid:
            raise ParameterError(f"sweep: parameter '{name}' is given twice")
        grid[name] = [Text(v) for v in text.split(",")]
    if not grid:
        raise ParameterError("sweep: give at least one -p name=v1,v2,... grid")
    return grid


_LABEL_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-"


def _label(value: Any) -> str:
    """How a swept value is spelled in a run's name: exact, unique and reversible.

    A float is spelled by ``repr`` (the shortest text that reads back as the same float), so
    ``0.1`` and ``0.10000000001`` stay apart; ``None`` is ``null``; in text, every character
    other than ASCII letters, digits, ``.``, ``+`` and ``-`` is percent-encoded, so a value
    never contains the ``_`` and ``=`` that separate the parts of a name, nor a ``/``.
    :func:`_unlabel` reads a name back.

    Examples
    --------
    >>> _label(0.1), _label(0.10000000001), _label(26), _label(None), _label("a_b=c/d")
    ('0.1', '0.10000000001', '26', 'null', 'a%5Fb%3Dc%2Fd')
    """
    from urllib.parse import quote

    if value is None:
        return "null"
    if isinstance(value, float):
        return repr(value)
    # quote() never encodes '_' and '~'; '_' separates a name's parts, so encode both
    return quote(str(value), safe=_LABEL_SAFE).replace("_", "%5F").replace("~", "%7E")


def _unlabel(name: str) -> dict[str, str]:
    """The parameters of a run's name (``n_schools=10_alpha=0.55``), each value's exact
    spelling (:func:`_label`), decoded: ``float()`` of a float's spelling is the value.

    Examples
    --------
    >>> _unlabel("n_schools=10_alpha=0.10000000001_name=a%5Fb")
    {'n_schools': '10', 'alpha': '0.10000000001', 'name': 'a_b'}
    """
    import re
    from urllib.parse import unquote

    return {k: unquote(v) for k, v in re.findall(r"(?:^|_)([A-Za-z]\w*?)=([^_=]*)", name)}


MAX_RUNS = 100
"""Most runs a sweep starts unless told otherwise (``--max-runs``, ``max_runs=``)."""


def sweep(notebook: str, grid: dict[str, list[Any]], root: str | os.PathLike | None = None, *,
          workers: int = 2, progress: bool = True, out: TextIO | None = None,
          max_runs: int = MAX_RUNS):
    """Run ``notebook`` once per combination of ``grid`` values, ``workers`` at a time.

    Every value is validated against params.yaml before anything runs (unknown names,
    non-numeric values, values out of range, a value listed twice, and list-valued
    parameters, which cannot be swept, are refused), and so is the grid's size: more than
    ``max_runs`` combinations (default :data:`MAX_RUNS`; ``--max-runs`` on the command line)
    are refused with a message giving the count. Each run gets
    ``output_dir = build/sweeps/<notebook>/<name>`` and its executed copy is
    ``build/sweeps/<notebook>/<name>.ipynb``, where ``<name>`` spells the run's parameters
    exactly (``n_schools=10_alpha=0.55``; :func:`_label`), so two runs never share a folder.
    Each run's ``*summary.csv`` (the one-row result a sweepable notebook writes to its
    ``output_dir``) is collected into ``build/sweeps/<notebook>/results.csv``, written
    atomically; when no run succeeded the previous results.csv is kept as it was. Returns
    ``(table, folder)``: the collected results (with a ``sweep_<name>`` column per swept
    parameter) and that folder.
    """
    import itertools
    from concurrent.futures import ThreadPoolExecutor

    import pandas as pd
    from tqdm.auto import tqdm

    from ..errors import ParameterError
    from ..outputs import write_csv

    out = sys.stdout if out is None else out
    paths = project(root)
    names = _select(discover(paths), [notebook])
    if len(names) != 1:
        raise ParameterError(f"sweep: '{notebook}' must name exactly one notebook, not {names}")
    nb = names[0]
    specs = load_specs(paths.params_file)
    declared = specs[nb].parameters
    if "output_dir" not in declared:
        raise ParameterError(f"sweep: notebook {nb} has no 'output_dir' parameter, so its runs "
                             "would overwrite each other")
    if isinstance(max_runs, bool) or not isinstance(max_runs, int) or max_runs < 1:
        raise ParameterError(f"sweep: max_runs must be a whole number of at least 1, not "
                             f"{max_runs!r}")
    count = 1
    for values in grid.values():
        count *= len(values)
    if count > max_runs:
        sizes = " x ".join(f"{len(v)} {k}" for k, v in grid.items())
        raise ParameterError(f"sweep: the grid has {count} combinations ({sizes}), more than "
                             f"the limit of {max_runs} runs; narrow the grid, or raise the limit "
                             f"with --max-runs {count} (max_runs={count} in Python)")
    for name, values in grid.items():
        if name not in declared:
            raise ParameterError(f"sweep: notebook {nb} has no parameter '{name}'; declared: "
                                 f"{sorted(declared)}")
        if declared[name].type == "list" or name == "output_dir":
            raise ParameterError(f"sweep: parameter '{name}' cannot be swept")
        coerced = [declared[name].coerce(v, nb) for v in values]
        spelled = [_label(v) for v in coerced]
        twice = sorted({t for t in spelled if spelled.count(t) > 1})
        if twice:
            given = [str(v) if isinstance(v, Text) else repr(v)  # as typed on the command line
                     for v, t in zip(values, spelled, strict=True) if t == twice[0]]
            raise ParameterError(f"sweep: parameter '{name}' lists the value {twice[0]} more "
                                 f"than once (given as {', '.join(given)})")
        grid[name] = coerced
    combos = [dict(zip(grid, vals, strict=True)) for vals in itertools.product(*grid.values())]
    base = paths.build / "sweeps" / nb
    runs = []
    for combo in combos:
        label = "_".join(f"{k}={_label(v)}" for k, v in combo.items())
        values = {**specs[nb].defaults(), **combo,
                  "output_dir": (base / label).relative_to(paths.root).as_posix()}
        resolve_parameters({nb: specs[nb]}, [nb], values, root=paths.root)  # validate each run
        runs.append((label, combo, values))
    print(f"sweep of {nb}: {len(runs)} run(s), {workers} at a time", file=out)

    base.mkdir(parents=True, exist_ok=True)

    def one(run):
        label, combo, values = run
        start = time.perf_counter()
        try:
            execute._papermill(paths, nb, base / f"{label}.ipynb", values)
            execute._normalise_executed(base / f"{label}.ipynb", paths.root)
            return NotebookRun(label, "ran", time.perf_counter() - start)
        except Exception as exc:  # one failing run does not stop the others
            return NotebookRun(label, "failed", time.perf_counter() - start,
                               execute._failure_message(f"{nb} ({label})", exc, base / f"{label}.ipynb"))

    # each kernel gets the project root and run_env(), no staging folder (_papermill); the lock
    # keeps a second sweep of the same notebook out of these folders until this one ends
    with output_lock([base]), ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(tqdm(pool.map(one, runs), total=len(runs), disable=not progress,
                            unit="run", file=sys.stderr))
    print(format_summary(results), file=out)
    frames = []
    for (label, combo, values), res in zip(runs, results, strict=True):
        found = sorted((paths.root / values["output_dir"]).glob("*summary.csv"))
        if res.status == "ran" and found:
            frames.append(pd.read_csv(found[0]).assign(run=label, **{f"sweep_{k}": v
                                                                      for k, v in combo.items()}))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    results_csv = base / "results.csv"
    if frames:
        write_csv(table, results_csv)  # atomic: a temporary file renamed over the old one
    failed = [r for r in results if r.status != "ran"]
    if failed:
        kept = ("" if frames else
                f"; no run succeeded, so {results_csv} keeps the previous sweep's results"
                if results_csv.is_file() else "; no run succeeded, so no results.csv was written")
        raise NotebookError(failed[0].message
                            + f"\n  ({len(failed)} of {len(runs)} runs failed{kept})")
    return table, base
