"""Model specifications as data: the outcome, the controls and each model's terms.

A specification names the outcome, the controls every model shares and the terms each model
adds to them (as Exhibit 4's Models 2 to 6 add community types to Model 1's controls), and,
optionally, the column that identifies a unit (a school, a hospital). Every model has a
constant; model ``k`` regresses the outcome on the controls followed by its terms.

:func:`exhibit4` gives the paper's six models; it is the default of every function of
:mod:`collabcomm.models`, of notebook 04 and of notebook 07. :func:`load_spec` reads another
specification from a small YAML file (data/README.md, *Model specification files*), for
example ``data/examples/apipop_models.yaml``::

    outcome: api00                 # the outcome column
    id: cds                        # the unit id column (optional)
    controls: [api99, meals, enroll]
    models:
      - {name: 1, terms: []}       # api00 ~ api99 + meals + enroll

A malformed specification raises one :class:`~collabcomm.errors.ModelSpecError` naming the
file (or the specification's ``source``) and the key.
"""

from __future__ import annotations

import keyword
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from .errors import CollabcommError, ModelSpecError
from .schema import CONTROLS
from .yamlfile import preview, read_yaml

__all__ = [
    "OUTCOME",
    "ADDED",
    "MAIN_MODEL",
    "SPEC_KEYS",
    "MODEL_KEYS",
    "ModelSpec",
    "exhibit4",
    "load_spec",
]

OUTCOME = "api_2012"
"""Exhibit 4's outcome."""

ADDED: dict[int, tuple[str, ...]] = {
    1: (), 2: ("bureaucratic",), 3: ("traditional",), 4: ("fragmented",),
    5: ("collaborative",), 6: ("bureaucratic", "traditional", "fragmented", "collaborative"),
}
"""Community-type regressors each of Exhibit 4's models adds to Model 1's controls."""

MAIN_MODEL = 5
"""Exhibit 4's model of the paper's headline result (Collaborative in Model 5)."""

SPEC_KEYS = ("outcome", "id", "controls", "models")
"""The keys of a specification file."""

MODEL_KEYS = ("name", "terms")
"""The keys of one model in a specification file."""

_RESERVED = ("const", "Intercept")  # the constant's names in tidy tables and in statsmodels


