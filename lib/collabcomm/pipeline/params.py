"""Notebook parameters: their declared types and ranges, and validation.

``notebooks/params.yaml`` declares, for every notebook, each parameter's default, type and
allowed range, plus the data files the notebook reads (``inputs``) and writes (``outputs``),
as glob patterns relative to the project root. Papermill on its own only *warns* about an unknown parameter; the companion
refuses it, and a wrong type or an out-of-range value, before any notebook starts.

Declared types
--------------
``int``, ``float``, ``str``, ``bool``, ``path`` (a string naming a file, relative to the
project root unless absolute; it must exist unless it is a file some notebook writes, matched
by an ``outputs`` pattern; ``must_exist: true`` checks it even then), and ``list`` (with ``items``
giving the element type and optional ``length``). Numbers and list elements may carry ``min``
and ``max`` (inclusive); any type may carry ``choices`` (for a list, each element must be one
of them); ``nullable: true`` admits ``null``. ``output: true`` marks a folder parameter
where results are written (``output_dir`` of notebook 07): it may not point into an input
folder (:data:`collabcomm.paths.INPUT_FOLDERS`), also not through a symbolic link.
"""

from __future__ import annotations

import fnmatch
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from ..paths import input_folder_of, project
from ..yamlfile import preview, read_yaml
from .paramtext import Text, Unreadable, from_text

__all__ = [
    "ParamSpec",
    "NotebookSpec",
    "load_specs",
    "validate",
    "validate_params",
    "parse_overrides",
    "resolve_parameters",
]

