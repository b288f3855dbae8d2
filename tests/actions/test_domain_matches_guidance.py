"""pathways/facts.yaml is the only fact list: domain.yml mirrors none of it, and never words a question."""
from __future__ import annotations

from support.trackers import domain

from assistant.actions.state import guidance


def test_the_domain_lists_no_fact_so_adding_one_needs_no_edit_or_retraining():
    facts = set(guidance().facts)
    assert not facts & set(domain().get("slots", {})), "facts live in the `facts` slot only"
    assert not facts & set(domain().get("entities", []) or []), "facts are read from payloads, not entities"
    assert domain()["forms"]["triage_form"]["required_slots"] == ["facts"]


def test_conversation_slots_never_steer_the_dialogue():
    for name, slot in domain()["slots"].items():
        assert slot["influence_conversation"] is False, name


def test_no_question_wording_lives_in_the_domain():
    responses = domain()["responses"]
    assert not [name for name in responses if name.startswith("utter_ask_") and name != "utter_ask_what_happened"]
    questions = {spec.question for spec in guidance().facts.values()}
    texts = {v["text"] for variants in responses.values() for v in variants}
    assert not questions & texts