@dataclass(frozen=True)
class ModelSpec:
    """A set of OLS models of one outcome, as data.

    Parameters
    ----------
    outcome : str
        The outcome column.
    controls : sequence of str
        Regressors every model has, in order.
    models : mapping or sequence of (name, terms)
        Each model's number (a whole number from 1) and the terms it adds to the controls.
    id : str, optional
        The column that identifies a unit (``cds``); ``None`` means ``school_id`` where the
        data have it (:attr:`unit_id`).
    source : str
        Where the specification comes from (a file path), named in every message; not part
        of the specification's identity (two equal specifications from two files are equal).

    Raises
    ------
    ModelSpecError
        Naming ``source`` and the key: a column name that is empty, not text, or not usable
        in a formula (letters, digits and ``_``, not starting with a digit; ``const`` is the
        constant's); a term listed twice; the outcome or the id among the regressors; no
        models, a model listed twice, a name that is not a whole number from 1, terms that
        are not a list, or a model with no regressor at all.
    """

    outcome: str
    controls: tuple[str, ...] = ()
    models: tuple[tuple[int, tuple[str, ...]], ...] = ()
    id: str | None = None
    source: str = field(default="model specification", compare=False)

    def __post_init__(self):
        src = self.source
        _name(self.outcome, src, "'outcome'")
        if self.id is not None:
            _name(self.id, src, "'id'")
        controls = _names(self.controls, src, "'controls'")
        pairs = list(self.models.items()) if isinstance(self.models, dict) else self.models
        if not isinstance(pairs, list | tuple) or not pairs:
            raise ModelSpecError(f"{src}: key 'models': needs at least one model, e.g. "
                                 "[{name: 1, terms: []}]")
        models = []
        for i, pair in enumerate(pairs, 1):
            where = f"'models', entry {i}"
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ModelSpecError(f"{src}: key {where}: must be a pair (name, terms)")
            name, terms = pair
            if isinstance(name, bool) or not isinstance(name, int) or name < 1:
                raise ModelSpecError(f"{src}: key {where}: 'name' must be a whole number from 1 "
                                     f"(models are numbered, as in Exhibit 4), not {preview(name)}")
            if name in dict(models):
                raise ModelSpecError(f"{src}: key {where}: model {name} is listed twice")
            where = f"'models', model {name}"
            terms = _names(terms, src, f"{where}: 'terms'")
            again = [t for t in terms if t in controls]
            if again:
                raise ModelSpecError(f"{src}: key {where}: term '{again[0]}' is listed twice "
                                     "(it is already a control)")
            if not controls and not terms:
                raise ModelSpecError(f"{src}: key {where}: has no regressor (no controls and "
                                     "no terms)")
            models.append((name, terms))
        for key, column in (("outcome", self.outcome), ("id", self.id)):
            listed = ["controls"] * (column in controls) + [
                f"the terms of model {n}" for n, ts in models if column in ts]
            if column is not None and listed:
                raise ModelSpecError(f"{src}: key '{key}': '{column}' is also a regressor (in "
                                     f"{listed[0]})")
        if self.id is not None and self.id == self.outcome:
            raise ModelSpecError(f"{src}: key 'id': '{self.id}' is also the outcome")
        object.__setattr__(self, "controls", controls)
        object.__setattr__(self, "models", tuple(models))

    @property
    def names(self) -> tuple[int, ...]:
        """The models' numbers, in order."""
        return tuple(name for name, _ in self.models)

    @property
    def unit_id(self) -> str:
        """The unit id column: :attr:`id`, else ``school_id``."""
        return self.id or "school_id"

    @property
    def regressor_order(self) -> tuple[str, ...]:
        """Every regressor once: the controls, then the terms in order of first appearance
        (for Exhibit 4, the rows of the printed table)."""
        return tuple(dict.fromkeys((*self.controls, *(t for _, ts in self.models for t in ts))))

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column a model uses: the outcome, then :attr:`regressor_order`."""
        return (self.outcome, *self.regressor_order)

    @property
    def is_exhibit4(self) -> bool:
        """Whether the models are Exhibit 4's (whatever the id column and the source)."""
        e = exhibit4()
        return (self.outcome, self.controls, self.models) == (e.outcome, e.controls, e.models)

    @property
    def main_model(self) -> int:
        """The model a notebook shows in detail by default: Model 5 (:data:`MAIN_MODEL`) for
        Exhibit 4, else the last model."""
        return MAIN_MODEL if self.is_exhibit4 else self.names[-1]

    def terms(self, model: int) -> tuple[str, ...]:
        """The terms ``model`` adds to the controls."""
        found = dict(self.models)
        if model not in found:
            names = list(self.names)
            shown = (f"{names[0]}-{names[-1]}" if len(names) > 1
                     and names == list(range(names[0], names[-1] + 1)) else
                     ", ".join(map(str, names)))
            raise CollabcommError(f"{self.source}: model must be one of {shown}, not {preview(model)}")
        return found[model]

    def regressors(self, model: int, *, drop: tuple[str, ...] = ()) -> list[str]:
        """Regressors of ``model`` (controls, then its terms), without those in ``drop``."""
        terms = self.terms(model)
        unknown = sorted(set(drop) - set(self.regressor_order))
        if unknown:
            raise CollabcommError(f"{self.source}: drop: unknown regressor(s) {unknown}")
        out = [t for t in (*self.controls, *terms) if t not in drop]
        if not out:
            raise CollabcommError(f"{self.source}: model {model} has no regressor left after "
                                  f"drop={tuple(drop)}")
        return out

    def formula(self, model: int, *, drop: tuple[str, ...] = ()) -> str:
        """The statsmodels (patsy) formula of ``model``: ``outcome ~ x1 + x2 + ...``."""
        return f"{self.outcome} ~ " + " + ".join(self.regressors(model, drop=drop))

    def focal(self, model: int) -> str:
        """The last term ``model`` adds (Collaborative in Exhibit 4's Model 5): the regressor
        whose slope notebook 07 simulates."""
        terms = self.terms(model)
        if not terms:
            raise CollabcommError(f"{self.source}: model {model} adds no term to the controls, "
                                  "so it has no focal term; choose a model that adds one")
        return terms[-1]


