"""Weber's typology of action, the organizational forms it grounds, and the papers' theory.

Loads and validates the tables in ``data/theory/`` (codebook: ``data/README.md``): the four
types of social action and their ideal-type organizations and forms; the professions'
trajectory from guild to contract to collaborative community (001); how the instrument's four
scales map onto the typology; the four challenges of scaling up value-rationality with the four
principles and their techniques and Kaiser Permanente examples (000, Figure 2); 001's four
dimensions against 000's; and Figure 1 of 000 as an edge list.

:func:`place_profile` places one organization's profile in the typology without forcing a
single label: following both papers, a real organization mixes ideal types.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import CollabcommError, PublishedDataError
from .paths import project
from .schema import SCALES

__all__ = [
    "THEORY_TABLES",
    "Theory",
    "load_theory",
    "validate_theory",
    "scores_from_answers",
    "place_profile",
    "ACTION_ORDER",
    "codes_in_words",
]

ACTION_ORDER = ("traditional", "affectual", "value_rational", "instrumental")

THEORY_TABLES: dict[str, tuple[str, ...]] = {
    "action_types.csv": ("action_type", "label", "orientation", "oriented_by", "rational",
                         "ideal_type", "forms", "purpose", "adaptability", "adaptability_rank",
                         "instrument_scale", "source"),
    "scale_mapping.csv": ("scale", "scale_label", "action_type", "form", "school_meaning",
                          "source"),
    "instrument_coverage.csv": ("action_type", "measured", "note", "source"),
    "professions_trajectory.csv": ("stage", "order", "form", "action_type", "period",
                                   "what_changed", "source"),
    "challenges.csv": ("dimension", "order", "challenge", "description", "principle",
                       "principle_description", "source"),
    "techniques.csv": ("dimension", "technique_order", "technique", "kaiser_example", "source"),
    "dimensions.csv": ("dimension_001", "description_001", "dimension_000", "relation", "source"),
    "figure1_nodes.csv": ("node", "kind", "label", "column", "row"),
    "figure1_edges.csv": ("source", "target", "relation"),
}
"""Each theory file and the columns it must have."""


@dataclass(frozen=True)
class Theory:
    """The validated theory tables (one DataFrame per file, named after it)."""

    action_types: pd.DataFrame
    scale_mapping: pd.DataFrame
    instrument_coverage: pd.DataFrame
    professions_trajectory: pd.DataFrame
    challenges: pd.DataFrame
    techniques: pd.DataFrame
    dimensions: pd.DataFrame
    figure1_nodes: pd.DataFrame
    figure1_edges: pd.DataFrame


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise PublishedDataError(f"{path}: theory table not found")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PublishedDataError(f"{path}: cannot be read as UTF-8 CSV ({exc})") from None
    if tuple(df.columns) != THEORY_TABLES[name]:
        raise PublishedDataError(f"{path}: columns are {list(df.columns)}, expected "
                                 f"{list(THEORY_TABLES[name])}")
    if df.empty:
        raise PublishedDataError(f"{path}: has no rows")
    return df


def load_theory(folder: str | Path | None = None) -> Theory:
    """Read and validate every table of ``data/theory`` (or ``folder``)."""
    folder = project().theory if folder is None else Path(folder)
    tables = {name.removesuffix(".csv"): _read(folder, name) for name in THEORY_TABLES}
    for col in ("rational",):
        tables["action_types"][col] = tables["action_types"][col].str.lower() == "true"
    tables["action_types"]["adaptability_rank"] = tables["action_types"]["adaptability_rank"].astype(int)
    tables["instrument_coverage"]["measured"] = (
        tables["instrument_coverage"]["measured"].str.lower() == "true")
    for name, col in (("professions_trajectory", "order"), ("challenges", "order"),
                      ("techniques", "technique_order")):
        tables[name][col] = tables[name][col].astype(int)
    for col in ("column", "row"):
        tables["figure1_nodes"][col] = tables["figure1_nodes"][col].astype(float)
    theory = Theory(**tables)
    validate_theory(theory, folder)
    return theory


def validate_theory(t: Theory, folder: str | Path = "data/theory") -> None:
    """Check the theory tables against each other; raise one clear error naming the file.

    Every challenge has exactly one principle; every principle (dimension) has at least one
    technique; every instrument scale maps to an action type or explicitly to ``none``; every
    action type's coverage by the instrument is stated; Figure 1's edges join known nodes and
    each principle overcomes exactly one challenge.
    """
    folder = Path(folder)
    acts = set(t.action_types["action_type"])
    if acts != set(ACTION_ORDER):
        raise PublishedDataError(f"{folder / 'action_types.csv'}: action types must be "
                                 f"{list(ACTION_ORDER)}, found {sorted(acts)}")
    ch = t.challenges
    dup = ch[ch["challenge"].duplicated()]["challenge"].tolist()
    if dup:
        raise PublishedDataError(f"{folder / 'challenges.csv'}: challenge(s) {dup} listed more "
                                 "than once; every challenge has exactly one principle")
    empty = ch[ch["principle"].str.strip() == ""]["challenge"].tolist()
    if empty:
        raise PublishedDataError(f"{folder / 'challenges.csv'}: challenge(s) {empty} have no "
                                 "principle; every challenge has exactly one")
    dup_p = ch[ch["principle"].duplicated()]["principle"].tolist()
    if dup_p:
        raise PublishedDataError(f"{folder / 'challenges.csv'}: principle(s) {dup_p} answer "
                                 "more than one challenge")
    with_tech = set(t.techniques["dimension"])
    lacking = [f"{d} ({p})" for d, p in zip(ch["dimension"], ch["principle"], strict=True)
               if d not in with_tech]
    if lacking:
        raise PublishedDataError(f"{folder / 'techniques.csv'}: no technique for the "
                                 f"principle(s) of {lacking}; every principle needs at least one")
    orphan = sorted(with_tech - set(ch["dimension"]))
    if orphan:
        raise PublishedDataError(f"{folder / 'techniques.csv'}: dimension(s) {orphan} are not "
                                 "in challenges.csv")
    sm = t.scale_mapping
    if set(sm["scale"]) != set(SCALES):
        raise PublishedDataError(f"{folder / 'scale_mapping.csv'}: scales must be "
                                 f"{list(SCALES)}, found {sorted(set(sm['scale']))}")
    bad = sm[~sm["action_type"].isin(acts | {"none"})]
    if not bad.empty:
        raise PublishedDataError(
            f"{folder / 'scale_mapping.csv'}: scale '{bad['scale'].iloc[0]}' maps to "
            f"'{bad['action_type'].iloc[0]}'; every scale maps to an action type "
            f"{sorted(acts)} or explicitly to 'none'")
    cov = t.instrument_coverage
    if set(cov["action_type"]) != acts:
        raise PublishedDataError(f"{folder / 'instrument_coverage.csv'}: must state for every "
                                 "action type whether the instrument measures it")
    measured = set(sm["action_type"]) - {"none"}
    for a, m in zip(cov["action_type"], cov["measured"], strict=True):
        if m != (a in measured):
            raise PublishedDataError(
                f"{folder / 'instrument_coverage.csv'}: '{a}' is marked measured={m}, but "
                f"scale_mapping.csv {'maps' if a in measured else 'maps no scale'} to it")
    nodes = set(t.figure1_nodes["node"])
    e = t.figure1_edges
    unknown = sorted((set(e["source"]) | set(e["target"])) - nodes)
    if unknown:
        raise PublishedDataError(f"{folder / 'figure1_edges.csv'}: unknown node(s) {unknown}")
    principles = set(t.figure1_nodes.query("kind == 'principle'")["node"])
    overcome = e[e["relation"] == "overcomes"]
    counts = overcome.groupby("source").size()
    wrong = sorted(p for p in principles if counts.get(p, 0) != 1)
    if wrong:
        raise PublishedDataError(f"{folder / 'figure1_edges.csv'}: principle(s) {wrong} must "
                                 "overcome exactly one challenge")


def codes_in_words(frame: pd.DataFrame, theory: Theory) -> pd.DataFrame:
    """A copy of a theory table (or a placement) for a reader's table: ``action_type`` (column
    or index) by the type's label in Weber's table (``value_rational`` -> ``Value-rational``),
    and a list of forms ``a;b`` (``form``, ``forms``) as ``a or b``. Other columns stay.

    >>> t = load_theory()
    >>> codes_in_words(pd.DataFrame({"action_type": ["value_rational", "none"],
    ...                              "form": ["bureaucracy;market", "none"]}), t).values.tolist()
    [['Value-rational', 'bureaucracy or market'], ['none', 'none']]

    Raises
    ------
    ValueError
        If an action type is neither in the theory's ``action_types`` nor ``none`` (it names
        the type).
    """
    labels = dict(zip(theory.action_types["action_type"], theory.action_types["label"],
                      strict=True))

    def action(code):
        if code not in labels and code != "none":
            raise ValueError(f"action type {code!r} is not in data/theory/action_types.csv")
        return labels.get(code, code)

    out = frame.copy()
    if "action_type" in out.columns:
        out["action_type"] = [action(v) for v in out["action_type"]]
    if out.index.name == "action_type":
        out.index = pd.Index([action(v) for v in out.index], name="action_type")
    for column in ("form", "forms"):
        if column in out.columns:
            out[column] = [" or ".join(str(v).split(";")) for v in out[column]]
    return out


def scores_from_answers(answers: dict[str, float], *, scale_min: int = 1,
                        scale_max: int = 5) -> dict[str, float]:
    """Four 0-100 scale scores from one respondent's 20 answers (the instrument's scoring)."""
    from .instrument import score
    from .schema import ITEM_IDS

    missing = [i for i in ITEM_IDS if i not in answers]
    unknown = sorted(set(answers) - set(ITEM_IDS))
    if missing or unknown:
        raise CollabcommError(f"profile answers: missing items {missing}, unknown {unknown}")
    bad = {k: v for k, v in answers.items() if not scale_min <= v <= scale_max}
    if bad:
        raise CollabcommError(f"profile answers outside {scale_min}-{scale_max}: {bad}")
    row = pd.DataFrame([{"teacher_id": "profile", "school_id": "profile", **answers}])
    s = score(row, scale_min=scale_min, scale_max=scale_max, min_items=5).iloc[0]
    return {k: float(s[k]) for k in SCALES}


def place_profile(scores: dict[str, float], theory: Theory | None = None, *,
                  mixed_margin: float = 10.0) -> dict:
    """Place one organization's four scale scores (0-100) in the typology.

    Returns a dict with ``table`` (one row per scale: score, share of the total, action
    type, form, rank), ``dominant`` and ``secondary`` (scales), ``margin`` (points between
    them) and ``reading``: ``"mixed"`` when the margin is below ``mixed_margin`` points,
    otherwise ``"leaning"``. Fragmented is reported but, being no type of action, it is kept
    apart: it can be dominant only as a sign that no form binds the organization.

    Notes
    -----
    The papers treat the types as ideal types that real organizations combine (000, "From
    collegiality to collaboration"; 001, the instrument "aims to capture the mix"), so the
    function ranks and never assigns one label.
    """
    theory = load_theory() if theory is None else theory
    missing = [s for s in SCALES if s not in scores]
    if missing:
        raise CollabcommError(f"profile: missing scale score(s) {missing}")
    for s in SCALES:
        v = scores[s]
        if not (isinstance(v, int | float) and 0 <= v <= 100) or np.isnan(v):
            raise CollabcommError(f"profile: score of '{s}' must be between 0 and 100, not {v!r}")
    sm = theory.scale_mapping.set_index("scale")
    total = sum(scores[s] for s in SCALES)
    rows = [(s, float(scores[s]), float(scores[s]) / total if total else np.nan,
             sm.loc[s, "action_type"], sm.loc[s, "form"]) for s in SCALES]
    table = pd.DataFrame(rows, columns=["scale", "score", "share", "action_type", "form"])
    table["rank"] = table["score"].rank(ascending=False, method="first").astype(int)
    ranked = table.sort_values("rank")
    dominant, secondary = ranked["scale"].iloc[0], ranked["scale"].iloc[1]
    margin = float(ranked["score"].iloc[0] - ranked["score"].iloc[1])
    return {"table": table, "dominant": dominant, "secondary": secondary, "margin": margin,
            "reading": "mixed" if margin < mixed_margin else "leaning"}
