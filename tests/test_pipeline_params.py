"""Parameter declarations and validation (collabcomm.pipeline.params)."""

from __future__ import annotations

import pytest

from collabcomm.errors import ParameterError
from collabcomm.pipeline import params


def spec(**kw):
    base = {"name": "n_schools", "type": "int", "default": 26}
    base.update(kw)
    return params.ParamSpec(**base)


@pytest.mark.parametrize("decl, value, expected", [
    ({"type": "int"}, 5, 5),
    ({"type": "int"}, 5.0, 5),
    ({"type": "float"}, 3, 3.0),
    ({"type": "str", "default": "a"}, "b", "b"),
    ({"type": "bool", "default": True}, False, False),
    ({"type": "list", "items": "float", "length": 2, "default": [1, 2]}, [1, 2.5], [1.0, 2.5]),
    ({"type": "str", "default": "a", "choices": ("a", "b")}, "b", "b"),
    ({"type": "int", "nullable": True}, None, None),
])
def test_coerce_accepts(decl, value, expected):
    assert spec(**decl).coerce(value, "07_x") == expected


@pytest.mark.parametrize("decl, value, fragment", [
    ({"type": "int"}, 5.5, "must be an integer"),
    ({"type": "int"}, True, "must be an integer"),
    ({"type": "int"}, "5", "must be an integer"),
    ({"type": "float"}, float("nan"), "finite"),
    ({"type": "int", "min": 10}, 9, "at least 10"),
    ({"type": "int", "max": 200}, 201, "at most 200"),
    ({"type": "bool", "default": True}, 1, "true or false"),
    ({"type": "str", "default": "a", "choices": ("a", "b")}, "c", "outside ['a', 'b']: ['c']"),
    ({"type": "list", "items": "str", "default": [], "choices": ("a", "b")}, ["a", "z"],
     "has elements outside ['a', 'b']: ['z']"),
    ({"type": "list", "items": "float", "length": 2, "default": [1, 2]}, [1], "exactly 2"),
    ({"type": "list", "items": "float", "default": [1], "max": 100}, [1, 101], "at most 100"),
    ({"type": "int"}, None, "must not be empty"),
    ({"type": "path", "default": "x"}, "", "file path"),
])
def test_coerce_refuses_with_notebook_and_parameter(decl, value, fragment):
    with pytest.raises(ParameterError) as info:
        spec(**decl).coerce(value, "07_x")
    msg = str(info.value)
    assert msg.startswith("notebook 07_x: parameter 'n_schools'") and fragment in msg


def test_path_must_exist(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLABCOMM_ROOT", str(tmp_path))
    (tmp_path / "a.csv").write_text("x\n")
    s = spec(type="path", default="a.csv", must_exist=True)
    assert s.coerce("a.csv", "02_x") == "a.csv"
    s.check_file("a.csv", "02_x")
    with pytest.raises(ParameterError, match="names no existing file"):
        s.check_file("b.csv", "02_x")
    # an explicit root (pipeline.run(root=...)) wins over the environment's project
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.csv").write_text("x\n")
    s.check_file("b.csv", "02_x", root=other)
    with pytest.raises(ParameterError, match="names no existing file"):
        s.check_file("a.csv", "02_x", root=other)


def _write(tmp_path, text):
    p = tmp_path / "params.yaml"
    p.write_text(text)
    return p


def test_load_specs_checks_declarations(tmp_path):
    with pytest.raises(ParameterError, match="not found"):
        params.load_specs(tmp_path / "none.yaml")
    with pytest.raises(ParameterError, match="top-level mapping"):
        params.load_specs(_write(tmp_path, "- a\n"))
    with pytest.raises(ParameterError, match="needs 'type' and 'default'"):
        params.load_specs(_write(tmp_path, "notebooks:\n  01_a:\n    parameters:\n      x: {type: int}\n"))
    with pytest.raises(ParameterError, match="unknown type"):
        params.load_specs(_write(tmp_path, "notebooks:\n  01_a:\n    parameters:\n      x: {type: complex, default: 1}\n"))
    with pytest.raises(ParameterError, match=r"01_a \(default in params.yaml\): parameter 'x'"):
        params.load_specs(_write(tmp_path, "notebooks:\n  01_a:\n    parameters:\n      x: {type: int, default: 1, min: 2}\n"))
    with pytest.raises(ParameterError, match="not valid YAML"):
        params.load_specs(_write(tmp_path, "notebooks: [\n"))


def test_resolve_applies_override_where_declared(tmp_path):
    specs = params.load_specs(_write(tmp_path, (
        "notebooks:\n"
        "  01_a:\n    parameters:\n      seed: {type: int, default: 1}\n"
        "  02_b:\n    parameters:\n      seed: {type: int, default: 2}\n      k: {type: float, default: 0.5}\n")))
    out = params.resolve_parameters(specs, ["01_a", "02_b"], {"seed": 9})
    assert out == {"01_a": {"seed": 9}, "02_b": {"seed": 9, "k": 0.5}}
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) \['k'\] for notebook\(s\) \['01_a'\]"):
        params.resolve_parameters(specs, ["01_a"], {"k": 1.0})


def test_parse_overrides_reads_yaml_values():
    assert params.parse_overrides(["seed=7", "alpha=0.75", "name=abc", "flag=true",
                                   "profile=[20, 36.5]"]) == {
        "seed": 7, "alpha": 0.75, "name": "abc", "flag": True, "profile": [20, 36.5]}
    with pytest.raises(ParameterError, match="name=value"):
        params.parse_overrides(["seed"])


def test_validate_params_from_namespace(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "params.yaml").write_text(
        "notebooks:\n  01_a:\n    parameters:\n      seed: {type: int, default: 1, min: 0}\n")
    monkeypatch.setenv("COLLABCOMM_ROOT", str(tmp_path))
    assert params.validate_params("01_a", {"seed": 3, "other": "x"}) == {"seed": 3}
    with pytest.raises(ParameterError, match="does not define"):
        params.validate_params("01_a", {})
    with pytest.raises(ParameterError, match="at least 0"):
        params.validate_params("01_a", {"seed": -1})


def test_project_params_file_is_valid():
    """The real notebooks/params.yaml declares valid defaults for every notebook present."""
    from collabcomm.paths import project
    from collabcomm.pipeline import discover

    specs = params.load_specs()
    for nb in discover(project()):
        assert nb in specs, f"{nb} has no entry in notebooks/params.yaml"
