"""The triage form's validation action, driven by rasa_sdk Tracker fixtures."""
from __future__ import annotations

import json

from support.trackers import make_tracker, run_action, slot_values

from assistant.actions.state import guidance
from assistant.actions.validate_triage_form import ValidateTriageForm
from assistant.guidance import next_steps

ACTION = ValidateTriageForm()


def texts(messages):
    return [m.get("text") or "" for m in messages]


def test_first_description_is_prefilled_then_the_first_open_question_is_asked():
    g = guidance()
    tracker = make_tracker("pt says her bf punched her on saturday, 2 kids at home, she doesnt want the police")
    messages, events = run_action(ACTION, tracker)
    slots = slot_values(events)
    assert slots["facts"]["children_in_household"] is True
    assert slots["facts"]["victim_consents_police"] is False
    assert "children_in_household" not in slots              # facts live in the `facts` slot only
    assert "not an emergency service" in texts(messages)[0]     # said once, as nobody said hello first
    assert "Here's what I understood" in texts(messages)[1]
    expected = next_steps(g, slots["facts"], slots["asked_facts"])[0]
    assert expected in g.facts                                  # (a fact here; groups: test_question_groups.py)
    assert slots["requested_slot"] == expected
    question = messages[-1]
    assert question["text"] == g.facts[expected].question   # wording from pathways/
    payloads = [b["payload"] for b in question["buttons"]]
    assert f'/inform{{"{expected}": null}}' in payloads       # "Not sure" always offered
    assert "/why_ask" in payloads


def test_not_sure_is_recorded_and_never_asked_again():
    tracker = make_tracker('/inform{"immediate_danger": null}', intent="inform",
                           slots={"facts": {}, "asked_facts": [], "requested_slot": "immediate_danger"})
    _, events = run_action(ACTION, tracker)
    slots = slot_values(events)
    assert slots["facts"]["immediate_danger"] is None
    assert "immediate_danger" in slots["asked_facts"]
    assert slots["requested_slot"] != "immediate_danger"


def test_typed_yes_and_no_answer_the_question_asked():
    tracker = make_tracker("nope", intent="deny",
                           slots={"facts": {"immediate_danger": False}, "asked_facts": ["immediate_danger"],
                                  "requested_slot": "strangulation"})
    _, events = run_action(ACTION, tracker)
    assert slot_values(events)["facts"]["strangulation"] is False


def test_a_typed_number_answers_a_number_question():
    tracker = make_tracker("it was 17", intent="inform",
                           slots={"facts": {}, "asked_facts": [], "requested_slot": "dash_score"})
    _, events = run_action(ACTION, tracker)
    assert slot_values(events)["facts"]["dash_score"] == 17


def test_a_question_mid_form_rejects_so_the_knowledge_rule_can_answer():
    tracker = make_tracker("what is MARAC?", intent="ask_question",
                           slots={"facts": {}, "asked_facts": [], "requested_slot": "weapon"})
    assert run_action(ACTION, tracker) == ([], [])


def test_after_an_interruption_the_form_resumes_with_the_same_question():
    g = guidance()
    events = [{"event": "user", "text": "what is MARAC?", "parse_data": {}},
              {"event": "action_execution_rejected", "name": "triage_form"},
              {"event": "action", "name": "action_answer_question"}]
    facts = {"immediate_danger": False}
    tracker = make_tracker("what is MARAC?", intent="ask_question", events=events,
                           slots={"facts": facts, "asked_facts": ["immediate_danger"],
                                  "requested_slot": "strangulation"})
    messages, out = run_action(ACTION, tracker)
    expected = next_steps(g, facts, ["immediate_danger"])[0]
    assert slot_values(out)["requested_slot"] == expected
    assert expected in g.facts and messages[-1]["text"] == g.facts[expected].question
    assert slot_values(out)["facts"] == facts                 # the question did not count as an answer


def test_danger_in_free_text_gets_999_before_anything_else():
    tracker = make_tracker("he is outside right now", intent="inform",
                           slots={"facts": {}, "asked_facts": [], "requested_slot": "strangulation"})
    messages, events = run_action(ACTION, tracker)
    assert "Someone may be in danger" in texts(messages)[0]      # before anything else, even the opening note
    assert slot_values(events)["facts"]["immediate_danger"] is True


