"""The guidance as an author reads it: rules in plain words, contacts, settings.

Reads the same files the bot reads, with the same YAML reader (so every item
knows its line), and the loaded Guidance for the questions' wording.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.dates import as_date
from assistant.guidance.model import FactSpec, Guidance
from assistant.guidance.problems import Collector
from assistant.guidance.yamlfile import YDict, YList, read_yaml

from .edits import item_end

REACH_KEYS = ("phone", "url", "email", "form", "how")
OPERATOR_WORDS = {
    "is": "is", "==": "is", "is_not": "is not", "!=": "is not", "at_least": "is at least", ">=": "is at least",
    "more_than": "is more than", ">": "is more than", "at_most": "is at most", "<=": "is at most",
    "less_than": "is less than", "<": "is less than", "one_of": "is one of", "in": "is one of",
    "contains": "includes",
}


def read(folder: Path, rel: str) -> Any:
    return read_yaml(folder / rel, Collector(folder))


def humanise(name: str) -> str:
    return str(name).replace("_", " ")


# ---- rules in plain words ---------------------------------------------------

class Words:
    """Turns a rule condition into a sentence, using the questions' own wording."""

    def __init__(self, guidance: Guidance):
        self.facts: dict[str, FactSpec] = guidance.facts
        self.settings = guidance.settings
        self.items: dict[str, str] = {}
        for group in guidance.groups.values():
            self.items.update(group.items)

    def _value(self, spec: FactSpec | None, value: Any) -> str:
        if isinstance(value, str) and value.startswith("settings."):
            name = value[len("settings."):]
            return f"{self.settings.get(name)!s} (the area's {humanise(name)})"
        if spec is not None:
            for option in spec.options:
                if option.value == value and not isinstance(value, bool) or option.value is value:
                    return f"“{option.label}”"
        if isinstance(value, list):
            return ", ".join(self._value(spec, v) for v in value)
        return "“Yes”" if value is True else "“No”" if value is False else f"“{value}”"

    def fact(self, fact: str, value: Any) -> str:
        spec = self.facts.get(fact)
        if fact.startswith("settings."):
            name = humanise(fact[len("settings."):])
            if isinstance(value, dict) and len(value) == 1:
                (word, operand), = value.items()
                return f"the area setting {name} {OPERATOR_WORDS.get(word, word)} {self._value(None, operand)}"
            return f"the area setting {name} is {self._value(None, value)}"
        if fact in self.items and isinstance(value, bool):
            return f"{'yes' if value else 'no'} to “{self.items[fact]}”"
        asked = f"“{spec.question}”" if spec else humanise(fact)
        if isinstance(value, dict) and len(value) == 1:
            (word, operand), = value.items()
            return f"the answer to {asked} {OPERATOR_WORDS.get(word, word)} {self._value(spec, operand)}"
        return f"the answer to {asked} is {self._value(spec, value)}"

    def condition(self, node: Any) -> str:
        if isinstance(node, list):
            return " and ".join(self.condition(n) for n in node)
        if not isinstance(node, dict):
            return str(node)
        parts = []
        for key, value in node.items():
            if key == "all":
                parts.append("all of (" + "; ".join(self.condition(v) for v in value or []) + ")")
            elif key == "any":
                parts.append("any of (" + "; ".join(self.condition(v) for v in value or []) + ")")
            elif key == "not":
                parts.append(f"not ({self.condition(value)})")
            elif key == "unless":
                inner = f"“{humanise(value)}”" if isinstance(value, str) else self.condition(value)
                parts.append(f"unless {inner} is known to hold")
            elif key == "meets":
                parts.append(f"it is a case of “{humanise(value)}”")
            elif key == "unknown":
                parts.append(f"nobody knows yet {self.fact_name(value)}")
            elif key == "known":
                parts.append(f"we know {self.fact_name(value)}")
            elif key == "always":
                parts.append("always")
            else:
                parts.append(self.fact(str(key), value))
        return " and ".join(parts)

    def fact_name(self, fact: Any) -> str:
        spec = self.facts.get(str(fact))
        return f"the answer to “{spec.question}”" if spec else humanise(fact)


@dataclass
class RuleView:
    id: str
    index: int
    start: int
    end: int
    words: str
    local: bool
    source: str


def rules(folder: Path, guidance: Guidance) -> list[RuleView]:
    doc = read(folder, "rules.yaml")
    if not isinstance(doc, YDict) or not isinstance(doc.get("rules"), YList):
        return []
    items: YList = doc["rules"]
    text = (folder / "rules.yaml").read_text(encoding="utf-8")
    words = Words(guidance)
    out = []
    for i, rule in enumerate(items):
        if not isinstance(rule, YDict):
            continue
        start = items.line_of(i)
        end = item_end(text, start, items.line_of(i + 1) if i + 1 < len(items) else None)
        out.append(RuleView(str(rule.get("id")), i, start, end, sentence(rule, guidance, words),
                            bool(rule.get("local")), str(rule.get("source") or "")))
    return out


def sentence(rule: dict, guidance: Guidance, words: Words) -> str:
    """"When … → … because …"."""
    then = []
    added = rule.get("add")
    if added:
        spec = guidance.pathways.get(str(added))
        urgency = guidance.urgencies.get(str(rule.get("urgency")))
        then.append((spec.title if spec else humanise(added)) + (f" ({urgency.label})" if urgency else ""))
    excluded = rule.get("exclude") or []
    for pid in [excluded] if isinstance(excluded, str) else excluded:
        spec = guidance.pathways.get(str(pid))
        then.append("leave out " + (spec.title if spec else humanise(pid)))
    reason = str(rule.get("reason") or "").strip()
    return (f"When {words.condition(rule.get('when'))} → {'; '.join(then) or 'nothing'}"
            + (f", because {reason}" if reason else ""))