def _name(value, source: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ModelSpecError(f"{source}: key {key}: must be a column name, not {preview(value)}")
    folded = unicodedata.normalize("NFKC", value)
    if folded != value:  # the formula parser (Python's) folds it: "ｘ" would fit column "x"
        raise ModelSpecError(f"{source}: key {key}: {preview(value)} is not a plain column name: "
                             "it has compatibility characters (full-width letters, ligatures, "
                             f"...) that the formula parser reads as {preview(folded)}, so the "
                             "model could fit another column; rename the column in the data "
                             "and the specification")
    if not value.isidentifier() or keyword.iskeyword(value) or value in _RESERVED:
        raise ModelSpecError(f"{source}: key {key}: {preview(value)} cannot be used in a model formula "
                             "(letters, digits and _ only, not starting with a digit, not "
                             "'const'); rename the column in the data and the specification")
    return value


def _names(values, source: str, key: str) -> tuple[str, ...]:
    if not isinstance(values, list | tuple):
        raise ModelSpecError(f"{source}: key {key}: must be a list of column names, e.g. "
                             f"[a, b], not {preview(values)}")
    out = tuple(_name(v, source, key) for v in values)
    twice = [v for i, v in enumerate(out) if v in out[:i]]
    if twice:
        raise ModelSpecError(f"{source}: key {key}: '{twice[0]}' is listed twice")
    return out


@lru_cache(maxsize=1)
def exhibit4() -> ModelSpec:
    """Exhibit 4's six models (data/README.md, *Model specifications*): ``api_2012`` on
    :data:`collabcomm.schema.CONTROLS`, Models 2 to 6 adding :data:`ADDED`.

    >>> exhibit4().formula(5)
    'api_2012 ~ sed_pct + api_2011 + school_size + collaborative'
    """
    return ModelSpec(OUTCOME, CONTROLS, tuple(ADDED.items()), source="Exhibit 4")


def load_spec(path) -> ModelSpec:
    """Read a model specification from a YAML file.

    The file is a mapping with the keys ``outcome`` (a column), ``controls`` (a list of
    columns, default none), ``models`` (a list of ``{name: <number>, terms: [<columns>]}``;
    ``terms`` defaults to none) and, optionally, ``id`` (the unit id column).

    Raises
    ------
    ModelSpecError
        One message naming the file and the key: the file is missing or not UTF-8, not valid
        YAML (a key repeated in a mapping included), not a mapping, has an unknown or a missing
        key, or breaks a rule of :class:`ModelSpec`.

    Examples
    --------
    >>> from collabcomm.paths import project
    >>> spec = load_spec(project().root / "data/examples/apipop_models.yaml")
    >>> spec.formula(1), spec.unit_id
    ('api00 ~ api99 + meals + enroll', 'cds')
    """
    raw = read_yaml(path, ModelSpecError, "model specification file")
    keys = ", ".join(SPEC_KEYS)
    if not isinstance(raw, dict):
        raise ModelSpecError(f"{path}: must be a mapping with the keys {keys}")
    for key in raw:
        if key not in SPEC_KEYS:
            raise ModelSpecError(f"{path}: key {preview(key)} is unknown; the keys are {keys}")
    for key in ("outcome", "models"):
        if key not in raw:
            raise ModelSpecError(f"{path}: key '{key}' is missing")
    entries = raw["models"]
    if not isinstance(entries, list):
        raise ModelSpecError(f"{path}: key 'models': must be a list of models, e.g. "
                             "[{name: 1, terms: []}], not " + repr(entries))
    pairs = []
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise ModelSpecError(f"{path}: key 'models', entry {i}: must be a mapping such as "
                                 "{name: 1, terms: []}, not " + repr(entry))
        for key in entry:
            if key not in MODEL_KEYS:
                raise ModelSpecError(f"{path}: key 'models', entry {i}: key {preview(key)} is unknown; "
                                     "a model has the keys name, terms")
        if "name" not in entry:
            raise ModelSpecError(f"{path}: key 'models', entry {i}: key 'name' is missing")
        pairs.append((entry["name"], entry.get("terms", [])))
    return ModelSpec(raw["outcome"], raw.get("controls", []), tuple(pairs), raw.get("id"),
                     source=str(path))
