"""Question groups in the conversation: one question for several yes/no facts, driven by rasa_sdk Trackers."""
from __future__ import annotations

import json

from support.trackers import make_tracker, run_action, slot_values

from assistant.actions.state import guidance
from assistant.actions.validate_triage_form import ValidateTriageForm
from assistant.conversation import read_reply, take_turn
from assistant.guidance import group_answer, next_questions, next_steps

ACTION = ValidateTriageForm()
RED_FLAGS = list(guidance().groups["red_flags"].facts)   # every MARAC criterion (pathways/facts.yaml)
# a point in the triage where the red flags come next
BEFORE_RED_FLAGS = {"immediate_danger": False, "disclosure_source": "victim", "recent_incident": False,
                    "victim_consents_police": None, "victim_consents_referral": None,
                    "children_in_household": False, "pregnant_or_new_baby": False, "victim_under_18": False}
ASKED = [*BEFORE_RED_FLAGS, "wishes", "children_and_young_people"]


def _ask_red_flags():
    tracker = make_tracker('/inform{"victim_under_18": false}', intent="inform",
                           slots={"facts": {k: v for k, v in BEFORE_RED_FLAGS.items() if k != "victim_under_18"},
                                  "asked_facts": [a for a in ASKED if a != "victim_under_18"],
                                  "requested_slot": "victim_under_18"})
    return run_action(ACTION, tracker)


def test_the_red_flags_are_asked_as_one_question_listing_each_in_plain_words():
    g = guidance()
    messages, events = _ask_red_flags()
    assert slot_values(events)["requested_slot"] == "red_flags"
    question = messages[-1]
    assert question["text"].startswith(g.groups["red_flags"].question)
    for fact in RED_FLAGS:
        assert f"- {g.groups['red_flags'].items[fact]}" in question["text"]
    buttons = {b["title"]: b["payload"] for b in question["buttons"]}
    assert buttons["Yes, one or more"] == '/inform{"red_flags": true}'
    assert json.loads(buttons["None of these"][len("/inform"):]) == {f: False for f in RED_FLAGS}
    assert json.loads(buttons["Not sure"][len("/inform"):]) == {f: None for f in RED_FLAGS}
    assert {"Why do you ask?", "Show the advice now"} <= set(buttons)


def test_none_of_these_sets_every_listed_fact_to_no():
    payload = "/inform" + json.dumps({f: False for f in RED_FLAGS})
    tracker = make_tracker(payload, intent="inform",
                           slots={"facts": BEFORE_RED_FLAGS, "asked_facts": ASKED, "requested_slot": "red_flags"})
    _, events = run_action(ACTION, tracker)
    slots = slot_values(events)
    assert all(slots["facts"][f] is False for f in RED_FLAGS)
    assert {*RED_FLAGS, "red_flags"} <= set(slots["asked_facts"])
    assert slots["requested_slot"] not in RED_FLAGS


def test_yes_one_or_more_then_asks_the_listed_facts_one_by_one():
    g = guidance()
    tracker = make_tracker('/inform{"red_flags": true}', intent="inform",
                           slots={"facts": BEFORE_RED_FLAGS, "asked_facts": ASKED, "requested_slot": "red_flags"})
    messages, events = run_action(ACTION, tracker)
    slots = slot_values(events)
    assert slots["requested_slot"] == "strangulation"
    assert messages[-1]["text"] == g.facts["strangulation"].question
    assert "red_flags" in slots["asked_facts"]
    assert not set(RED_FLAGS) & set(slots["facts"])              # nothing assumed from "yes"
    # answering the first one moves on to the next red flag, not back to the group
    tracker = make_tracker('/inform{"strangulation": true}', intent="inform",
                           slots={"facts": slots["facts"], "asked_facts": slots["asked_facts"],
                                  "requested_slot": "strangulation"})
    _, events = run_action(ACTION, tracker)
    assert slot_values(events)["requested_slot"] in next_questions(g, slot_values(events)["facts"],
                                                                   slot_values(events)["asked_facts"])


def test_not_sure_marks_them_all_asked_and_none_is_asked_again():
    g = guidance()
    for payload, intent, text in [('/inform{"red_flags": null}', "inform", None), (None, "not_sure", "not sure")]:
        tracker = make_tracker(text or payload, intent=intent,
                               slots={"facts": BEFORE_RED_FLAGS, "asked_facts": ASKED, "requested_slot": "red_flags"})
        _, events = run_action(ACTION, tracker)
        slots = slot_values(events)
        assert all(f in slots["facts"] and slots["facts"][f] is None for f in RED_FLAGS)
        assert set(RED_FLAGS) <= set(slots["asked_facts"])
        left = next_questions(g, slots["facts"], slots["asked_facts"])
        assert not set(RED_FLAGS) & set(left)


def test_typed_replies_answer_a_group():
    g = guidance()
    for text, intent, expected in [("none of these", "deny", False), ("no", "deny", False), ("nope", "stop", False),
                                   ("yes", "affirm", "ask")]:
        turn = take_turn(g, BEFORE_RED_FLAGS, ASKED, "red_flags", read_reply(g, "red_flags", intent, text))
        if expected == "ask":
            assert turn.next_fact == "strangulation" and "red_flags" in turn.asked
        else:
            assert all(turn.facts[f] is expected for f in RED_FLAGS), text


def _up_to(group_id: str):
    """(facts, asked) of a triage answered "Not sure" throughout until ``group_id`` is next."""
    g = guidance()
    facts, asked = {}, []
    while (step := next_steps(g, facts, asked)[0]) != group_id:
        facts.update(group_answer(g, step, facts, asked, None) if step in g.groups
                     else {step: False if step == "immediate_danger" else None})
        asked += [f for f in facts if f not in asked] + [step]
    return facts, asked


def test_a_fact_named_in_free_text_is_kept_and_the_group_asks_the_rest():
    g = guidance()
    facts, asked = _up_to("other_needs")
    turn = take_turn(g, facts, asked, "other_needs", read_reply(g, "other_needs", "inform", "he controls her money"))
    assert turn.facts["coercive_control"] is True
    assert turn.next_fact == "other_needs"                     # asked again, without what was said
    question = turn.messages[-1]
    assert g.groups["other_needs"].items["coercive_control"] not in question.text
    assert g.groups["other_needs"].items["separation"] in question.text
    none = next(b for b in question.buttons if b["title"] == "None of these")
    assert "coercive_control" not in none["payload"]           # "None of these" never undoes what was said


def test_why_do_you_ask_explains_the_group():
    g = guidance()
    tracker = make_tracker("/why_ask", intent="why_ask",
                           slots={"facts": BEFORE_RED_FLAGS, "asked_facts": ASKED, "requested_slot": "red_flags"})
    messages, events = run_action(ACTION, tracker)
    assert g.groups["red_flags"].why in [m.get("text") for m in messages]
    assert slot_values(events)["requested_slot"] == "red_flags"


def test_danger_now_is_still_the_first_question_on_its_own():
    messages, events = run_action(ACTION, make_tracker("pt says her partner hit her"))
    assert slot_values(events)["requested_slot"] == "immediate_danger"


def test_show_advice_counts_a_group_as_one_question():
    g = guidance()
    facts, asked = _up_to("red_flags")
    steps = next_steps(g, facts, asked)
    turn = take_turn(g, facts, asked, "red_flags", read_reply(g, "red_flags", "show_advice", "/show_advice"))
    assert f" {len(steps)} more question" in turn.messages[0].text
    assert len(steps) < len(next_questions(g, facts, asked))
