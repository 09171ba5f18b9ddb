"""Reading and checking codebooks: from YAML or a mapping to a :class:`Codebook`.

Every problem is one :class:`~collabcomm.errors.CodebookError` naming the file and the key
(``items[3] ('q4').reverse``). The keys are documented in :mod:`collabcomm.codebook`.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
from typing import Any

from .. import published
from ..errors import CodebookError
from ..reliability import MISSING_MODES as RELIABILITY_MISSING
from ..yamlfile import preview, read_yaml
from .model import EXHIBIT1_SOURCE, Codebook, Item
from .write import TOP_KEYS, to_mapping

__all__ = ["ITEM_KEYS", "from_mapping", "load_codebook", "exhibit1", "with_options"]

ITEM_KEYS: tuple[str, ...] = ("id", "scale", "facet", "reverse", "response_scale", "text")
"""Keys an item may have."""

_REQUIRED = ("respondent", "unit", "response_scale", "items")
_SCALE_KEYS = ("label", "published_alpha")

def _fail(source: str, where: str, why: str) -> CodebookError:
    return CodebookError(f"{source}: {where}{': ' if where else ''}{why}")


def _unknown_keys(found: dict, allowed: tuple[str, ...], source: str, where: str) -> None:
    extra = [k for k in found if k not in allowed]
    if extra:
        hints = []
        for k in extra:
            close = difflib.get_close_matches(str(k), allowed, n=1, cutoff=0.7)
            hints.append(f"{preview(k)} (did you mean {close[0]!r}?)" if close else preview(k))
        raise _fail(source, where, f"unknown key(s) {', '.join(hints)}; a codebook's keys are "
                                   f"{list(allowed)}")


def _text(value: Any, source: str, where: str, *, blank: bool = False) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _fail(source, where, f"must be text, not {preview(value)}")
    value = str(value).strip()
    if not value and not blank:
        raise _fail(source, where, "must not be empty")
    return value


def _integer(value: Any, source: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(source, where, f"must be an integer, not {preview(value)}")
    return value


def _range(value: Any, source: str, where: str) -> tuple[int, int]:
    if not isinstance(value, dict) or set(value) != {"min", "max"}:
        raise _fail(source, where, f"must be {{min: <integer>, max: <integer>}}, not {preview(value)}")
    low = _integer(value["min"], source, f"{where}.min")
    high = _integer(value["max"], source, f"{where}.max")
    if low >= high:
        raise _fail(source, where, f"min ({low}) must be below max ({high})")
    return low, high


def _min_items(value: Any, source: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(source, "min_items", f"must be a count (an integer, e.g. 4) or a fraction "
                                         f"of the scale's items (e.g. 0.8), not {preview(value)}")
    if isinstance(value, float) and value > 1 and value.is_integer():
        value = int(value)  # 4.0 from a numeric parameter is the count 4
    if isinstance(value, int):
        if value < 1:
            raise _fail(source, "min_items", f"a count must be at least 1, not {value}")
        return value
    if not (math.isfinite(value) and 0 < value <= 1):
        raise _fail(source, "min_items", f"a fraction must lie in (0, 1], not {value}")
    return float(value)


def _item(raw: Any, k: int, default: tuple[int, int], source: str) -> Item:
    where = f"items[{k}]"
    if not isinstance(raw, dict):
        raise _fail(source, where, f"must be a mapping such as {{id: q1, scale: s}}, not {preview(raw)}")
    if "id" in raw:
        where = f"items[{k}] ({preview(raw['id'])})"
    _unknown_keys(raw, ITEM_KEYS, source, where)
    for key in ("id", "scale"):
        if key not in raw:
            raise _fail(source, where, f"key {key!r} is missing")
    reverse = raw.get("reverse", False)
    if not isinstance(reverse, bool):
        raise _fail(source, f"{where}.reverse", f"must be true or false, not {preview(reverse)}")
    low, high = (_range(raw["response_scale"], source, f"{where}.response_scale")
                 if "response_scale" in raw else default)
    return Item(id=_text(raw["id"], source, f"{where}.id"),
                scale=_text(raw["scale"], source, f"{where}.scale"),
                facet=_text(raw.get("facet", ""), source, f"{where}.facet", blank=True),
                reverse=reverse, low=low, high=high,
                text=_text(raw.get("text", ""), source, f"{where}.text", blank=True))


def output_columns(respondent: str, unit: str, scales: list[str]
                   ) -> dict[str, list[tuple[str, str | None, str]]]:
    """The columns of each table that ``score`` and notebook 02 write, for a codebook with
    these respondent and unit columns and scales (:func:`collabcomm.survey.analyse`:
    ``teachers`` from :func:`collabcomm.instrument.score`, the unit tables from
    :func:`collabcomm.reliability.aggregate`), as ``(column, source, what)``: ``source`` is
    ``"respondent"``, ``"unit"`` or ``"scale:<name>"`` for a column the codebook names, and
    ``None`` for one the companion names; ``what`` says what the column holds. Tables whose
    columns are all fixed (``reliability``, ``items``, ``icc``) are left out: the codebook's
    names reach them only as values.

    Examples
    --------
    >>> [c for c, _, _ in output_columns("r", "u", ["a"])["teachers"]]
    ['r', 'u', 'a', 'n_items_a']
    """
    ids = {"respondent": (respondent, "respondent", "the respondent ids"),
           "unit": (unit, "unit", "the unit ids")}
    return {
        "teachers": [ids["respondent"], ids["unit"],
                     *(column for s in scales for column in (
                         (s, f"scale:{s}", f"the scores of scale {preview(s)}"),
                         (f"n_items_{s}", f"scale:{s}",
                          f"the answered-item counts of scale {preview(s)}")))],
        "schools": [ids["unit"], ("n_respondents", None, "the respondents counted per unit"),
                    *((s, f"scale:{s}", f"the mean scores of scale {preview(s)}")
                      for s in scales)],
        "agreement": [ids["unit"], ("scale", None, "the scale names"),
                      ("rwg_j", None, "rwg(j)"), ("rwg_star_j", None, "r*wg(j)")],
        "suppressed": [ids["unit"]],
    }


def _check_output_names(items: list[Item], respondent: str, unit: str, source: str) -> None:
    """Refuse a respondent, unit or scale name that would give an output table two columns
    of one name (one would silently overwrite the other, or the write would fail). The
    message names the codebook key of the later column (or of the only one the codebook
    names) and what both columns hold."""
    keys = {"respondent": "respondent", "unit": "unit"}
    for k, i in enumerate(items):
        keys.setdefault(f"scale:{i.scale}", f"items[{k}] ({preview(i.id)}).scale")
    scales = [key.removeprefix("scale:") for key in keys if key.startswith("scale:")]
    for table, columns in output_columns(respondent, unit, scales).items():
        seen: dict[str, tuple[str | None, str]] = {}
        for name, owner, what in columns:
            if name in seen:
                first_owner, first_what = seen[name]
                if owner is None:
                    owner, what, first_what = first_owner, first_what, what
                raise _fail(source, keys[owner], f"{preview(name)} would name two columns of "
                                                 f"the {table} table, {what} and {first_what}; "
                                                 "rename it")
            seen[name] = (owner, what)


def _check_items(items: list[Item], respondent: str, unit: str, source: str) -> None:
    seen: dict[str, int] = {}
    for k, i in enumerate(items):
        if i.id in seen:
            raise _fail(source, f"items[{k}]", f"id {preview(i.id)} repeats items[{seen[i.id]}]")
        if i.id in (respondent, unit):
            raise _fail(source, f"items[{k}]", f"id {preview(i.id)} is also the "
                                               f"{'respondent' if i.id == respondent else 'unit'}"
                                               " column")
        seen[i.id] = k
    for scale in dict.fromkeys(i.scale for i in items):
        ranges = {(i.low, i.high) for i in items if i.scale == scale}
        if len(ranges) > 1:
            raise _fail(source, f"scale {preview(scale)}", f"its items have different response scales "
                                                    f"{sorted(ranges)}; the items of one scale "
                                                    "must share one range")


def _scales_meta(raw: Any, scales: list[str], source: str):
    if raw is None:
        return (), ()
    if not isinstance(raw, dict):
        raise _fail(source, "scales", f"must map scale names to {{label, published_alpha}}, "
                                      f"not {preview(raw)}")
    labels, alphas = [], []
    for name, meta in raw.items():
        where = f"scales.{name}"
        if name not in scales:
            raise _fail(source, where, f"no item belongs to scale {preview(name)}; scales are {scales}")
        if not isinstance(meta, dict):
            raise _fail(source, where, f"must be a mapping, not {preview(meta)}")
        _unknown_keys(meta, _SCALE_KEYS, source, where)
        if "label" in meta:
            labels.append((name, _text(meta["label"], source, f"{where}.label")))
        if "published_alpha" in meta:
            a = meta["published_alpha"]
            if isinstance(a, bool) or not isinstance(a, int | float) or not -1 <= a <= 1:
                raise _fail(source, f"{where}.published_alpha", f"must be a number up to 1, "
                                                                f"not {preview(a)}")
            alphas.append((name, float(a)))
    return tuple(labels), tuple(alphas)


def from_mapping(raw: Any, source: str = "codebook") -> Codebook:
    """Validate a parsed codebook (a mapping, as from YAML) and return it.

    Raises
    ------
    CodebookError
        One message naming ``source`` and the key (``items[3] ('q4').reverse``): a missing or
        unknown key (with the closest known one), a wrong type, a response scale whose min is
        not below its max, a repeated item id, an item id equal to the respondent or unit
        column, the items of one scale on different ranges, a missing-value code inside a
        response scale, or a ``min_items`` count larger than some scale's number of items.
    """
    if not isinstance(raw, dict):
        raise _fail(source, "", "a codebook must be a mapping of keys (respondent, unit, "
                                "response_scale, items, ...)")
    _unknown_keys(raw, TOP_KEYS, source, "")
    absent = [k for k in _REQUIRED if k not in raw]
    if absent:
        raise _fail(source, "", f"required key(s) {absent} missing")
    respondent = _text(raw["respondent"], source, "respondent")
    unit = _text(raw["unit"], source, "unit")
    if respondent == unit:
        raise _fail(source, "unit", f"must differ from the respondent column {respondent!r}")
    default = _range(raw["response_scale"], source, "response_scale")
    if not isinstance(raw["items"], list) or not raw["items"]:
        raise _fail(source, "items", "must be a non-empty list of items")
    items = [_item(r, k, default, source) for k, r in enumerate(raw["items"])]
    _check_items(items, respondent, unit, source)
    _check_output_names(items, respondent, unit, source)
    codes = raw.get("missing_codes", [])
    codes = [] if codes is None else codes  # the key left empty: no codes
    if not isinstance(codes, list):  # a scalar, even 0, is not read as "none"
        raise _fail(source, "missing_codes", "a list of integers is expected (such as [-9], "
                                             f"or [] for none), not the single value "
                                             f"{preview(codes)}")
    codes = [_integer(c, source, "missing_codes") for c in codes]
    for i in items:
        inside = sorted(c for c in codes if i.low <= c <= i.high)
        if inside:
            raise _fail(source, "missing_codes", f"code(s) {inside} lie inside the response "
                                                 f"scale {i.low}-{i.high} of item {i.id!r}, so "
                                                 "an answer would be ambiguous; use codes "
                                                 "outside the scale (e.g. -9)")
    min_items = _min_items(raw.get("min_items", 1.0), source)
    scales = list(dict.fromkeys(i.scale for i in items))
    if isinstance(min_items, int):
        for s in scales:
            k = sum(i.scale == s for i in items)
            if min_items > k:
                raise _fail(source, "min_items", f"{min_items} is more than the {k} item(s) of "
                                                 f"scale {s!r}; give a count every scale can "
                                                 "meet or a fraction such as 0.8")
    min_resp = _integer(raw.get("min_respondents", 5), source, "min_respondents")
    if min_resp < 1:
        raise _fail(source, "min_respondents", f"must be at least 1, not {min_resp}")
    rel_missing = raw.get("reliability_missing", "pairwise")
    if rel_missing not in RELIABILITY_MISSING:
        raise _fail(source, "reliability_missing", f"must be {' or '.join(RELIABILITY_MISSING)}"
                                                   f", not {preview(rel_missing)}")
    synthetic = raw.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise _fail(source, "synthetic", f"must be true or false, not {preview(synthetic)}")
    labels, alphas = _scales_meta(raw.get("scales"), scales, source)
    return Codebook(respondent=respondent, unit=unit, scale_min=default[0],
                    scale_max=default[1], items=tuple(items), missing_codes=tuple(codes),
                    min_items=min_items, min_respondents=min_resp,
                    reliability_missing=rel_missing,
                    name=_text(raw.get("name", ""), source, "name", blank=True),
                    description=_text(raw.get("description", ""), source, "description",
                                      blank=True),
                    synthetic=synthetic, labels=labels, published_alphas=alphas, source=source)


def load_codebook(path: str | os.PathLike) -> Codebook:
    """Read and validate a codebook YAML file (see the module docstring for its keys).

    Raises
    ------
    CodebookError
        Naming the file: not found, too large, not UTF-8, not YAML (with line and column; a
        key repeated in one mapping included; :func:`collabcomm.yamlfile.read_yaml`), or any
        problem :func:`from_mapping` finds.
    """
    raw = read_yaml(path, CodebookError, "codebook file")
    return from_mapping(raw, str(path))

def exhibit1(root=None) -> Codebook:
    """The 20-item instrument of Exhibit 1: teacher_id within school_id, a 1-5 agreement scale
    (an assumption; the paper does not say), 4 of 5 items per score, schools of at least 5
    respondents, Exhibit 3's alphas as the published ones."""
    bank = published.items(root)
    alphas = published.alphas(root)
    labels = dict(zip(bank["scale"], bank["scale_label"], strict=True))
    return from_mapping({
        "name": "Exhibit 1: the collaborative-community instrument (paper 001)",
        "respondent": "teacher_id", "unit": "school_id",
        "response_scale": {"min": 1, "max": 5}, "missing_codes": [], "min_items": 4,
        "min_respondents": 5,
        "scales": {s: {"label": labels[s], "published_alpha": float(alphas[s])}
                   for s in labels},
        "items": [{"id": r.item_id, "scale": r.scale, "facet": r.facet, "reverse": False,
                   "text": r.text} for r in bank.itertuples()],
    }, EXHIBIT1_SOURCE)


def with_options(cb: Codebook, **options: Any) -> Codebook:
    """The codebook with some instrument-wide options replaced and checked again.

    ``options`` are ``scale_min``, ``scale_max``, ``missing_codes``, ``min_items``,
    ``min_respondents`` and ``reliability_missing``; a value of ``None`` keeps the codebook's. Items without a range of
    their own follow a new ``scale_min``/``scale_max``.
    """
    allowed = {"scale_min", "scale_max", "missing_codes", "min_items", "min_respondents",
               "reliability_missing"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise CodebookError(f"unknown option(s) {unknown}; options are {sorted(allowed)}")
    options = {k: v for k, v in options.items() if v is not None}
    if not options:
        return cb
    raw = to_mapping(cb)
    low = options.pop("scale_min", cb.scale_min)
    high = options.pop("scale_max", cb.scale_max)
    raw["response_scale"] = {"min": low, "max": high}
    if isinstance(options.get("missing_codes"), tuple):
        options["missing_codes"] = list(options["missing_codes"])
    raw |= options
    new = from_mapping(raw, cb.source)
    return dataclasses.replace(new, source=cb.source)