def test_why_do_you_ask_explains_from_the_guidance_and_asks_again():
    g = guidance()
    tracker = make_tracker("/why_ask", intent="why_ask",
                           slots={"facts": {}, "asked_facts": [], "requested_slot": "immediate_danger"})
    messages, events = run_action(ACTION, tracker)
    assert g.facts["immediate_danger"].why in texts(messages)
    assert messages[-1]["text"] == g.facts["immediate_danger"].question


def test_form_finishes_when_nothing_could_change_the_answer():
    g = guidance()
    facts = {fid: None for fid in g.facts}
    tracker = make_tracker('/inform{"immediate_danger": false}', intent="inform",
                           slots={"facts": facts, "asked_facts": list(g.facts), "requested_slot": "immediate_danger"})
    _, events = run_action(ACTION, tracker)
    assert slot_values(events)["requested_slot"] is None


def test_an_answer_that_does_not_fit_is_not_a_crash():
    tracker = make_tracker('/inform{"dash_score": "lots"}', intent="inform",
                           slots={"facts": {}, "asked_facts": [], "requested_slot": "dash_score"})
    messages, events = run_action(ACTION, tracker)
    assert any("didn't fit" in t for t in texts(messages))
    assert "dash_score" not in slot_values(events)["facts"]


def test_button_payload_for_a_fact_the_domain_does_not_know_still_counts():
    g = guidance()
    fact = next(iter(g.facts))
    payload = "/inform" + json.dumps({fact: True if g.facts[fact].type == "bool" else None})
    tracker = make_tracker(payload, intent="inform", slots={"facts": {}, "asked_facts": []})
    _, events = run_action(ACTION, tracker)
    assert fact in slot_values(events)["asked_facts"]


def test_show_advice_now_ends_the_form_with_what_is_known():
    tracker = make_tracker("/show_advice", intent="show_advice",
                           slots={"facts": {"strangulation": True}, "asked_facts": ["strangulation"],
                                  "requested_slot": "immediate_danger"})
    messages, events = run_action(ACTION, tracker)
    assert slot_values(events)["requested_slot"] is None
    assert slot_values(events)["facts"] == {"strangulation": True}
    assert any("advice on what you've told me so far" in t for t in texts(messages))


def test_what_was_understood_is_said_in_plain_words():
    messages, _ = run_action(ACTION, make_tracker("pt says her bf hit her, she doesnt want the police"))
    assert "They want the police involved: no" in "\n".join(texts(messages))


def test_a_plain_answer_misread_by_nlu_as_stop_still_answers():
    tracker = make_tracker("nope", intent="stop",
                           slots={"facts": {}, "asked_facts": [], "requested_slot": "strangulation"})
    _, events = run_action(ACTION, tracker)
    assert slot_values(events)["facts"]["strangulation"] is False


def test_a_question_with_a_number_is_not_taken_as_a_count():
    tracker = make_tracker("what's the difference between 999 and 101", intent="ask_question",
                           slots={"facts": {}, "asked_facts": [], "requested_slot": "incidents_last_12_months"})
    assert run_action(ACTION, tracker) == ([], [])


def test_who_told_you_can_be_answered_in_a_few_typed_words():
    for text, value in [("her mum", "third_party"), ("the patient herself", "victim"), ("a friend", "third_party"),
                        ("the abuser", "perpetrator")]:
        tracker = make_tracker(text, intent="inform",
                               slots={"facts": {}, "asked_facts": [], "requested_slot": "disclosure_source"})
        _, events = run_action(ACTION, tracker)
        assert slot_values(events)["facts"]["disclosure_source"] == value, text


def test_the_opening_note_is_said_only_once():
    events = [{"event": "action", "name": "utter_intro"}, {"event": "user", "text": "x", "parse_data": {}}]
    messages, _ = run_action(ACTION, make_tracker("pt says her bf hit her", events=events))
    assert not any("not an emergency service" in t for t in texts(messages))


def test_facts_the_guidance_no_longer_knows_are_dropped_not_fatal():
    tracker = make_tracker('/inform{"immediate_danger": false}', intent="inform",
                           slots={"facts": {"retired_fact": True, "dash_score": "lots"}, "asked_facts": [],
                                  "requested_slot": "immediate_danger"})
    _, events = run_action(ACTION, tracker)
    assert slot_values(events)["facts"] == {"immediate_danger": False}
