"""What a run will do before it starts: which notebooks (:func:`discover`), which waits for which
(:func:`dependencies`), which are already up to date (:func:`fingerprint` and the stamps of
earlier runs), which folders it writes, and in what order free cores take the ready notebooks."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..errors import NotebookError
from ..paths import ProjectPaths, package_dir
from .params import NotebookSpec

__all__ = [
    "discover",
    "dependencies",
    "default_jobs",
    "fingerprint",
    "output_hashes",
    "damaged_output",
    "rerun_reason",
]


def discover(paths: ProjectPaths) -> list[str]:
    """Names (without suffix) of ``notebooks/NN_*.ipynb``, in run order."""
    if not paths.notebooks.is_dir():
        return []
    return sorted(
        p.stem for p in paths.notebooks.glob("[0-9][0-9]_*.ipynb") if p.is_file()
    )


def _select(names: list[str], only: list[str] | None) -> list[str]:
    if not only:
        return names
    chosen = []
    for key in only:
        hits = [n for n in names if n == key or n.startswith(f"{key}_") or n.split("_")[0] == key]
        if not hits:
            raise NotebookError(f"--only {key}: no notebook matches; notebooks are {names}")
        chosen.extend(h for h in hits if h not in chosen)
    return [n for n in names if n in chosen]


def _overlap(a: str, b: str, root: Path) -> bool:
    """Whether two project-relative glob patterns can name the same file: one matches the
    other as text (``data/derived/*.csv`` and ``data/derived/exhibit4_fits.csv``), or an existing
    file matches both."""
    if fnmatch.fnmatchcase(a, b) or fnmatch.fnmatchcase(b, a):
        return True
    return any(fnmatch.fnmatchcase(p.relative_to(root).as_posix(), b) for p in root.glob(a))


def _reads(paths: ProjectPaths, spec: NotebookSpec, values: dict[str, Any]) -> list[str]:
    """A notebook's input patterns: its ``inputs``, and the files its ``path`` parameters name
    (as project-relative paths where they lie inside the project)."""
    reads = list(spec.inputs)
    for name, pspec in spec.parameters.items():
        if pspec.type == "path" and values.get(name):
            p = Path(values[name])
            p = p if p.is_absolute() else paths.root / p
            if p.resolve().is_relative_to(paths.root.resolve()):
                reads.append(p.resolve().relative_to(paths.root.resolve()).as_posix())
    return reads


def dependencies(paths: ProjectPaths, specs: dict[str, NotebookSpec], names: list[str],
                 values: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """For each notebook of ``names``, the earlier ones it must wait for.

    Notebook B waits for an earlier notebook A when a file can be both an output of A and an
    input of B (the ``inputs`` and ``outputs`` patterns of params.yaml, and B's ``path``
    parameters). It also waits when B writes what A reads or writes, so that running them
    concurrently never changes what either sees: the result is always that of running the
    notebooks one after another in name order. Notebooks not in ``names`` are not waited for;
    their files are read as they are.
    """
    reads = {nb: _reads(paths, specs[nb], values[nb]) for nb in names}
    writes = {nb: list(specs[nb].outputs) for nb in names}

    def touches(xs, ys):
        return any(_overlap(x, y, paths.root) for x in xs for y in ys)

    deps: dict[str, list[str]] = {}
    for i, b in enumerate(names):
        deps[b] = [a for a in names[:i]
                   if touches(writes[a], reads[b]) or touches(reads[a], writes[b])
                   or touches(writes[a], writes[b])]
    return deps


def default_jobs() -> int:
    """Notebooks run at once by default: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _hash_file(h: Any, path: Path, label: str) -> None:
    h.update(label.encode() + b"\0")
    h.update(path.read_bytes())
    h.update(b"\0")


def fingerprint(paths: ProjectPaths, notebook: str, spec: NotebookSpec,
                values: dict[str, Any], lib_dir: Path | None = None) -> str:
    """SHA-256 of everything a notebook's results depend on.

    Its source bytes; its parameter values (canonical JSON); every file below ``lib_dir``
    (default: the imported ``collabcomm`` package), caches excluded; every file matched by the
    notebook's ``inputs`` glob patterns; every existing file named by a ``path`` parameter.
    """
    lib_dir = package_dir() if lib_dir is None else Path(lib_dir)
    h = hashlib.sha256()
    _hash_file(h, paths.notebooks / f"{notebook}.ipynb", "notebook")
    h.update(json.dumps(values, sort_keys=True, default=str).encode() + b"\0")
    for f in sorted(p for p in lib_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        _hash_file(h, f, f"lib/{f.relative_to(lib_dir).as_posix()}")
    inputs: set[Path] = set()
    for pattern in spec.inputs:
        inputs.update(p for p in paths.root.glob(pattern) if p.is_file())
    for name, pspec in spec.parameters.items():
        if pspec.type == "path" and values.get(name):
            p = Path(values[name])
            p = p if p.is_absolute() else paths.root / p
            if p.is_file():
                inputs.add(p)
    own = {p for pattern in spec.outputs for p in paths.root.glob(pattern)}
    for f in sorted(inputs - own):  # a notebook's own outputs are never its inputs
        label = f.relative_to(paths.root).as_posix() if f.is_relative_to(paths.root) else str(f)
        _hash_file(h, f, f"input/{label}")
    return h.hexdigest()


def _read_stamp(paths: ProjectPaths, notebook: str) -> dict | None:
    try:
        return json.loads((paths.stamps / f"{notebook}.json").read_text())
    except (OSError, ValueError):
        return None


def output_hashes(root: Path, outputs: list[str]) -> dict[str, str]:
    """SHA-256 of each output's content, keyed as given: a path relative to ``root``, or an
    absolute path for an output outside the project (an ``output_dir``). The run stamp keeps
    them, so a later run can tell that an output changed since its notebook wrote it."""
    return {o: hashlib.sha256((root / o).read_bytes()).hexdigest() for o in outputs}


def damaged_output(root: Path, hashes: dict[str, str]) -> str | None:
    """The first output (in path order) that is missing or whose content differs from what
    its notebook wrote, said in words (``figures/instrument_reliability.png changed since its
    run``); ``None`` when every output is as written."""
    for output in sorted(hashes):
        path = root / output
        if not path.is_file():
            return f"{output} is missing"
        if hashlib.sha256(path.read_bytes()).hexdigest() != hashes[output]:
            return f"{output} changed since its run"
    return None


def rerun_reason(paths: ProjectPaths, notebook: str, digest: str) -> str | None:
    """Why ``notebook`` must run again, or ``None`` when it is up to date (its stamp has
    ``digest`` and every output it wrote is there with the content it wrote). The reason is
    ``""`` for a change of inputs (the normal case, not reported) and a sentence for an
    output that is missing or changed (:func:`damaged_output`), which the summary reports."""
    stamp = _read_stamp(paths, notebook)
    if not stamp or stamp.get("fingerprint") != digest:
        return ""
    if not (paths.executed / f"{notebook}.ipynb").is_file():
        return ""
    hashes = stamp.get("hashes")
    if not isinstance(hashes, dict) or set(hashes) != set(stamp.get("outputs", [])):
        return ""  # a stamp from before outputs were hashed
    return damaged_output(paths.root, hashes)


def _written_folders(paths: ProjectPaths, specs: dict[str, NotebookSpec], names: list[str],
                     values: dict[str, dict[str, Any]]) -> list[Path]:
    """The folders a run writes into, to be locked while it runs: ``build/`` (staging, stamps,
    executed notebooks), the first-level folders of the notebooks' declared outputs
    (``data/derived``, ``figures``), and any ``output_dir`` a parameter names."""
    folders = {paths.build}
    for nb in names:
        for pattern in specs[nb].outputs:
            parts = Path(pattern).parts
            folders.add(paths.root.joinpath(*parts[:-1]) if len(parts) > 1 else paths.root)
        if values[nb].get("output_dir"):
            folders.add(paths.root / values[nb]["output_dir"])
    return sorted(folders)


def _priorities(paths: ProjectPaths, names: list[str], deps: dict[str, list[str]]
                ) -> dict[str, float]:
    """Each notebook's longest chain of work to the end of the run, in seconds, with each
    notebook's time taken from its last stamp (1 s if it has none): a free core takes the
    ready notebook with the longest chain behind it, so the critical path starts first."""
    cost = {nb: float((_read_stamp(paths, nb) or {}).get("seconds", 1.0)) for nb in names}
    users = {nb: [b for b in names if nb in deps[b]] for nb in names}
    chain: dict[str, float] = {}
    for nb in reversed(names):  # dependants come later in name order
        chain[nb] = cost[nb] + max((chain[u] for u in users[nb]), default=0.0)
    return chain
