"""Turns the rule conditions authors write in YAML into fast checks.

A condition is a mapping. Several keys in one mapping must all hold. Keys:

  all: [conditions]          every one holds
  any: [conditions]          at least one holds
  not: condition             the condition is known not to hold
  unless: condition|name     the condition is not known to hold (false OR unknown)
  meets: name                a named definition from the rules file holds
  unknown: fact / known: fact   whether the fact has been answered
  always: true               holds whatever the facts
  FACT: value                the fact equals value
  FACT: {at_least: N}        comparisons: is, is_not, at_least, more_than, at_most,
                             less_than, one_of (or ==, !=, >=, >, <=, <, in)
  settings.NAME: value       an area setting equals value (e.g. settings.iris: true)
  settings.NAME: {contains: X}   a list setting includes X (e.g. settings.risk_tools: {contains: merit})

Values may name an area setting ("settings.dash_high") so areas can differ
without copying rules. Checks use three values: True, False, or None when the
answer depends on a fact nobody knows yet. An unknown fact inside a comparison
gives None, never False, so a missing answer can never quietly rule a pathway out.
"""
from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .model import AskWhen, Check, FactSpec
from .problems import Collector
from .yamlfile import YDict, YList, line_of

OPERATORS: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    "is": ("==", operator.eq), "==": ("==", operator.eq),
    "is_not": ("!=", operator.ne), "!=": ("!=", operator.ne),
    "at_least": (">=", operator.ge), ">=": (">=", operator.ge),
    "more_than": (">", operator.gt), ">": (">", operator.gt),
    "at_most": ("<=", operator.le), "<=": ("<=", operator.le),
    "less_than": ("<", operator.lt), "<": ("<", operator.lt),
    "one_of": ("in", lambda a, b: a in b), "in": ("in", lambda a, b: a in b),
    # only for list settings (an area's accepted risk tools): a fact holds one value
    "contains": ("contains", lambda a, b: isinstance(a, (list, tuple)) and b in a),
}
NUMERIC = {">=", ">", "<=", "<"}
KEYWORDS = {"all", "any", "not", "unless", "meets", "unknown", "known", "always"}


def _all(checks: list[Check]) -> Check:
    def check(facts: Mapping[str, Any]) -> bool | None:
        result: bool | None = True
        for c in checks:
            value = c(facts)
            if value is False:
                return False
            if value is None:
                result = None
        return result
    return check


def _any(checks: list[Check]) -> Check:
    def check(facts: Mapping[str, Any]) -> bool | None:
        result: bool | None = False
        for c in checks:
            value = c(facts)
            if value is True:
                return True
            if value is None:
                result = None
        return result
    return check


def _not(inner: Check) -> Check:
    def check(facts: Mapping[str, Any]) -> bool | None:
        value = inner(facts)
        return None if value is None else not value
    return check


def _unless(inner: Check) -> Check:
    return lambda facts: inner(facts) is not True


def _is_unknown(fact: str) -> Check:
    return lambda facts: facts.get(fact) is None


def _is_known(fact: str) -> Check:
    return lambda facts: facts.get(fact) is not None


def _constant(result: bool) -> Check:
    return lambda facts: result


def _compare(fact: str, op: Callable[[Any, Any], bool], operand: Any) -> Check:
    def check(facts: Mapping[str, Any]) -> bool | None:
        value = facts.get(fact)
        return None if value is None else op(value, operand)
    return check


Live = Callable[[Mapping[str, Any]], frozenset]
_NONE: frozenset = frozenset()


def _live_fact(fact: str) -> Live:
    return lambda facts: _NONE if facts.get(fact) is not None else frozenset((fact,))


def _live_all(parts: list[Compiled]) -> Live:
    def live(facts: Mapping[str, Any]) -> frozenset:
        # a part already false settles `all`: nothing inside it can matter
        if any(p.check(facts) is False for p in parts):
            return _NONE
        return frozenset().union(*(p.live(facts) for p in parts))
    return live


def _live_any(parts: list[Compiled]) -> Live:
    def live(facts: Mapping[str, Any]) -> frozenset:
        if any(p.check(facts) is True for p in parts):
            return _NONE
        return frozenset().union(*(p.live(facts) for p in parts))
    return live


class Compiled:
    """A compiled condition: ``check`` gives True/False/None; ``live`` gives the
    unanswered facts that could still change the result (used to choose questions)."""

    __slots__ = ("check", "facts", "live")

    def __init__(self, check: Check, facts: frozenset[str], live: Live | None = None):
        self.check = check
        self.facts = facts
        self.live: Live = live or (lambda f: _NONE)