_TYPES = {"int", "float", "str", "bool", "path", "list"}
_SPEC_KEYS = {"default", "type", "min", "max", "choices", "help", "items", "length", "nullable",
              "must_exist", "output"}


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter."""

    name: str
    type: str
    default: Any
    help: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple | None = None
    items: str | None = None
    length: int | None = None
    nullable: bool = False
    must_exist: bool = False
    output: bool = False

    def coerce(self, value: Any, where: str) -> Any:
        """Return ``value`` converted to this parameter's type, or raise :class:`ParameterError`.

        ``where`` names the notebook, for the message. Whether a ``must_exist`` path exists is
        checked by :meth:`check_file`, which needs the project root. A :class:`Text` (a
        command-line value) is first read by the declared type
        (:func:`collabcomm.pipeline.paramtext.from_text`).
        """
        shown = value  # as given: a command-line value is quoted as typed
        if isinstance(value, Text):
            try:
                value = from_text(value, self.type, items=self.items, nullable=self.nullable)
            except Unreadable as exc:
                self._fail(where, value, str(exc))
        if value is None:
            if self.nullable:
                return None
            self._fail(where, shown, "must not be empty (null)")
        if self.type == "list":
            if not isinstance(value, list | tuple):
                self._fail(where, shown, f"must be a list of {self.items}")
            if self.length is not None and len(value) != self.length:
                self._fail(where, shown, f"must have exactly {self.length} elements, not {len(value)}")
            out = [self._scalar(v, self.items or "float", where, shown) for v in value]
        else:
            out = self._scalar(value, self.type, where, shown)
        if self.choices is not None:
            bad = [v for v in (out if self.type == "list" else [out]) if v not in self.choices]
            if bad:
                what = "elements" if self.type == "list" else "value"
                self._fail(where, shown, f"has {what} outside {list(self.choices)}: {preview(bad)}")
        return out

    def check_file(self, value: Any, where: str, root: str | os.PathLike | None = None, *,
                   produced: tuple[str, ...] = ()) -> None:
        """Raise :class:`ParameterError` if a path parameter names no file.

        A relative path is looked up under ``root`` (default: the current project's root).
        A path that matches one of the glob patterns ``produced`` (files a notebook writes) is
        not checked, unless the parameter is declared ``must_exist``.
        """
        if self.type != "path" or value is None:
            return
        base = project(root).root
        p = Path(value)
        p = p if p.is_absolute() else base / p
        if not self.must_exist:
            rel = p.relative_to(base).as_posix() if p.is_relative_to(base) else None
            if rel is not None and any(fnmatch.fnmatchcase(rel, g) for g in produced):
                return
        if not p.is_file():
            self._fail(where, value, f"names no existing file (looked for {p})")

    def check_output(self, value: Any, where: str, root: str | os.PathLike | None = None
                     ) -> None:
        """Raise :class:`ParameterError` if an ``output`` parameter points into an input
        folder (:data:`collabcomm.paths.INPUT_FOLDERS`); an empty value means the default
        folders and is fine."""
        if not self.output or not value:
            return
        folder = input_folder_of(value, root)
        if folder is not None:
            self._fail(where, value, f"points into {folder}/, which holds the companion's "
                                     "inputs; results are never written there (choose a folder "
                                     "such as build/my_results)")

    def _scalar(self, v: Any, kind: str, where: str, whole: Any) -> Any:
        if kind == "bool":
            if not isinstance(v, bool):
                self._fail(where, whole, "must be true or false")
            return v
        if kind in ("str", "path"):
            if not isinstance(v, str) or (kind == "path" and not v.strip()):
                self._fail(where, whole, f"must be a {'file path' if kind == 'path' else 'string'}")
            return v
        if isinstance(v, bool) or not isinstance(v, int | float):
            self._fail(where, whole, f"must be {'an integer' if kind == 'int' else 'a number'}")
        if kind == "int":
            if isinstance(v, float):
                if not v.is_integer():
                    self._fail(where, whole, "must be an integer")
                v = int(v)
        else:
            v = float(v)
            if not math.isfinite(v):
                self._fail(where, whole, "must be a finite number")
        if self.min is not None and v < self.min:
            self._fail(where, whole, f"must be at least {self.min}")
        if self.max is not None and v > self.max:
            self._fail(where, whole, f"must be at most {self.max}")
        return v

    def _fail(self, where: str, value: Any, why: str):
        raise ParameterError(
            f"notebook {where}: parameter '{self.name}' = {preview(value)} {why}."
            + (f" ({self.help})" if self.help else "")
        )


@dataclass(frozen=True)
class NotebookSpec:
    """A notebook's declared parameters and input files."""

    name: str
    parameters: dict[str, ParamSpec] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()

    def defaults(self) -> dict[str, Any]:
        return {k: p.default for k, p in self.parameters.items()}


def _spec_error(path: Path, msg: str) -> ParameterError:
    return ParameterError(f"{path}: {msg}")


def load_specs(path: str | Path | None = None) -> dict[str, NotebookSpec]:
    """Read ``notebooks/params.yaml`` and check the declarations themselves.

    Each default must satisfy its own declaration; a malformed file raises
    :class:`ParameterError` naming the file, notebook and parameter.
    """
    path = Path(path) if path is not None else project().params_file
    raw = read_yaml(path, ParameterError, "parameter file") or {}
    notebooks = raw.get("notebooks") if isinstance(raw, dict) else None
    if not isinstance(notebooks, dict):
        raise _spec_error(path, "expected a top-level mapping 'notebooks:'")
    specs = {}
    for nb, body in notebooks.items():
        body = body or {}
        if not isinstance(body, dict):
            raise _spec_error(path, f"notebook {nb}: expected a mapping")
        unknown = set(body) - {"parameters", "inputs", "outputs"}
        if unknown:
            raise _spec_error(path, f"notebook {nb}: unknown keys {sorted(unknown)}")
        params = {}
        for pname, decl in (body.get("parameters") or {}).items():
            if not isinstance(decl, dict) or "type" not in decl or "default" not in decl:
                raise _spec_error(path, f"notebook {nb}: parameter '{pname}' needs 'type' and 'default'")
            bad = set(decl) - _SPEC_KEYS
            if bad:
                raise _spec_error(path, f"notebook {nb}: parameter '{pname}' has unknown keys {sorted(bad)}")
            if decl["type"] not in _TYPES:
                raise _spec_error(path, f"notebook {nb}: parameter '{pname}' has unknown type {decl['type']!r}")
            choices = decl.get("choices")
            spec = ParamSpec(
                name=pname, type=decl["type"], default=decl["default"], help=decl.get("help", ""),
                min=decl.get("min"), max=decl.get("max"),
                choices=tuple(choices) if choices is not None else None,
                items=decl.get("items"), length=decl.get("length"),
                nullable=bool(decl.get("nullable", False)),
                must_exist=bool(decl.get("must_exist", False)),
                output=bool(decl.get("output", False)),
            )
            spec.coerce(spec.default, f"{nb} (default in {path.name})")
            params[pname] = spec
        lists = {}
        for key in ("inputs", "outputs"):
            val = body.get(key) or []
            if not isinstance(val, list) or not all(isinstance(i, str) for i in val):
                raise _spec_error(path, f"notebook {nb}: '{key}' must be a list of glob patterns")
            lists[key] = tuple(val)
        specs[nb] = NotebookSpec(nb, params, lists["inputs"], lists["outputs"])
    return specs


def validate(notebook: str, values: dict[str, Any], specs: dict[str, NotebookSpec] | None = None,
             *, complete: bool = True, root: str | os.PathLike | None = None) -> dict[str, Any]:
    """Validate a notebook's parameter values; return them coerced to their declared types.

    Parameters
    ----------
    notebook : str
        Notebook name without suffix, e.g. ``"03_school_data"``.
    values : dict
        Parameter values. Unknown names are refused.
    specs : dict, optional
        Output of :func:`load_specs`; read from the project when omitted.
    complete : bool, default True
        Require every declared parameter to be present.
    root : path-like, optional
        Project root that relative paths are checked against; default the current project.

    Raises
    ------
    ParameterError
        Naming the notebook and the parameter: unknown, missing, wrong type or out of range;
        a path naming no file (:meth:`ParamSpec.check_file`); an output folder inside an
        input folder (:meth:`ParamSpec.check_output`).
    """
    specs = load_specs() if specs is None else specs
    if notebook not in specs:
        raise ParameterError(f"notebook {notebook} has no entry in notebooks/params.yaml")
    declared = specs[notebook].parameters
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise ParameterError(
            f"notebook {notebook}: unknown parameter(s) {unknown}; "
            f"declared parameters are {sorted(declared)}"
        )
    if complete:
        missing = sorted(set(declared) - set(values))
        if missing:
            raise ParameterError(f"notebook {notebook}: missing parameter(s) {missing}")
    out = {k: declared[k].coerce(v, notebook) for k, v in values.items()}
    produced = tuple(g for spec in specs.values() for g in spec.outputs)
    for k, v in out.items():
        declared[k].check_file(v, notebook, root, produced=produced)
        declared[k].check_output(v, notebook, root)
    return out


def validate_params(notebook: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Validate a notebook's parameters as they stand in its namespace (the cell after
    ``parameters`` calls ``validate_params("03_school_data", globals())``)."""
    specs = load_specs()
    if notebook not in specs:
        raise ParameterError(f"notebook {notebook} has no entry in notebooks/params.yaml")
    names = specs[notebook].parameters
    missing = sorted(n for n in names if n not in namespace)
    if missing:
        raise ParameterError(f"notebook {notebook}: the parameters cell does not define {missing}")
    return validate(notebook, {n: namespace[n] for n in names}, specs)


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """Split ``name=value`` strings from the command line into ``{name: Text(value)}``.

    Each value stays text (:class:`collabcomm.pipeline.paramtext.Text`) until
    :meth:`ParamSpec.coerce` reads it by the parameter's declared type: ``-p seed=7`` runs
    with 7, ``-p profile_name=School #5`` with the whole text, ``-p seed=12:30`` is refused.
    """
    out: dict[str, Any] = {}
    for item in items or []:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"parameter override {item!r} is not of the form name=value")
        out[name] = Text(text)
    return out


def resolve_parameters(specs: dict[str, NotebookSpec], notebooks: list[str],
                       overrides: dict[str, Any], *, root: str | os.PathLike | None = None
                       ) -> dict[str, dict[str, Any]]:
    """Defaults from params.yaml, updated by overrides, validated for each notebook.

    An override applies to every selected notebook that declares that name. An override that no
    selected notebook declares is refused, as is any value of the wrong type or out of range;
    nothing has run yet when this raises.
    """
    missing_specs = [nb for nb in notebooks if nb not in specs]
    if missing_specs:
        raise ParameterError(f"notebook(s) {missing_specs} have no entry in notebooks/params.yaml")
    declared = {n for nb in notebooks for n in specs[nb].parameters}
    unknown = sorted(set(overrides) - declared)
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {unknown} for notebook(s) {notebooks}; "
            f"declared: {sorted(declared) or 'none'}"
        )
    resolved = {}
    for nb in notebooks:
        values = specs[nb].defaults()
        values.update({k: v for k, v in overrides.items() if k in specs[nb].parameters})
        resolved[nb] = validate(nb, values, specs, root=root)
    return resolved
