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
from assistant.guidance.model import Guidance
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


def stand_in(guidance: Guidance, fid: str, known: dict[str, Any]) -> Any:
    """A receptionist's answer to a group item that stands for a threshold, from the number
    they know: yes at or over it, no under it, "Not sure" without a number. The threshold is
    read from the area's settings, so this never decides a pathway itself."""
    s = guidance.settings
    if fid == "risk_score_high":
        dash, merit = known.get("dash_score"), known.get("merit_score")
        uses_merit = "merit" in (s.get("risk_tools") or ())
        if dash is not None and dash >= s["dash_high"] or uses_merit and merit is not None and merit >= s["merit_high"]:
            return True
        return False if dash is not None or (uses_merit and merit is not None) else None
    if fid == "repeat_incidents":
        count = known.get("incidents_last_12_months")
        return None if count is None else count >= s["escalation_threshold"]
    return None


def openings(which: str) -> dict[str, str]:
    with open(OPENINGS, encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle)[which])


def walk_scenario(guidances: GuidanceByArea, scenario: Scenario, opening: str, with_full: bool = True,
                  name_yes: bool = True) -> Triage:
    guidance = guidances.get(scenario.area)
    prefilled = {fid: e.value for fid, e in extract_facts(opening, guidance).items()}

    def answer(fid: str) -> Any:
        if fid in scenario.facts or fid in prefilled:
            return scenario.facts.get(fid, prefilled.get(fid))
        return stand_in(guidance, fid, {**scenario.facts, **prefilled})

    fast = walk(guidance, prefilled, answer, name_yes=name_yes)
    # The baseline is stronger than asking everything: every answer the scenario has, as if
    # every question had been asked (cheap: no second walk unless wanted). What the opening
    # pre-filled stands, as in the conversation (it is never asked again), so an extraction
    # mistake is not counted against the stopping rule.
    full = walk(guidance, prefilled, answer, everything=True, name_yes=name_yes) if with_full else None
    everything = {**scenario.facts, **prefilled}
    ranks = {u.id: u.rank for u in guidance.urgencies.values()}
    got = today_pathways(guidance, fast.facts)
    lost = {pid: urgency for pid, urgency in today_pathways(guidance, everything).items()
            if pid not in got or ranks[got[pid]] > ranks[urgency]}
    return Triage(scenario, opening, fast, full, lost)


def walk_all(which: str, folder: Path = PROJECT_ROOT / "pathways", with_full: bool = True,
             name_yes: bool = True) -> list[Triage]:
    """Every scenario with its opening from set ``which`` (a scenario without one opens with nothing).

    ``name_yes``: group questions answered by typing what applies ("yes, he choked her",
    "not the police"); False: by the buttons only, each listed fact then asked on its own."""
    guidances = GuidanceByArea(folder)
    texts = openings(which)
    return [walk_scenario(guidances, s, texts.get(s.file.stem, ""), with_full, name_yes)
            for s in load_scenarios(folder / "scenarios")]
