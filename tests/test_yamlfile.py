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