class ConditionCompiler:
    """Compiles conditions for one area; reports problems with file and line."""

    def __init__(self, facts: Mapping[str, FactSpec], settings: Mapping[str, Any],
                 out: Collector, file: Path):
        self.facts = facts
        self.settings = settings
        self.out = out
        self.file = file
        self.definitions: dict[str, Compiled] = {}
        # numbers each int fact is compared with, to try answers either side of them
        self.thresholds: dict[str, set[int]] = {}

    def _err(self, line: int, message: str, fix: str) -> None:
        self.out.error(self.file, line, message, fix)

    def compile(self, node: Any, line: int) -> Compiled | None:
        if not isinstance(node, dict) or not node:
            self._err(line_of(node, line), "a condition must be a mapping such as `strangulation: true`",
                      "write `fact: value`, or use all:/any:/not:/unknown: with facts under them")
            return None
        parts: list[Compiled] = []
        ok = True
        for key, value in node.items():
            key_line = node.line_of(key) if isinstance(node, YDict) else line
            part = self._one(str(key), value, key_line)
            if part is None:
                ok = False
            else:
                parts.append(part)
        if not ok:
            return None
        if len(parts) == 1:
            return parts[0]
        return Compiled(_all([p.check for p in parts]), frozenset().union(*(p.facts for p in parts)), _live_all(parts))

    def _list(self, key: str, value: Any, line: int) -> list[Compiled] | None:
        if not isinstance(value, list) or not value:
            self._err(line, f"`{key}:` needs a list of conditions",
                      f"put each condition on its own line starting with `- ` under `{key}:`")
            return None
        compiled = []
        for i, item in enumerate(value):
            item_line = value.line_of(i) if isinstance(value, YList) else line
            c = self.compile(item, item_line)
            if c is None:
                return None
            compiled.append(c)
        return compiled

    def _fact_name(self, key: str, value: Any, line: int) -> str | None:
        if not isinstance(value, str) or value not in self.facts:
            self._err(line, f"`{key}: {value}` does not name a known fact",
                      f"use one of the fact ids in facts.yaml, e.g. `{key}: dash_score`")
            return None
        return value

    def _definition(self, name: Any, line: int) -> Compiled | None:
        if not isinstance(name, str) or name not in self.definitions:
            known = ", ".join(self.definitions) or "none yet"
            self._err(line, f"`{name}` is not a definition written above this point (known: {known})",
                      "spell the name as under `definitions:`, and define it before it is used")
            return None
        return self.definitions[name]

    def _one(self, key: str, value: Any, line: int) -> Compiled | None:
        if key in ("all", "any"):
            parts = self._list(key, value, line)
            if parts is None:
                return None
            combine, live = (_all, _live_all) if key == "all" else (_any, _live_any)
            return Compiled(combine([p.check for p in parts]), frozenset().union(*(p.facts for p in parts)),
                            live(parts))
        if key == "not":
            inner = self.compile(value, line)
            return None if inner is None else Compiled(_not(inner.check), inner.facts, inner.live)
        if key == "unless":
            inner = self._definition(value, line) if isinstance(value, str) else self.compile(value, line)
            return None if inner is None else Compiled(_unless(inner.check), inner.facts, inner.live)
        if key == "meets":
            return self._definition(value, line)
        if key in ("unknown", "known"):
            fact = self._fact_name(key, value, line)
            if fact is None:
                return None
            if key == "unknown":
                return Compiled(_is_unknown(fact), frozenset([fact]), _live_fact(fact))
            return Compiled(_is_known(fact), frozenset([fact]), _live_fact(fact))
        if key == "always":
            if value is not True:
                self._err(line, "`always:` must be `always: true`", "write `always: true`, or remove it")
                return None
            return Compiled(lambda facts: True, frozenset())
        if key.startswith("settings."):
            return self._setting(key, value, line)
        if key in self.facts:
            return self._fact(key, value, line)
        self._err(line, f"`{key}` is neither a fact nor a condition word",
                  "check the spelling against facts.yaml, or use one of: " + ", ".join(sorted(KEYWORDS)))
        return None

    def resolve(self, value: Any, line: int) -> tuple[bool, Any]:
        """A literal, or the area setting a `settings.NAME` value refers to."""
        if isinstance(value, str) and value.startswith("settings."):
            name = value[len("settings."):]
            if name not in self.settings:
                self._err(line, f"`{value}` names no area setting",
                          f"add `{name}:` under settings in the area file, "
                          f"or use one of: {', '.join(sorted(self.settings))}")
                return False, None
            return True, self.settings[name]
        return True, value

    def _setting(self, key: str, value: Any, line: int) -> Compiled | None:
        ok, actual = self.resolve(key, line)
        if not ok:
            return None
        op_name, op, operand = "==", operator.eq, value
        if isinstance(value, dict):
            if len(value) != 1:
                self._err(line, "a comparison needs exactly one word such as at_least:", "keep one comparison per line")
                return None
            (word, operand), = value.items()
            if word not in OPERATORS:
                self._err(line, f"`{word}` is not a comparison word", "use one of: " + ", ".join(OPERATORS))
                return None
            op_name, op = OPERATORS[word]
        try:
            result = bool(op(actual, operand))
        except TypeError:
            self._err(line, f"cannot compare setting `{key}` ({actual!r}) with {operand!r}",
                      "compare a number with a number, or true/false with true/false")
            return None
        # a setting is fixed for the area, so the check is a constant
        return Compiled(_constant(result), frozenset())

    def _fact(self, fact: str, value: Any, line: int) -> Compiled | None:
        spec = self.facts[fact]
        if isinstance(value, dict):
            if len(value) != 1:
                self._err(line, f"`{fact}:` has {len(value)} comparisons in one mapping",
                          "write one comparison per condition, and combine them with all:")
                return None
            (word, operand), = value.items()
            word_line = value.line_of(word) if isinstance(value, YDict) else line
            if word not in OPERATORS:
                self._err(word_line, f"`{word}` is not a comparison word",
                          "use one of: is, is_not, at_least, more_than, at_most, less_than, one_of")
                return None
            op_name, op = OPERATORS[word]
            line = word_line
            if op_name == "contains":
                self._err(line, f"`contains` compares a list setting, but `{fact}` is a fact with one answer",
                          f"write `{fact}: value`, or `{fact}: {{one_of: [a, b]}}`")
                return None
        else:
            op_name, op, operand = "==", operator.eq, value
        if op_name == "in":
            if not isinstance(operand, list) or not operand:
                self._err(line, f"`one_of` for `{fact}` needs a list of values",
                          "write e.g. `one_of: [victim, third_party]`")
                return None
            resolved = []
            for item in operand:
                ok, v = self.resolve(item, line)
                if not ok or not self._value_fits(spec, v, line):
                    return None
                resolved.append(v)
            return Compiled(_compare(fact, op, frozenset(resolved)), frozenset([fact]), _live_fact(fact))
        ok, operand = self.resolve(operand, line)
        if not ok:
            return None
        if operand is None:
            self._err(line, f"`{fact}` is compared with nothing (null)",
                      f"to test for an unanswered fact write `unknown: {fact}`")
            return None
        if op_name in NUMERIC and spec.type != "int":
            self._err(line, f"`{fact}` is a {spec.type} fact and cannot be compared with {op_name}",
                      "use at_least/at_most only with number facts; use `is` for yes/no and choice facts")
            return None
        if not self._value_fits(spec, operand, line):
            return None
        if spec.type == "int":
            self.thresholds.setdefault(fact, set()).add(int(operand))
        return Compiled(_compare(fact, op, operand), frozenset([fact]), _live_fact(fact))

    def _value_fits(self, spec: FactSpec, value: Any, line: int) -> bool:
        if spec.type == "bool" and not isinstance(value, bool):
            self._err(line, f"`{spec.id}` is a yes/no fact but is compared with {value!r}",
                      f"write `{spec.id}: true` or `{spec.id}: false`")
            return False
        if spec.type == "int" and (isinstance(value, bool) or not isinstance(value, int)):
            self._err(line, f"`{spec.id}` is a number fact but is compared with {value!r}",
                      f"compare it with a whole number or a number setting, e.g. `{spec.id}: {{at_least: 3}}`")
            return False
        if spec.type == "enum" and value not in spec.values:
            self._err(line, f"`{value}` is not one of the answers to `{spec.id}` ({', '.join(spec.values)})",
                      f"use one of: {', '.join(spec.values)}")
            return False
        return True


