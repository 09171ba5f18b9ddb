"""Parameter declarations and validation (collabcomm.pipeline.params)."""

from __future__ import annotations

import pytest

from collabcomm.errors import ParameterError
from collabcomm.pipeline import params
from collabcomm.pipeline.paramtext import Text


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


def test_parse_overrides_keeps_the_text_for_the_declaration_to_read():
    got = params.parse_overrides(["seed=7", "alpha=0.75", "name=abc #5", "flag=true",
                                  "profile=[20, 36.5]", "empty="])
    assert got == {"seed": "7", "alpha": "0.75", "name": "abc #5", "flag": "true",
                   "profile": "[20, 36.5]", "empty": ""}
    assert all(isinstance(v, Text) for v in got.values())
    with pytest.raises(ParameterError, match="name=value"):
        params.parse_overrides(["seed"])


# -p values are read by the parameter's declared type, never as YAML (issue: "-p values
# reinterpreted"): a string takes the text verbatim, a number a plain decimal literal.

_TYPED = params.ParamSpec  # short name for the declarations below


@pytest.mark.parametrize("spec, text, value", [
    # text parameters: verbatim, whatever YAML would have made of it
    (_TYPED("profile_name", "str", "x"), "School #5 (east wing)", "School #5 (east wing)"),
    (_TYPED("output_dir", "str", ""), "build/run #2", "build/run #2"),
    (_TYPED("s", "str", "x"), "12:30", "12:30"),
    (_TYPED("s", "str", "x"), "yes", "yes"),
    (_TYPED("s", "str", "x"), "no", "no"),
    (_TYPED("s", "str", "x"), "0x1F", "0x1F"),
    (_TYPED("s", "str", "x"), "1_000", "1_000"),
    (_TYPED("s", "str", "x"), "~", "~"),
    (_TYPED("s", "str", "x"), "null", "null"),
    (_TYPED("s", "str", "x"), "&a [*a]", "&a [*a]"),
    (_TYPED("s", "str", "x"), "'quoted'", "'quoted'"),
    (_TYPED("s", "str", "x"), "  padded  ", "  padded  "),
    (_TYPED("s", "str", "x"), "", ""),
    (_TYPED("s", "str", "x"), "2012-05-01", "2012-05-01"),
    (_TYPED("p", "path", None, nullable=True), "data/a #1.csv", "data/a #1.csv"),
    (_TYPED("p", "path", None, nullable=True), "null", None),
    # numbers: plain decimal literals
    (_TYPED("seed", "int", 0), "750", 750),
    (_TYPED("seed", "int", 0), "-3", -3),
    (_TYPED("seed", "int", 0), "010", 10),
    (_TYPED("seed", "int", 0), " 7 ", 7),
    (_TYPED("a", "float", 0.5), "0.75", 0.75),
    (_TYPED("a", "float", 0.5), ".5", 0.5),
    (_TYPED("a", "float", 0.5), "1", 1.0),
    (_TYPED("a", "float", 0.5), "1e-05", 1e-05),
    (_TYPED("a", "float", 0.5), "-2.5E+2", -250.0),
    (_TYPED("a", "float", None, nullable=True), "null", None),
    (_TYPED("f", "bool", True), "false", False),
    (_TYPED("l", "list", [], items="int"), "[20, 36,42]", [20, 36, 42]),
    (_TYPED("l", "list", [], items="float"), "[0.55,0.75]", [0.55, 0.75]),
    (_TYPED("l", "list", [], items="str"), "[api_2012, sed_pct]", ["api_2012", "sed_pct"]),
    (_TYPED("l", "list", [], items="int"), "[]", []),
])
def test_a_command_line_value_is_read_by_its_declared_type(spec, text, value):
    got = spec.coerce(Text(text), "01_a")
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("spec, text, why", [
    (_TYPED("seed", "int", 0), "12:30", "must be a whole number in decimal digits"),
    (_TYPED("seed", "int", 0), "0x1F", "must be a whole number in decimal digits"),
    (_TYPED("seed", "int", 0), "1_000", "must be a whole number in decimal digits"),
    (_TYPED("seed", "int", 0), "7 # comment", "must be a whole number in decimal digits"),
    (_TYPED("seed", "int", 0), "7.0", "must be a whole number in decimal digits"),
    (_TYPED("seed", "int", 0), "1e3", "must be a whole number in decimal digits"),
    (_TYPED("seed", "int", 0), "\uff17", "must be a whole number in decimal digits"),
    (_TYPED("seed", "int", 0), "", "must be a whole number in decimal digits"),
    (_TYPED("seed", "int", 0), "null", "must be a whole number in decimal digits"),
    (_TYPED("a", "float", 0.5), "12:30", "must be a decimal number"),
    (_TYPED("a", "float", 0.5), ".inf", "must be a decimal number"),
    (_TYPED("a", "float", 0.5), "nan", "must be a decimal number"),
    (_TYPED("a", "float", 0.5), "0.5 #x", "must be a decimal number"),
    (_TYPED("a", "float", 0.5), "1e400", "must be a finite number"),
    (_TYPED("a", "float", 0.5, max=1.0), "1.5", "must be at most 1.0"),
    (_TYPED("f", "bool", True), "yes", "must be true or false"),
    (_TYPED("f", "bool", True), "on", "must be true or false"),
    (_TYPED("f", "bool", True), "1", "must be true or false"),
    (_TYPED("l", "list", [], items="int"), "20,36", "must be a list written [a,b,...] of int"),
    (_TYPED("l", "list", [], items="int"), "[20, 0x1F]", "has the element '0x1F', which must"),
    (_TYPED("l", "list", [], items="int"), "&a [1, *a]", "must be a list written"),
    (_TYPED("m", "str", "refuse", choices=("refuse", "drop")), "drop # x", "has value outside"),
])
def test_a_command_line_value_that_is_not_its_type_is_refused(spec, text, why):
    with pytest.raises(ParameterError) as info:
        spec.coerce(Text(text), "01_a")
    message = str(info.value)
    assert message.startswith(f"notebook 01_a: parameter '{spec.name}' = {text!r} {why}")


def test_a_huge_command_line_value_is_quoted_as_a_preview():
    with pytest.raises(ParameterError) as info:
        _TYPED("seed", "int", 0).coerce(Text("9" * 10**6 + "x"), "01_a")
    assert len(str(info.value)) < 200


def test_overrides_through_resolve_parameters_keep_strings_verbatim(tmp_path):
    specs = params.load_specs(_write(tmp_path, (
        "notebooks:\n"
        "  01_a:\n    parameters:\n      seed: {type: int, default: 1}\n"
        "      name: {type: str, default: x}\n"
        "  02_b:\n    parameters:\n      seed: {type: int, default: 2}\n")))
    overrides = params.parse_overrides(["seed=12", "name=School #5 (east wing)"])
    out = params.resolve_parameters(specs, ["01_a", "02_b"], overrides)
    assert out == {"01_a": {"seed": 12, "name": "School #5 (east wing)"}, "02_b": {"seed": 12}}
    with pytest.raises(ParameterError, match=r"notebook 01_a: parameter 'seed' = '12:30' must be"):
        params.resolve_parameters(specs, ["01_a"], params.parse_overrides(["seed=12:30"]))


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
