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

import statistics
import sys

import pytest

from assistant import PROJECT_ROOT
from assistant.extraction import extract_facts
from assistant.guidance import group_answer, load_guidance, next_steps
from assistant.guidance.stopping import today_pathways, today_relevant

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


def test_a_stand_in_answered_no_or_not_sure_is_not_asked_again_as_a_number():
    """The red flags list "DASH 14+ or MeRIT Gold" and "3+ incidents" as yes/no lines: the
    number is not asked today after "None of these" or "Not sure", but stays a "more question"
    after "Not sure" (its answer would still refine the advice)."""
    g = load_guidance(PROJECT_ROOT / "pathways")
    numbers = {"dash_score", "merit_score", "incidents_last_12_months"}
    start = {"immediate_danger": False}
    assert "red_flags" in next_steps(g, start, list(start))
    assert not numbers & set(next_steps(g, start, list(start)))     # the group asks first
    for answer in (False, None):
        facts = {**start, **group_answer(g, "red_flags", start, list(start), answer)}
        asked = [*facts, "red_flags"]
        assert {"risk_score_high", "repeat_incidents"} <= set(facts)
        assert not numbers & set(next_steps(g, facts, asked)), answer
    unsure = {**start, **group_answer(g, "red_flags", start, list(start), None)}
    assert "dash_score" in next_steps(g, unsure, [*unsure, "red_flags"], everything=True)


def test_a_yes_to_a_stand_in_is_marac_today():
    g = load_guidance(PROJECT_ROOT / "pathways")
    for fact in ("risk_score_high", "repeat_incidents"):
        assert today_pathways(g, {fact: True}).get("marac") == "same_day", fact


def test_prompts_per_triage_stay_within_the_figures_reached(triages):
    """Guards the figures (issue 9: median <= 6; max reached 13, target 10): a guidance
    edit that makes the triage longer shows here, not only in the bench."""
    counts = sorted(len(t.fast.prompts) for t in triages)
    assert statistics.median(counts) <= 6, counts
    assert counts[-1] <= 13, counts


@pytest.mark.parametrize("which", SETS)
def test_no_today_pathway_is_lost_when_groups_are_answered_by_buttons_only(which):
    """"Yes, one or more" pressed (nothing named): each listed fact is then asked on its own."""
    lost = {t.scenario.file.stem: t.lost for t in walk_all(which, with_full=False, name_yes=False) if t.lost}
    assert not lost, f"stopping early loses today's pathways: {lost}"
