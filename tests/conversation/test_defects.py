"""Issue 9 §1, each defect reproduced through the actions (rasa_sdk trackers, no server)."""
from __future__ import annotations

from support.trackers import make_tracker, run_action, slot_values

from assistant.actions.action_danger_now import ActionDangerNow
from assistant.actions.action_restart import ActionRestart
from assistant.actions.state import guidance
from assistant.actions.validate_triage_form import ValidateTriageForm
from assistant.conversation.messages import words
from assistant.extraction import extract_facts

FORM = ValidateTriageForm()


def _turn(text, intent, requested, facts=None, asked=None, **slots):
    tracker = make_tracker(text, intent=intent, slots={"facts": facts or {}, "asked_facts": asked or list(facts or {}),
                                                       "requested_slot": requested, **slots})
    return run_action(FORM, tracker)


def _texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def test_the_patient_at_who_told_you_answers_it_and_never_restarts():
    messages, events = _turn("the patient", "restart", "disclosure_source", {"immediate_danger": False})
    assert events, "the form must not step aside for the restart rule"
    assert slot_values(events)["facts"]["disclosure_source"] == "victim"


def test_ok_continue_carries_on_and_never_stops():
    for text in ("ok continue", "ok carry on with the questions"):
        messages, events = _turn(text, "stop", "strangulation", {"immediate_danger": False})
        assert events, text
        assert slot_values(events)["requested_slot"] == "strangulation", text   # the same question again


def test_a_stopped_triage_resumes_where_it_stopped():
    g = guidance()
    facts = {"immediate_danger": False, "disclosure_source": "victim"}
    tracker = make_tracker("ok go on, ask me the questions", intent="continue", active_loop="triage_form",
                           slots={"facts": facts, "asked_facts": list(facts), "requested_slot": None})
    messages, events = run_action(FORM, tracker)
    slots = slot_values(events)
    assert slots["facts"] == facts
    assert slots["requested_slot"] not in (None, "immediate_danger", "disclosure_source")
    assert slots["requested_slot"] in g.facts or slots["requested_slot"] in g.groups


def test_restart_asks_first_and_only_the_yes_clears_the_case():
    slots = {"facts": {"immediate_danger": False}, "asked_facts": ["immediate_danger"]}
    messages, events = run_action(ActionRestart(), make_tracker("start again", intent="restart", slots=slots))
    assert messages[0]["text"] == words("restart_question")
    assert not any(e.get("event") == "restart" for e in events)
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles == ["Yes, start a new case", "No, carry on"]
    yes = messages[0]["buttons"][0]["payload"]
    tracker = make_tracker(yes, intent="restart", slots={**slots, "restart_pending": True})
    _, events = run_action(ActionRestart(), tracker)
    assert any(e.get("event") == "restart" for e in events)


def test_a_typed_button_title_answers_and_raises_no_alarm():
    messages, events = _turn("the person causing the harm", "report_danger", "disclosure_source",
                             {"immediate_danger": False})
    assert events
    facts = slot_values(events)["facts"]
    assert facts == {"immediate_danger": False, "disclosure_source": "perpetrator"}
    assert "Someone may be in danger" not in _texts(messages)


def test_danger_intent_never_silently_flips_an_earlier_no():
    tracker = make_tracker("he is really angry", intent="report_danger",
                           slots={"facts": {"immediate_danger": False}, "asked_facts": ["immediate_danger"]})
    messages, events = run_action(ActionDangerNow(), tracker)
    assert "999" in messages[0]["text"]                     # safety first: the advice still goes out
    assert slot_values(events)["facts"]["immediate_danger"] is False
    assert "Which is right?" in _texts(messages)


def test_a_later_message_contradicting_an_answer_is_confirmed():
    messages, events = _turn("there are kids in the house", "inform", "weapon",
                             {"immediate_danger": False, "children_in_household": False})
    slots = slot_values(events)
    assert slots["facts"]["children_in_household"] is False
    assert slots["requested_slot"] == "children_in_household"
    assert "Which is right?" in messages[-1]["text"]


