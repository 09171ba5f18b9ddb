"""Writing codebooks: a :class:`Codebook` as a mapping or as YAML text in a fixed layout."""

from __future__ import annotations

import json
from typing import Any

from .model import Codebook

__all__ = ["TOP_KEYS", "TEMPLATE_HEADER", "to_mapping", "to_yaml"]

TOP_KEYS: tuple[str, ...] = ("name", "description", "synthetic", "respondent", "unit",
                             "response_scale", "missing_codes", "min_items", "min_respondents",
                             "reliability_missing", "scales", "items")
"""Keys a codebook may have, in the order :func:`to_yaml` writes them."""

TEMPLATE_HEADER = (
    "The codebook notebook 02 used (written by collabcomm.codebook.to_yaml; every run rewrites\n"
    "it). In data/derived/ it is Exhibit 1's instrument: copy it and edit the copy to describe\n"
    "your own (README: Your own instrument). Keys: see collabcomm/codebook.py.")
"""Comment lines at the top of the codebook notebook 02 writes."""

def to_mapping(cb: Codebook) -> dict[str, Any]:
    """The codebook as a plain mapping that :func:`from_mapping` reads back unchanged."""
    out: dict[str, Any] = {}
    if cb.name:
        out["name"] = cb.name
    if cb.description:
        out["description"] = cb.description
    if cb.synthetic:
        out["synthetic"] = True
    out |= {"respondent": cb.respondent, "unit": cb.unit,
            "response_scale": {"min": cb.scale_min, "max": cb.scale_max},
            "missing_codes": list(cb.missing_codes), "min_items": cb.min_items,
            "min_respondents": cb.min_respondents,
            "reliability_missing": cb.reliability_missing}
    labels, alphas = dict(cb.labels), dict(cb.published_alphas)
    if labels or alphas:
        out["scales"] = {s: {k: v for k, v in (("label", labels.get(s)),
                                               ("published_alpha", alphas.get(s)))
                             if v is not None}
                         for s in cb.scales if s in labels or s in alphas}
    items = []
    for i in cb.items:
        row: dict[str, Any] = {"id": i.id, "scale": i.scale}
        if i.facet:
            row["facet"] = i.facet
        row["reverse"] = i.reverse
        if (i.low, i.high) != (cb.scale_min, cb.scale_max):
            row["response_scale"] = {"min": i.low, "max": i.high}
        if i.text:
            row["text"] = i.text
        items.append(row)
    out["items"] = items
    return out


def _flow(value: Any) -> str:
    """A value in YAML flow style: JSON for strings and numbers (valid YAML), mappings and
    lists inline."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def to_yaml(cb: Codebook, *, header: str = "") -> str:
    """The codebook as YAML text, one item per line, in a fixed layout (same codebook, same
    bytes). ``header`` lines are written first as comments."""
    lines = [f"# {h}".rstrip() for h in header.splitlines()]
    for key, value in to_mapping(cb).items():
        if key == "items":
            lines.append("items:")
            lines += [f"  - {_flow(row)}" for row in value]
        elif key == "scales":
            lines.append("scales:")
            lines += [f"  {s}: {_flow(meta)}" for s, meta in value.items()]
        else:
            lines.append(f"{key}: {_flow(value)}")
    return "\n".join(lines) + "\n"
