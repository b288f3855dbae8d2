"""Whole triages walked in pure Python, as a receptionist would drive them: a free-text
opening (pre-filled by the extraction), then the scenario's answers to each question
(a fact the scenario does not give is "Not sure").

Used by bench.conversation (prompts per triage, tune and held-out openings) and by
tests/guidance/test_stopping.py (stopping never loses an immediate or same-day pathway).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant import PROJECT_ROOT
from assistant.extraction import extract_facts
from assistant.guidance.scenarios import GuidanceByArea, Scenario, load_scenarios
from assistant.guidance.stopping import Walk, today_pathways, walk

OPENINGS = PROJECT_ROOT / "bench" / "data" / "openings.yaml"
SETS = ("tune", "heldout")


@dataclass
class Triage:
    scenario: Scenario
    opening: str
    fast: Walk           # asking only what could change what to do today
    full: Walk | None  # asking everything that could change any part of the advice (when walked)
    lost: dict[str, str]  # today pathways (id -> urgency) all the answers give and stopping does not


def openings(which: str) -> dict[str, str]:
    with open(OPENINGS, encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle)[which])


def walk_scenario(guidances: GuidanceByArea, scenario: Scenario, opening: str, with_full: bool = True) -> Triage:
    guidance = guidances.get(scenario.area)
    prefilled = {fid: e.value for fid, e in extract_facts(opening, guidance).items()}

    def answer(fid: str) -> Any:
        return scenario.facts.get(fid, prefilled.get(fid))

    fast = walk(guidance, prefilled, answer)
    # The baseline is stronger than asking everything: every answer the scenario has, as if
    # every question had been asked (cheap: no second walk unless wanted). What the opening
    # pre-filled stands, as in the conversation (it is never asked again), so an extraction
    # mistake is not counted against the stopping rule.
    full = walk(guidance, prefilled, answer, everything=True) if with_full else None
    everything = {**scenario.facts, **prefilled}
    ranks = {u.id: u.rank for u in guidance.urgencies.values()}
    got = today_pathways(guidance, fast.facts)
    lost = {pid: urgency for pid, urgency in today_pathways(guidance, everything).items()
            if pid not in got or ranks[got[pid]] > ranks[urgency]}
    return Triage(scenario, opening, fast, full, lost)


def walk_all(which: str, folder: Path = PROJECT_ROOT / "pathways", with_full: bool = True) -> list[Triage]:
    """Every scenario with its opening from set ``which`` (a scenario without one opens with nothing)."""
    guidances = GuidanceByArea(folder)
    texts = openings(which)
    return [walk_scenario(guidances, s, texts.get(s.file.stem, ""), with_full)
            for s in load_scenarios(folder / "scenarios")]