def test_typed_answers_with_more_in_them_are_kept():
    cases = [("not sure, she said it's been going on for months", "recent_incident", None),
             ("no shes 81!", "victim_under_18", False)]
    for text, fact, value in cases:
        _, events = _turn(text, "inform", fact, {"immediate_danger": False})
        assert slot_values(events)["facts"][fact] is value, text
    _, events = _turn("she'd like support but not police", "inform", "wishes", {"immediate_danger": False})
    facts = slot_values(events)["facts"]
    assert facts["victim_consents_referral"] is True and facts["victim_consents_police"] is False
    _, events = _turn("none of them as far as i know", "deny", "red_flags", {"immediate_danger": False})
    assert slot_values(events)["facts"].get("strangulation") is False


def test_an_out_of_range_score_gets_a_clear_message():
    messages, events = _turn("60", "inform", "dash_score", {"immediate_danger": False})
    assert "can't be right" in _texts(messages) and "Not sure" in _texts(messages)
    assert "dash_score" not in slot_values(events)["facts"]
    assert slot_values(events)["requested_slot"] == "dash_score"


def test_a_perpetrator_disclosure_is_recognised():
    g = guidance()
    assert extract_facts("man says he hit his partner last night", g)["disclosure_source"].value == "perpetrator"
    _, events = _turn("he told me himself", "victim_self", "disclosure_source", {"immediate_danger": False})
    assert slot_values(events)["facts"]["disclosure_source"] == "perpetrator"


def test_a_correction_to_perpetrator_is_never_answered_as_a_victim():
    messages, events = _turn("actually it was the man himself who told me, he hit his partner", "victim_self",
                             "weapon", {"immediate_danger": False, "disclosure_source": "victim"})
    assert events and "sorry this is happening to you" not in _texts(messages)


def test_threats_and_honour_in_an_opening_are_prefilled():
    g = guidance()
    said = {f: e.value for f, e in extract_facts("he's outside now saying hes going to kill her", g).items()}
    assert said["threats_to_kill"] is True and said["immediate_danger"] is True
    said = {f: e.value for f, e in extract_facts(
        "pt disclosed honour based abuse, her family are forcing her to marry a cousin", g).items()}
    assert said["honour_based_abuse"] is True and said["marriage_involved"] is True


def test_the_threat_is_kept_when_the_danger_reply_interrupts():
    tracker = make_tracker("he's outside now saying hes going to kill her", intent="report_danger", active_loop=None,
                           slots={"facts": {}, "asked_facts": []})
    messages, events = run_action(ActionDangerNow(), tracker)
    facts = slot_values(events)["facts"]
    assert facts["threats_to_kill"] is True and facts["immediate_danger"] is True


def test_gibberish_gets_a_clear_i_did_not_understand():
    messages, _ = _turn("qwzx plorf", "nlu_fallback", "weapon", {"immediate_danger": False})
    text = _texts(messages)
    assert "didn't understand" in text and "detail" not in text


def test_the_area_comes_from_the_message_metadata_and_is_kept():
    from assistant.actions.action_recommend import ActionRecommend
    tracker = make_tracker("", slots={"facts": {"immediate_danger": False}}, active_loop=None)
    tracker.latest_message["metadata"] = {"area": "st_helens"}
    messages, events = run_action(ActionRecommend(), tracker)
    assert messages[0]["custom"]["recommendation"]["area"] == "st_helens"
    assert "St Helens" in messages[0]["text"]
    assert slot_values(events)["area"] == "st_helens"
    tracker = make_tracker("", slots={"facts": {}, "area": "../../etc"}, active_loop=None)
    tracker.latest_message["metadata"] = {"area": "../secrets"}
    messages, _ = run_action(ActionRecommend(), tracker)     # never a path from a client
    assert messages[0]["custom"]["recommendation"]["area"] != "../secrets"


def test_restart_intent_on_an_answer_hands_it_to_the_form():
    """Rasa runs action_restart ahead of the form for NLU's "restart"; it must not restart on "the patient"."""
    tracker = make_tracker("the patient", intent="restart",
                           slots={"facts": {"immediate_danger": False}, "asked_facts": ["immediate_danger"],
                                  "requested_slot": "disclosure_source"})
    messages, events = run_action(ActionRestart(), tracker)
    assert messages == []
    assert events == [{"event": "followup", "name": "triage_form", "timestamp": None}]
