"""decide(), next_questions() and the text forms, on the real guidance."""
from __future__ import annotations

import json

import pytest

from assistant.guidance import coerce_facts, decide, next_questions, parse_fact_value, referral_summary, render_detail


def ids(guidance, facts) -> list[str]:
    return decide(guidance, facts).pathway_ids


def test_pathways_are_ordered_by_urgency(guidance) -> None:
    rec = decide(guidance,
                 {"immediate_danger": True, "children_in_household": True, "disclosure_source": "perpetrator"})
    ranks = [p.urgency_rank for p in rec.pathways]
    assert ranks == sorted(ranks)
    assert rec.pathways[0].id == "police_999" and rec.pathways[-1].id == "gp_follow_up"


def test_each_pathway_says_which_rules_fired_and_why(guidance) -> None:
    rec = decide(guidance, {"strangulation": True, "dash_score": 16})
    marac = rec.get("marac")
    assert marac is not None
    assert set(marac.rules) == {"marac_dash_high", "marac_red_flag_strangulation"}
    assert len(marac.reasons) == 2 and all(marac.reasons)
    assert marac.contacts and marac.how_to_refer and marac.sharing_without_consent


def test_local_rule_is_marked(guidance) -> None:
    marac = decide(guidance, {"multiple_perpetrators": True}).get("marac")
    assert marac.local_rules == ["marac_repeat_victim_multiple_perpetrators"]


def test_most_urgent_level_wins_when_several_rules_add_a_pathway(guidance) -> None:
    rec = decide(guidance, {"suicide_risk": True, "immediate_danger": True})
    assert rec.get("mental_health_crisis").urgency == "immediate"
    assert rec.get("mental_health_crisis").rules == ["suicide_life_at_risk", "suicide_risk_mental_health"]


def test_excluded_pathway_is_explained(guidance) -> None:
    rec = decide(guidance, {"victim_under_18": True, "care_and_support_needs": True})
    assert "adult_safeguarding" not in rec.pathway_ids
    assert "adult_safeguarding" in rec.excluded and rec.excluded["adult_safeguarding"][0]


def test_unknown_and_absent_facts_never_raise(guidance) -> None:
    assert ids(guidance, {}) == ids(guidance, {f: None for f in guidance.facts})


@pytest.mark.parametrize("facts,needle", [
    ({"danger": True}, "unknown fact 'danger'"),
    ({"strangulation": "yes"}, "true, false or null"),
    ({"dash_score": "14"}, "whole number"),
    ({"dash_score": True}, "whole number"),
    ({"dash_score": 99}, "between 0 and 24"),
    ({"disclosure_source": "neighbour"}, "one of victim, third_party, perpetrator"),
])
def test_wrong_names_and_types_raise_a_clear_value_error(guidance, facts, needle) -> None:
    with pytest.raises(ValueError, match=needle):
        decide(guidance, facts)


def test_json_form_follows_the_vocabulary(guidance) -> None:
    facts = {"recent_incident": True, "victim_consents_police": False, "weapon": True, "injury": None}
    payload = decide(guidance, facts).to_json()
    json.dumps(payload)  # must be plain JSON
    body = payload["recommendation"]
    assert body["guidance_version"] == guidance.version and body["area"] == "sefton"
    assert body["facts"] == facts
    first = body["pathways"][0]
    for key in ("id", "title", "urgency", "reasons", "rules", "contacts"):
        assert key in first
    assert [p["id"] for p in body["pathways"]][:1] == ["police_101"]


def test_render_text_reads_for_a_chat_channel(guidance) -> None:
    text = render_detail(decide(guidance, {"immediate_danger": True, "children_in_household": True,
                                         "victim_consents_police": False}))
    assert text.startswith("First: Call 999 now")
    assert "Children's Social Care" in text and "Why:" in text and "Contact:" in text
    assert "Sharing without consent:" in text
    assert text.rstrip().endswith("talk to your safeguarding lead.")
    assert guidance.version in text


