r"""Codebooks: an instrument described as data, so any survey can be scored like Exhibit 1's.

A codebook is a small YAML file (README, *Your own instrument*)::

    respondent: teacher_id        # respondent-id column
    unit: school_id               # unit column (school, ward, team, firm)
    response_scale: {min: 1, max: 5}
    missing_codes: []             # answer codes meaning "missing"
    min_items: 4                  # answered items a scale score needs: a count or a fraction
    min_respondents: 5            # smallest unit reported
    reliability_missing: pairwise # missing answers in alpha: pairwise (psych) or listwise
    items:
      - {id: traditional_policies, scale: traditional, facet: policies, reverse: false,
         text: "..."}

``respondent``, ``unit``, ``response_scale`` and ``items`` are required; ``missing_codes``
defaults to none, ``min_items`` to 1.0 (every item of the scale), ``min_respondents`` to 5 and
``reliability_missing`` to ``pairwise`` (alpha and the item statistics from every answer, as R's
``psych::alpha``; ``listwise``: from the respondents who answered every item of the scale).
Optional keys the companion adds: ``name`` and ``description`` (free text), ``synthetic``
(true for made-up example data), ``scales`` (per scale an optional ``label`` and
``published_alpha``), and, per item, ``response_scale`` for an item answered on another range
than the instrument's (all items of one scale must share one range). Any other key is refused,
so a misspelled key cannot be silently ignored.

A reverse-keyed answer :math:`x` becomes :math:`x_{\min} + x_{\max} - x` before anything is
computed from it (:meth:`Codebook.keyed`).

The 20-item instrument of Exhibit 1 is :func:`exhibit1`, built from
``data/published/exhibit1_items.csv`` and Exhibit 3's alphas, never typed a second time;
notebook 02 writes it out as ``data/derived/instrument_codebook.yaml`` (:func:`to_yaml`), a
template to copy. Loading that file gives back :func:`exhibit1` exactly
(tests/test_codebook.py).

The package: :mod:`~collabcomm.codebook.model` (the :class:`Codebook` and its rules),
:mod:`~collabcomm.codebook.read` (YAML or a mapping to a checked codebook) and
:mod:`~collabcomm.codebook.write` (a codebook to YAML).
"""

from __future__ import annotations

from .model import EXHIBIT1_SOURCE, Codebook, Item, is_exhibit1, scale_table
from .read import ITEM_KEYS, exhibit1, from_mapping, load_codebook, with_options
from .write import TEMPLATE_HEADER, TOP_KEYS, to_mapping, to_yaml

__all__ = ["Item", "Codebook", "exhibit1", "load_codebook", "from_mapping", "to_mapping",
           "to_yaml", "with_options", "scale_table", "is_exhibit1", "EXHIBIT1_SOURCE",
           "TOP_KEYS", "ITEM_KEYS", "TEMPLATE_HEADER"]
