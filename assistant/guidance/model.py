"""The loaded guidance and the recommendation it produces, as plain data."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

FactValue = bool | int | str | None
# A compiled condition: facts -> True, False, or None when it cannot yet be
# told (an unknown fact inside a comparison is never treated as false).
Check = Callable[[Mapping[str, Any]], bool | None]


@dataclass(frozen=True)
class Option:
    label: str
    value: FactValue


@dataclass(frozen=True)
class FactSpec:
    id: str
    type: str  # "bool" | "int" | "enum"
    question: str
    why: str
    options: list[Option]
    priority: int
    values: tuple[str, ...] = ()  # enum values
    minimum: int | None = None
    maximum: int | None = None
    line: int = 0


@dataclass(frozen=True)
class AskWhen:
    """When a fact is worth asking at all (facts.yaml ``ask_when:``, in the rules' condition language).

    The fact is asked unless ``check`` is known to be False: an unknown answer never
    silently drops a question, just as it never silently drops a pathway.
    ``facts`` are the facts the condition reads (pre-filled or answered earlier).
    """
    check: Check
    facts: frozenset[str]
    line: int = 0


@dataclass(frozen=True)
class QuestionGroup:
    """Yes/no facts asked together ("Have any of these happened?") to shorten the triage.

    ``items`` maps each fact to the short plain-words line listed in the question.
    """
    id: str
    question: str
    why: str
    items: dict[str, str]
    yes_label: str = "Yes, one or more"
    none_label: str = "None of these"
    unsure_label: str = "Not sure"
    line: int = 0

    @property
    def facts(self) -> tuple[str, ...]:
        return tuple(self.items)


@dataclass(frozen=True)
class Urgency:
    id: str
    rank: int  # 0 = most urgent
    label: str
    meaning: str


@dataclass(frozen=True)
class PathwaySpec:
    id: str
    title: str
    summary: str
    what_to_do: str
    how_to_refer: str
    consent: str
    sharing_without_consent: str
    contacts: list[dict]
    order: int
    line: int = 0


@dataclass(frozen=True)
class Rule:
    id: str
    check: Check
    adds: str | None
    urgency: str | None
    excludes: tuple[str, ...]
    reason: str
    source: str
    local: bool
    facts_used: frozenset[str]
    file: str = ""
    line: int = 0
    # unanswered facts that could still change whether the rule holds
    live: Callable[[Mapping[str, Any]], frozenset] = field(default=lambda facts: frozenset(), compare=False)


@dataclass
class Guidance:
    version: str
    area: str
    settings: Mapping[str, Any]
    facts: dict[str, FactSpec]
    urgencies: dict[str, Urgency]
    pathways: dict[str, PathwaySpec]
    rules: list[Rule]
    closing_note: str
    # values worth trying for each fact when asking "could this answer change anything?"
    candidates: dict[str, tuple[FactValue, ...]] = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    # question groups (facts.yaml `groups:`), in file order; group ids never clash with fact ids
    groups: dict[str, QuestionGroup] = field(default_factory=dict)
    # fact id -> when it is worth asking (facts.yaml `ask_when:`); facts not listed are always askable
    ask_when: dict[str, AskWhen] = field(default_factory=dict)
    source_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class PathwayRec:
    id: str
    title: str
    urgency: str
    urgency_rank: int
    urgency_label: str
    reasons: list[str]
    rules: list[str]
    contacts: list[dict]
    what_to_do: str
    how_to_refer: str
    consent: str
    sharing_without_consent: str
    local_rules: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "urgency": self.urgency,
            "urgency_label": self.urgency_label,
            "reasons": list(self.reasons),
            "rules": list(self.rules),
            "local_rules": list(self.local_rules),
            "contacts": [dict(c) for c in self.contacts],
            "what_to_do": self.what_to_do,
            "how_to_refer": self.how_to_refer,
            "consent": self.consent,
            "sharing_without_consent": self.sharing_without_consent,
        }


@dataclass(frozen=True)
class Recommendation:
    pathways: list[PathwayRec]
    guidance_version: str
    area: str
    facts: dict[str, FactValue]
    excluded: dict[str, list[str]]  # pathway id -> reasons it was left out
    closing_note: str

    @property
    def pathway_ids(self) -> list[str]:
        return [p.id for p in self.pathways]

    def get(self, pathway_id: str) -> PathwayRec | None:
        return next((p for p in self.pathways if p.id == pathway_id), None)

    def to_json(self) -> dict:
        return {
            "recommendation": {
                "pathways": [p.to_json() for p in self.pathways],
                "guidance_version": self.guidance_version,
                "area": self.area,
                "facts": dict(self.facts),
                "excluded": {k: list(v) for k, v in self.excluded.items()},
                "note": self.closing_note,
            }
        }
