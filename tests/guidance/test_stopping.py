"""Asking fewer questions never loses what must be done today.

Over every scenario in pathways/scenarios/, opened with each free-text opening
of bench/data/openings.yaml (tune and held-out) and answered from the
scenario's facts ("Not sure" otherwise): stopping once nothing unanswered could
change what to do today (assistant/guidance/stopping.py) gives every immediate
and same-day pathway, at least as urgently, that asking every question gives.
This guards future guidance edits: a new rule that the stopping rule would
miss fails here.
"""
from __future__ import annotations

import sys

import pytest

from assistant import PROJECT_ROOT
from assistant.extraction import extract_facts
from assistant.guidance import load_guidance, next_steps
from assistant.guidance.stopping import today_relevant

sys.path.insert(0, str(PROJECT_ROOT))
from bench.walks import SETS, walk_all  # noqa: E402


@pytest.fixture(scope="module", params=SETS)
def triages(request):
    return walk_all(request.param, with_full=False)


def test_no_immediate_or_same_day_pathway_is_lost(triages):
    """Against every answer the scenario has (a stronger baseline than asking everything)."""
    lost = {t.scenario.file.stem: (t.opening, t.lost) for t in triages if t.lost}
    assert not lost, f"stopping early loses today's pathways: {lost}"


def test_stopping_never_asks_more_than_asking_everything():
    from assistant.guidance.scenarios import GuidanceByArea, load_scenarios
    from bench.walks import walk_scenario

    guidances = GuidanceByArea(PROJECT_ROOT / "pathways")
    for scenario in load_scenarios(PROJECT_ROOT / "pathways" / "scenarios")[::6]:   # a sample: the full walk is slow
        t = walk_scenario(guidances, scenario, "")
        assert len(t.fast.prompts) <= len(t.full.prompts), scenario.file.stem


def test_danger_now_is_asked_first_unless_the_opening_said(triages):
    g = load_guidance(PROJECT_ROOT / "pathways")
    for t in triages:
        if extract_facts(t.opening, g).get("immediate_danger") is None:
            assert t.fast.prompts[:1] == ["immediate_danger"], (t.scenario.file.stem, t.fast.prompts)


def test_once_marac_is_today_other_marac_signs_are_not_asked():
    g = load_guidance(PROJECT_ROOT / "pathways")
    facts = {"immediate_danger": False, "strangulation": True}
    assert "threats_to_kill" not in today_relevant(g, facts, list(facts))
    assert "threats_to_kill" in today_relevant(g, {"immediate_danger": False}, ["immediate_danger"])
    # asking everything still offers it, to refine the advice
    assert "red_flags" in next_steps(g, facts, list(facts), everything=True) or \
        "threats_to_kill" in next_steps(g, facts, list(facts), everything=True)
