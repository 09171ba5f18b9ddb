"""Every notebook is stored clean and declares its parameters the same way.

- no outputs or execution counts in git;
- exactly one cell tagged ``parameters``, the first code cell, every line ``name = value  # meaning``;
- its names are exactly those declared in notebooks/params.yaml, with the same defaults;
- the next code cell validates them through ``collabcomm.pipeline.params.validate_params``.
"""

from __future__ import annotations

import json
from pathlib import Path

import papermill as pm
import pytest

from collabcomm.pipeline import params

REPO = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "project" / "notebooks"
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted(FIXTURE.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_clean_and_parameterized(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert not any(c.get("outputs") or c.get("execution_count") for c in code), "stored with outputs"
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell must be tagged 'parameters'"
    assert code[0] is tagged[0], "the parameters cell must be the first code cell"
    for line in "".join(tagged[0]["source"]).splitlines():
        if line.strip():
            assert "=" in line and "  # " in line, f"parameter line without a trailing comment: {line!r}"
    specs = params.load_specs(path.parent / "params.yaml")
    assert path.stem in specs, f"{path.stem} has no entry in params.yaml"
    declared = specs[path.stem].parameters
    found = pm.inspect_notebook(str(path))
    assert set(found) == set(declared), "parameters cell and params.yaml disagree on names"
    for name, info in found.items():
        assert eval(info["default"]) == declared[name].default, f"default of {name} differs"  # noqa: S307
    nxt = "".join(code[1]["source"])
    assert f'validate_params("{path.stem}"' in nxt or f"validate_params('{path.stem}'" in nxt
