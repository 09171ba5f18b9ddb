"""The one YAML reader (collabcomm.yamlfile): messages naming the file, repeated keys refused."""

from __future__ import annotations

import pytest

from collabcomm import yamlfile
from collabcomm.errors import CodebookError, ParameterError


def test_a_good_file_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\nb: [x, 2.5]\n")
    assert yamlfile.read_yaml(path, CodebookError, "codebook file") == {"a": 1, "b": ["x", 2.5]}
    path.write_bytes(b"")
    assert yamlfile.read_yaml(path, CodebookError, "codebook file") is None


@pytest.mark.parametrize("content, message", [
    (None, "parameter file not found"),
    (b"a: [1,\n", "not valid YAML at line 2, column 1: expected the node content, but found "
                  "'<stream end>'"),
    (b"a:\n  b: 1\n  b: 2\n", "not valid YAML at line 3, column 3: key 'b' appears twice in one "
                              "mapping"),
    (b"a: caf\xe9\n", "not UTF-8 text"),
])
def test_each_problem_is_one_error_of_the_callers_type(tmp_path, content, message):
    path = tmp_path / "p.yaml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ParameterError) as info:
        yamlfile.read_yaml(path, ParameterError, "parameter file")
    assert str(info.value) == f"{path}: {message}"


def test_a_file_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlfile, "MAX_BYTES", 10)
    path = tmp_path / "big.yaml"
    path.write_text("a: 12345678901\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"big.yaml: 15 bytes, more than a codebook file may have \(10\)"):
        yamlfile.read_yaml(path, CodebookError, "codebook file")


# Unbounded YAML: nested anchors and aliases (a few hundred bytes expanding to gigabytes) and
# deep nesting are refused while the file is read, by every reader of the companion's YAML.

def _laughs(levels: int = 9) -> str:
    """The classic "billion laughs": each level lists the previous one nine times."""
    text = 'lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for i in range(1, levels):
        text += f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n"
    return text


@pytest.mark.parametrize("text, where, problem", [
    (_laughs(), "line 2, column 12", "alias *l0 is not allowed"),
    ("a: &x 1\nb: *x\n", "line 2, column 4", "alias *x is not allowed"),  # even a harmless one
    ("items:\n  - &item {id: q1, scale: s}\n  - *item\n", "line 3, column 5",
     "alias *item is not allowed"),
    ("a: " + "[" * 100_000, "line 1, column 23", f"nested more than {yamlfile.MAX_DEPTH} levels"),
    ("a: " + "{b: " * 30 + "1" + "}" * 30, "line 1, column 77",
     f"nested more than {yamlfile.MAX_DEPTH} levels"),
])
def test_aliases_and_deep_nesting_are_refused_while_reading(tmp_path, text, where, problem):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        yamlfile.read_yaml(path, CodebookError, "codebook file")
    assert str(info.value).startswith(f"{path}: refused at {where}: {problem}")
    assert len(str(info.value)) < 200


def test_an_anchor_without_alias_and_twenty_levels_are_still_read(tmp_path):
    path = tmp_path / "x.yaml"
    # the document, 18 lists and the number: 20 levels
    path.write_text("a: &x 1\nb: " + "[" * 18 + "2" + "]" * 18 + "\n", encoding="utf-8")
    got = yamlfile.read_yaml(path, CodebookError, "codebook file")
    assert got["a"] == 1
    inner = got["b"]
    for _ in range(17):
        (inner,) = inner
    assert inner == [2]


def test_each_yaml_input_refuses_aliases_with_its_own_error(tmp_path):
    from collabcomm import codebook, modelspec
    from collabcomm.errors import ModelSpecError
    from collabcomm.pipeline import params

    bomb = _laughs()
    (tmp_path / "cb.yaml").write_text("respondent: r\nunit: u\n" + bomb, encoding="utf-8")
    with pytest.raises(CodebookError, match=r"cb.yaml: refused at line 4, column 12: alias \*l0"):
        codebook.load_codebook(tmp_path / "cb.yaml")
    (tmp_path / "spec.yaml").write_text("outcome: y\n" + bomb, encoding="utf-8")
    with pytest.raises(ModelSpecError, match=r"spec.yaml: refused at line 3, column 12: alias"):
        modelspec.load_spec(tmp_path / "spec.yaml")
    (tmp_path / "params.yaml").write_text("notebooks:\n  01_a: &a {}\n  02_b: *a\n",
                                          encoding="utf-8")
    with pytest.raises(ParameterError, match=r"params.yaml: refused at line 3, column 9: alias"):
        params.load_specs(tmp_path / "params.yaml")


def test_the_score_command_refuses_an_alias_codebook_and_writes_nothing(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    hospital = Path(__file__).resolve().parents[1] / "data" / "examples"
    text = (hospital / "hospital_codebook.yaml").read_text(encoding="utf-8")
    cb = tmp_path / "cb.yaml"
    cb.write_text(_laughs() + text, encoding="utf-8")
    out = tmp_path / "out" / "s.csv"
    proc = subprocess.run([sys.executable, "-m", "collabcomm", "score",
                           str(hospital / "hospital_survey_synthetic.csv"), "--codebook", str(cb),
                           "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"error: {cb}: refused at line 2, column 12: alias *l0 is not allowed (aliases can "
        "expand without bound; write the value out)"]
    assert not out.parent.exists()


@pytest.mark.parametrize("value", ["x" * 500_000, list(range(5_000)),
                                   {"k": ["v" * 10_000] * 100}])
def test_a_huge_value_is_shown_as_a_short_preview(tmp_path, value):
    """A message quotes a value from the file only as a short preview."""
    import yaml

    from collabcomm import codebook

    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump({"respondent": "r", "unit": "u", "synthetic": value,
                                    "response_scale": {"min": 1, "max": 5},
                                    "items": [{"id": "q1", "scale": "s"}]}), encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        codebook.load_codebook(path)
    message = str(info.value)
    assert message.startswith(f"{path}: synthetic: must be true or false, not ")
    assert len(message) <= len(str(path)) + 50 + yamlfile.PREVIEW_CHARS


def test_preview_is_bounded_for_every_kind_of_value():
    for value in ("y" * 10**6, b"z" * 10**6, list(range(10**6)), {i: i for i in range(10**5)},
                  [[[[[[1]]]]]] * 1000, 10**500, 1.5):
        assert len(yamlfile.preview(value)) <= yamlfile.PREVIEW_CHARS
    assert yamlfile.preview("abc") == "'abc'"