def test_referral_summary_has_facts_pathways_version_and_no_names(guidance) -> None:
    rec = decide(guidance, {"strangulation": True, "children_in_household": True, "injury": None})
    summary = referral_summary(rec)
    assert "strangulation: yes" in summary and "children in household: yes" in summary
    assert "Not known: injury" in summary
    assert "Refer to MARAC" in summary and guidance.version in summary
    assert "name:" not in summary.lower()


# ---- next_questions --------------------------------------------------------------

def test_with_nothing_known_danger_is_asked_first(guidance) -> None:
    questions = next_questions(guidance, {})
    assert questions[0] == "immediate_danger"
    assert questions == sorted(questions, key=lambda f: guidance.facts[f].priority)


def test_answered_and_already_asked_facts_are_not_asked_again(guidance) -> None:
    questions = next_questions(guidance, {"immediate_danger": False}, asked=["recent_incident"])
    assert "immediate_danger" not in questions and "recent_incident" not in questions


def test_questions_that_cannot_change_anything_are_skipped(guidance) -> None:
    # once MARAC and IDVA are certain, the other MARAC criteria add nothing
    high = next_questions(guidance, {"dash_score": 20})
    assert "strangulation" in high  # still matters: a serious crime for the police-report rule
    assert "previous_marac_12_months" not in high and "incidents_last_12_months" not in high
    # the marriage question only matters for honour-based abuse
    assert "marriage_involved" not in next_questions(guidance, {"honour_based_abuse": False})
    assert "marriage_involved" in next_questions(guidance, {"honour_based_abuse": True})


def test_a_police_report_the_person_wants_is_not_gated_on_recency(guidance) -> None:
    # issue 8 class 3: recency changes the evidence advice and urgency, not whether they can report
    quiet = {"recent_incident": False, "children_in_household": False}
    older = decide(guidance, {**quiet, "victim_consents_police": True})
    assert older.get("police_101").urgency == "within_days"
    assert "older_incident_wants_police" in older.get("police_101").rules
    recent = decide(guidance, {"recent_incident": True, "victim_consents_police": True})
    assert recent.get("police_101").urgency == "same_day"
    assert "evidence is fresh" in " ".join(recent.get("police_101").reasons)


def test_a_combination_of_answers_is_still_asked_for(guidance) -> None:
    # separation alone adds nothing, but separation + control + violence reaches MARAC
    facts = {"dash_score": 3, "professional_judgement_high_risk": False}
    assert "separation" in next_questions(guidance, facts)
    assert "coercive_control" in next_questions(guidance, {**facts, "separation": True})
    assert "coercive_control" not in next_questions(guidance, {**facts, "separation": False, "strangulation": True})


def test_answering_every_question_leaves_nothing_to_ask(guidance) -> None:
    facts = {}
    for _ in range(len(guidance.facts) + 1):
        questions = next_questions(guidance, facts)
        if not questions:
            break
        fact = questions[0]
        facts[fact] = guidance.candidates[fact][0]
    assert next_questions(guidance, facts) == []


def test_next_questions_rejects_unknown_names(guidance) -> None:
    with pytest.raises(ValueError):
        next_questions(guidance, {"nonsense": True})


# ---- loose answers from buttons and forms --------------------------------------

@pytest.mark.parametrize("fact,raw,expected", [
    ("strangulation", "Yes", True), ("strangulation", "no", False), ("strangulation", "Not sure", None),
    ("dash_score", "16", 16), ("dash_score", "14 or more on DASH", 14),
    ("merit_score", "72 or more on MeRIT (Gold)", 72), ("disclosure_source", "victim", "victim"),
    ("disclosure_source", "The person causing the harm", "perpetrator"), ("injury", None, None),
    ("dash_score", 14.0, 14), ("strangulation", True, True),
])
def test_parse_fact_value(guidance, fact, raw, expected) -> None:
    assert parse_fact_value(guidance, fact, raw) == expected


def test_coerce_facts_rejects_nonsense(guidance) -> None:
    with pytest.raises(ValueError):
        coerce_facts(guidance, {"dash_score": "lots"})