# ---- contacts ---------------------------------------------------------------

@dataclass
class ContactView:
    file: str          # relative to the guidance folder, e.g. areas/sefton.yaml
    pathway: str
    index: int
    area: str | None
    name: str
    reach: dict[str, str]
    last_verified: _dt.date | None
    source: str
    lines: dict[str, int] = field(default_factory=dict)
    line: int = 0      # the line of `- name:`
    stale: bool = False
    age_days: int | None = None

    @property
    def key(self) -> str:
        return f"{self.file}|{self.pathway}|{self.index}"


_date = as_date


def _contact(file: str, pathway: str, index: int, area: str | None, item: Any, line: int,
             today: _dt.date, max_age: int) -> ContactView | None:
    if not isinstance(item, YDict):
        return None
    verified = _date(item.get("last_verified"))
    age = (today - verified).days if verified else None
    return ContactView(file, pathway, index, area, str(item.get("name", "")),
                       {k: str(item[k]) for k in REACH_KEYS if item.get(k) is not None},
                       verified, str(item.get("source") or ""), dict(item.lines), line,
                       stale=age is None or age > max_age, age_days=age)


def max_age_days(folder: Path) -> int:
    doc = read(folder, "guidance.yaml")
    value = doc.get("contact_max_age_days", 365) if isinstance(doc, dict) else 365
    return value if isinstance(value, int) and value > 0 else 365


def contacts(folder: Path, today: _dt.date | None = None) -> list[ContactView]:
    """Every contact in the catalogue and the area files, the least recently verified first."""
    today = today or _dt.date.today()
    max_age = max_age_days(folder)
    found: list[ContactView] = []
    catalogue = read(folder, "catalogue.yaml")
    if isinstance(catalogue, YDict) and isinstance(catalogue.get("pathways"), YList):
        for pathway in catalogue["pathways"]:
            if isinstance(pathway, YDict) and isinstance(pathway.get("contacts"), YList):
                items = pathway["contacts"]
                for i, item in enumerate(items):
                    view = _contact("catalogue.yaml", str(pathway.get("id")), i, None, item, items.line_of(i), today,
                                    max_age)
                    if view:
                        found.append(view)
    for area_file in sorted((folder / "areas").glob("*.yaml")):
        doc = read(folder, f"areas/{area_file.name}")
        if not isinstance(doc, YDict) or not isinstance(doc.get("contacts"), YDict):
            continue
        for pathway, items in doc["contacts"].items():
            if isinstance(items, YList):
                for i, item in enumerate(items):
                    view = _contact(f"areas/{area_file.name}", str(pathway), i, str(doc.get("area")), item,
                                    items.line_of(i), today, max_age)
                    if view:
                        found.append(view)
    return sorted(found, key=lambda c: (c.last_verified or _dt.date.min, c.file, c.pathway, c.index))


def find_contact(folder: Path, key: str) -> ContactView | None:
    return next((c for c in contacts(folder) if c.key == key), None)


# ---- areas and their settings -----------------------------------------------

@dataclass
class SettingView:
    name: str
    value: Any
    from_area: bool    # set in the area file (else the shared default)
    line: int          # its line in the area file, 0 when it is the default


@dataclass
class AreaView:
    id: str
    name: str
    file: str
    settings: list[SettingView]
    settings_line: int


def areas(folder: Path) -> list[AreaView]:
    gdoc = read(folder, "guidance.yaml")
    defaults = gdoc.get("default_settings") if isinstance(gdoc, YDict) else None
    defaults = defaults if isinstance(defaults, dict) else {}
    out = []
    for area_file in sorted((folder / "areas").glob("*.yaml")):
        doc = read(folder, f"areas/{area_file.name}")
        if not isinstance(doc, YDict):
            continue
        own = doc.get("settings")
        if not isinstance(own, YDict):
            own = YDict()
        names = list(dict.fromkeys([*defaults, *own]))
        settings = [SettingView(n, own[n] if n in own else defaults.get(n), n in own, own.line_of(n) if n in own else 0)
                    for n in names]
        out.append(AreaView(str(doc.get("area")), str(doc.get("name") or doc.get("area")), f"areas/{area_file.name}",
                            settings, doc.line_of("settings") if "settings" in doc else 0))
    return out


# ---- questions ----------------------------------------------------------------

@dataclass
class OptionView:
    label: str
    value: Any
    line: int          # the line of its `label:`


@dataclass
class QuestionView:
    id: str
    question: str
    why: str
    line: int          # the line of `question:`
    why_line: int
    options: list[OptionView]


def questions(folder: Path) -> list[QuestionView]:
    doc = read(folder, "facts.yaml")
    if not isinstance(doc, YDict) or not isinstance(doc.get("facts"), YList):
        return []
    out = []
    for fact in doc["facts"]:
        if not isinstance(fact, YDict) or not isinstance(fact.get("question"), str):
            continue
        options = fact.get("options")
        if not isinstance(options, YList):
            options = []
        out.append(QuestionView(
            str(fact.get("id")), fact["question"], str(fact.get("why") or ""), fact.line_of("question"),
            fact.line_of("why") if "why" in fact else 0,
            [OptionView(str(o.get("label")), o.get("value"), o.line_of("label"))
             for o in options if isinstance(o, YDict) and "label" in o]))
    return out
