"""domain.yml must know every fact the guidance can ask about, and never word a question."""
from __future__ import annotations

from assistant.actions.state import guidance
from support.trackers import domain


def test_every_guidance_fact_is_a_slot_and_an_entity():
    missing_slots = set(guidance().facts) - set(domain()["slots"])
    missing_entities = set(guidance().facts) - set(domain()["entities"])
    assert not missing_slots, f"add these facts to domain.yml slots: {sorted(missing_slots)}"
    assert not missing_entities, f"add these facts to domain.yml entities: {sorted(missing_entities)}"


def test_fact_slots_never_steer_the_dialogue():
    for fact in guidance().facts:
        assert domain()["slots"][fact]["influence_conversation"] is False


def test_no_question_wording_lives_in_the_domain():
    responses = domain()["responses"]
    assert not [name for name in responses if name.startswith("utter_ask_") and name != "utter_ask_what_happened"]
    questions = {spec.question for spec in guidance().facts.values()}
    texts = {v["text"] for variants in responses.values() for v in variants}
    assert not questions & texts
