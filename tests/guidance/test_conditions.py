"""Each construct of the rule language, compiled and evaluated on its own."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.guidance.conditions import ConditionCompiler
from assistant.guidance.model import FactSpec
from assistant.guidance.problems import Collector
from assistant.guidance.yamlfile import read_yaml

FACTS = {
    "a": FactSpec("a", "bool", "", "", [], 0),
    "b": FactSpec("b", "bool", "", "", [], 1),
    "n": FactSpec("n", "int", "", "", [], 2, minimum=0, maximum=24),
    "who": FactSpec("who", "enum", "", "", [], 3, values=("victim", "third_party", "perpetrator")),
}
SETTINGS = {"high": 14, "iris": True}


def compile_yaml(tmp_path: Path, text: str, definitions: dict | None = None):
    file = tmp_path / "cond.yaml"
    file.write_text(text, encoding="utf-8")
    out = Collector(tmp_path)
    node = read_yaml(file, out)
    compiler = ConditionCompiler(FACTS, SETTINGS, out, file)
    for name, cond_text in (definitions or {}).items():
        dfile = tmp_path / f"def_{name}.yaml"
        dfile.write_text(cond_text, encoding="utf-8")
        compiler.definitions[name] = compiler.compile(read_yaml(dfile, out), 1)
    return compiler.compile(node, 1), out


def check(tmp_path: Path, text: str, facts: dict[str, Any], **kw: Any) -> bool | None:
    compiled, out = compile_yaml(tmp_path, text, **kw)
    assert compiled is not None, [str(p) for p in out.problems]
    return compiled.check(facts)


@pytest.mark.parametrize("facts,expected",
                         [({"a": True}, True), ({"a": False}, False), ({}, None), ({"a": None}, None)])
def test_equality_with_unknown_is_undecided_never_false(tmp_path: Path, facts: dict, expected: bool | None) -> None:
    assert check(tmp_path, "a: true", facts) is expected


def test_several_keys_in_one_mapping_must_all_hold(tmp_path: Path) -> None:
    assert check(tmp_path, "{a: true, b: true}", {"a": True, "b": True}) is True
    assert check(tmp_path, "{a: true, b: true}", {"a": True, "b": False}) is False


@pytest.mark.parametrize("facts,expected", [
    ({"a": True, "b": True}, True), ({"a": True, "b": False}, False),
    ({"a": False}, False),            # one false decides `all` even with b unknown
    ({"a": True}, None),              # still waiting for b
])
def test_all(tmp_path: Path, facts: dict, expected: bool | None) -> None:
    assert check(tmp_path, "all: [{a: true}, {b: true}]", facts) is expected


@pytest.mark.parametrize("facts,expected", [
    ({"a": True}, True),              # one true decides `any` even with b unknown
    ({"a": False, "b": False}, False),
    ({"a": False}, None),
])
def test_any(tmp_path: Path, facts: dict, expected: bool | None) -> None:
    assert check(tmp_path, "any: [{a: true}, {b: true}]", facts) is expected


@pytest.mark.parametrize("facts,expected", [({"a": True}, False), ({"a": False}, True), ({}, None)])
def test_not_keeps_unknown_unknown(tmp_path: Path, facts: dict, expected: bool | None) -> None:
    assert check(tmp_path, "not: {a: true}", facts) is expected


@pytest.mark.parametrize("facts,expected", [({"a": True}, False), ({"a": False}, True), ({}, True)])
def test_unless_holds_when_false_or_unknown(tmp_path: Path, facts: dict, expected: bool) -> None:
    assert check(tmp_path, "unless: {a: true}", facts) is expected


def test_unknown_and_known(tmp_path: Path) -> None:
    assert check(tmp_path, "unknown: a", {}) is True
    assert check(tmp_path, "unknown: a", {"a": False}) is False
    assert check(tmp_path, "known: a", {"a": False}) is True
    assert check(tmp_path, "known: a", {"a": None}) is False


def test_always(tmp_path: Path) -> None:
    assert check(tmp_path, "always: true", {}) is True


@pytest.mark.parametrize("text,value,expected", [
    ("n: {at_least: 14}", 14, True), ("n: {at_least: 14}", 13, False),
    ('n: {">=": 14}', 15, True), ("n: {more_than: 14}", 14, False),
    ("n: {at_most: 3}", 3, True), ("n: {less_than: 3}", 3, False),
    ("n: {is_not: 3}", 4, True), ("n: 3", 3, True),
    ("n: {at_least: 14}", None, None),
])
def test_number_comparisons(tmp_path: Path, text: str, value: Any, expected: bool | None) -> None:
    assert check(tmp_path, text, {"n": value}) is expected


def test_comparison_with_an_area_setting(tmp_path: Path) -> None:
    assert check(tmp_path, "n: {at_least: settings.high}", {"n": 14}) is True
    assert check(tmp_path, "n: {at_least: settings.high}", {"n": 13}) is False


def test_one_of_for_choices(tmp_path: Path) -> None:
    text = "who: {one_of: [victim, third_party]}"
    assert check(tmp_path, text, {"who": "third_party"}) is True
    assert check(tmp_path, text, {"who": "perpetrator"}) is False
    assert check(tmp_path, text, {}) is None


def test_area_setting_condition_is_constant(tmp_path: Path) -> None:
    assert check(tmp_path, "settings.iris: true", {}) is True
    assert check(tmp_path, "settings.iris: false", {}) is False


def test_meets_and_unless_a_definition(tmp_path: Path) -> None:
    defs = {"risky": "any: [{a: true}, {n: {at_least: settings.high}}]"}
    assert check(tmp_path, "meets: risky", {"n": 20}, definitions=defs) is True
    assert check(tmp_path, "meets: risky", {"a": False, "n": 1}, definitions=defs) is False
    assert check(tmp_path, "unless: risky", {}, definitions=defs) is True
    assert check(tmp_path, "unless: risky", {"a": True}, definitions=defs) is False


@pytest.mark.parametrize("text,needle", [
    ("nonsense: true", "neither a fact nor a condition word"),
    ("a: 3", "yes/no fact"),
    ("n: true", "number fact"),
    ("who: stranger", "not one of the answers"),
    ("a: {at_least: 1}", "cannot be compared"),
    ("n: {roughly: 3}", "not a comparison word"),
    ("n: {at_least: settings.nope}", "names no area setting"),
    ("unknown: nobody", "does not name a known fact"),
    ("meets: undefined_name", "not a definition"),
    ("all: []", "needs a list"),
    ("always: false", "always: true"),
    ("a: null", "unknown: a"),
    ("- a: true", "must be a mapping"),
])
def test_mistakes_are_reported_with_file_line_and_fix(tmp_path: Path, text: str, needle: str) -> None:
    compiled, out = compile_yaml(tmp_path, text)
    assert compiled is None
    assert out.problems, "a mistake must produce a problem"
    problem = out.problems[0]
    assert needle in problem.message + problem.fix
    assert problem.file.endswith("cond.yaml") and problem.line >= 1 and problem.fix
