"""The card read at a glance: "Do this first" (at most three actions, each with its
number and its case's reason), no rule ids in people's text, and a plain-text form
of about 250 words for every scenario, with the full text on request."""
from __future__ import annotations

import datetime as dt

import pytest

from assistant import PROJECT_ROOT
from assistant.guidance import card, decide, load_guidance, render_detail, render_text
from assistant.guidance.render import CARD_WORDS, DO_FIRST_MAX, TEXT_WORD_BUDGET
from assistant.guidance.scenarios import GuidanceByArea, load_scenarios

PATHWAYS = PROJECT_ROOT / "pathways"
SCENARIOS = load_scenarios(PATHWAYS / "scenarios")
_GUIDANCES = GuidanceByArea(PATHWAYS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.file.stem)
def test_plain_text_fits_the_word_budget_for_every_scenario(scenario) -> None:
    g = _GUIDANCES.get(scenario.area)
    rec = decide(g, scenario.facts)
    text = render_text(rec, g, more_questions=4)
    assert len(text.split()) <= TEXT_WORD_BUDGET, text
    assert '"more detail"' in text and "more questions" in text
    for p in rec.pathways:
        assert p.title in text or any(item["pathway"] == p.id for item in card(rec, g)["recommendation"]["do_first"])
        for rule in p.rules:
            assert rule not in text            # rule ids are for the JSON, not for people
    assert len(render_detail(rec).split()) > len(text.split()) or len(rec.pathways) <= 1


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.file.stem)
def test_do_first_holds_at_most_three_today_actions_in_order(scenario) -> None:
    g = _GUIDANCES.get(scenario.area)
    rec = decide(g, scenario.facts)
    body = card(rec, g)["recommendation"]
    first = body["do_first"]
    assert 1 <= len(first) <= DO_FIRST_MAX or not rec.pathways
    assert [i["pathway"] for i in first] == rec.pathway_ids[:len(first)]   # most urgent first, in order
    assert body["later"] == rec.pathway_ids[len(first):]
    today = [p for p in rec.pathways if p.urgency_rank <= g.urgencies["same_day"].rank]
    assert len(first) == min(DO_FIRST_MAX, len(today)) or (not today and len(first) == 1)
    for item in first:
        assert item["why"] and item["action"] and item["tone"]
        assert item["why_full"] in rec.get(item["pathway"]).reasons   # this case's reason, from the fired rule
        assert item["why_full"].startswith(item["why"])


def test_a_no_police_case_says_why_it_still_goes_to_the_police() -> None:
    g = load_guidance(PATHWAYS)
    rec = decide(g, {"immediate_danger": False, "recent_incident": True, "victim_consents_police": False,
                     "strangulation": True})
    first = card(rec, g)["recommendation"]["do_first"][0]
    assert first["pathway"] == "police_101"
    assert "not asked for the police" in first["why"]   # said within the glance, not only in the detail
    text = render_text(rec, g)
    assert "not asked for the police" in text.split("2.")[0]    # said with the action, not folded away
    assert "Phone 101" in text


def test_danger_now_leads_with_999_and_its_number() -> None:
    g = load_guidance(PATHWAYS)
    rec = decide(g, {"immediate_danger": True})
    first = card(rec, g)["recommendation"]["do_first"][0]
    assert first["pathway"] == "police_999" and first["phone"]["phone"] == "999"
    assert first["tone"] == "danger"
    assert render_text(rec, g).splitlines()[1].startswith("1. Call 999 now")


def test_a_contacts_checked_date_is_flagged_only_when_old() -> None:
    g = load_guidance(PATHWAYS)
    rec = decide(g, {"immediate_danger": True})
    verified = dt.date.fromisoformat(str(rec.pathways[0].contacts[0]["last_verified"]))
    fresh = card(rec, g, today=verified + dt.timedelta(days=30))["recommendation"]
    old = card(rec, g, today=verified + dt.timedelta(days=400))["recommendation"]
    assert fresh["pathways"][0]["contacts"][0]["checked_is_old"] is False
    assert old["pathways"][0]["contacts"][0]["checked_is_old"] is True


def test_the_card_keeps_rule_ids_area_and_summary_for_audit() -> None:
    g = load_guidance(PATHWAYS, "st_helens")
    rec = decide(g, {"strangulation": True})
    body = card(rec, g, more_questions=2)["recommendation"]
    assert all(p["rules"] for p in body["pathways"])
    assert body["area"] == g.area and body["area_name"]
    assert body["referral_summary"].startswith("Domestic abuse referral summary")
    assert body["more_questions"] == 2


def test_the_card_carries_its_own_words_so_no_channel_keeps_a_copy() -> None:
    g = load_guidance(PATHWAYS)
    rec = decide(g, {"immediate_danger": True})
    body = card(rec, g, more_questions=1)["recommendation"]
    assert body["words"] == CARD_WORDS
    assert body["words"]["title"] == "Recommended next steps"
    assert "call 999" in body["words"]["no_pathway"]
    assert body["more_questions_text"].startswith("1 more question could refine this")
    assert card(rec, g)["recommendation"]["more_questions_text"] == ""


def test_answers_used_are_in_the_guidance_own_words() -> None:
    g = load_guidance(PATHWAYS)
    rec = decide(g, {"immediate_danger": False, "children_in_household": None, "dash_score": 9,
                     "disclosure_source": "perpetrator"})
    used = {a["fact"]: a for a in card(rec, g)["recommendation"]["answers_used"]}
    assert used["immediate_danger"]["label"] == "Immediate danger"
    assert used["immediate_danger"]["answer"] == "No"
    assert used["children_in_household"]["answer"].startswith("Not sure")
    assert used["dash_score"]["answer"] == "9"
    assert used["disclosure_source"]["answer"] == "The person causing the harm"