def compile_ask_when(out: Collector, file: Path, doc: Any, facts: Mapping[str, FactSpec],
                     settings: Mapping[str, Any], definitions: Mapping[str, Compiled]) -> dict[str, AskWhen]:
    """The ``ask_when:`` conditions of facts.yaml, compiled like rule conditions.

    They may use the definitions of rules.yaml (``meets:`` / ``unless:``), so they are
    compiled after the rules. A fact whose ``ask_when`` is known to be false is not
    asked (pregnancy of a person known to be 50 or over, a victim's referral wishes
    when the person disclosing is the one causing harm); an unknown keeps it askable.
    """
    if not isinstance(doc, YDict) or not isinstance(doc.get("facts"), YList):
        return {}
    compiler = ConditionCompiler(facts, settings, out, file)
    compiler.definitions = dict(definitions)
    result: dict[str, AskWhen] = {}
    for item in doc["facts"]:
        if not isinstance(item, YDict) or "ask_when" not in item:
            continue
        fid = item.get("id")
        if not isinstance(fid, str) or fid not in facts:
            continue  # the fact itself is already reported as broken
        line = item.line_of("ask_when")
        compiled = compiler.compile(item["ask_when"], line)
        if compiled is None:
            continue
        if fid in compiled.facts:
            out.error(file, line, f"the `ask_when:` of `{fid}` depends on `{fid}` itself",
                      "say when to ask it using other facts (e.g. `unless: {age_band: age_50_or_over}`)")
            continue
        result[fid] = AskWhen(compiled.check, compiled.facts, line)
    return result
