"""Independent parser of the exhibits in the paper's text (../shared/seeds/001_*.txt).

The tests compare every cell of data/published against what this parser reads from the paper
itself, so that no published number is typed a second time. The paper text is not part of the
repository: it lives in the project's shared folder beside the checkout (CI has it). Set
COLLABCOMM_SEEDS to point elsewhere; when it cannot be found, the tests that need it skip.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def seeds_dir() -> Path | None:
    env = os.environ.get("COLLABCOMM_SEEDS")
    for cand in ([Path(env)] if env else []) + [REPO.parent / "shared" / "seeds",
                                                 REPO.parent.parent / "shared" / "seeds"]:
        if cand.is_dir() and list(cand.glob("001_*.txt")):
            return cand
    return None


def paper_text(prefix: str = "001") -> str:
    d = seeds_dir()
    if d is None:
        raise FileNotFoundError("paper text not found (set COLLABCOMM_SEEDS)")
    return next(d.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def _section(text: str, start: str, end: str | None) -> str:
    i = text.index(start)
    j = text.index(end, i) if end else len(text)
    return text[i:j]


def _blocks(section: str) -> list[list[str]]:
    """Tab-led lines grouped into blocks separated by lines without a leading tab."""
    blocks, cur = [], []
    for line in section.splitlines()[1:]:
        if line.startswith("\t"):
            cur.append(line[1:].replace("\u00a0", " ").strip())
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return [b for b in blocks if any(c for c in b)]


def exhibit1(text: str) -> list[tuple[str, str]]:
    """(scale heading, item text) for the 20 items, in order."""
    sec = _section(text, "Exhibit 1:", "Exhibit 2:")
    out, heading = [], None
    for line in sec.splitlines()[1:]:
        line = line.strip()
        if not line:
            continue
        if line.startswith("1. "):
            out.append((heading, line[3:].strip()))
        else:
            heading = line
    return out


def exhibit2(text: str) -> dict[str, list[str]]:
    """Variable label -> [mean, sd, min, max] as printed."""
    cells = [c for b in _blocks(_section(text, "Exhibit 2:", "Exhibit 3:")) for c in b if c]
    assert cells[:5] == ["Variable", "Mean", "Std. Dev.", "Min", "Max"], cells[:5]
    body = cells[5:]
    return {body[i]: body[i + 1:i + 5] for i in range(0, len(body), 5)}


def exhibit3(text: str) -> tuple[list[str], dict[str, list[str]]]:
    """(column labels, row label -> printed cells left to right, blanks dropped)."""
    blocks = _blocks(_section(text, "Exhibit 3:", "Cronebach"))
    header = [c for c in blocks[0] if c]
    rows = {b[0]: [c for c in b[1:] if c] for b in blocks[1:]}
    return header, rows


def exhibit4(text: str) -> dict[str, list[str]]:
    """Row label -> six printed cells (blank kept as '')."""
    blocks = _blocks(_section(text, "Exhibit 4:", "** p<0.01"))
    rows = {}
    for b in blocks[1:]:
        if b[0]:
            rows[b[0]] = (b[1:] + [""] * 6)[:6]
    return rows


def exhibit5(text: str) -> list[tuple[str, str, str]]:
    """(scale abbreviation, item text, printed value), in printed (ranked) order."""
    blocks = _blocks(_section(text, "Exhibit 5:", None))
    return [tuple(b[:3]) for b in blocks if len(b) >= 3]


def normalise(s: str) -> str:
    """Fold typographic quotes and white space, for quote lookups."""
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", s).strip()
