"""Whole conversations against the real Rasa server and action server over REST.

Each one is typed and clicked the way a professional would, and must reach the
right recommendation (scenarios in bench/rest_scenarios.py).
"""
from __future__ import annotations

import json
import uuid

import pytest

from bench.rest_driver import Conversation, answer_until_recommendation, group_facts, group_reply, say, triage
from bench.rest_driver import asked_step as asked_fact
from bench.rest_scenarios import NO_DANGER
from bench.rest_scenarios import SCENARIOS as CASES

pytestmark = pytest.mark.e2e


def sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


@pytest.mark.parametrize("name, opening, answers, typed, include, exclude", CASES, ids=[c[0] for c in CASES])
def test_triage_reaches_the_right_recommendation(rasa_stack, name, opening, answers, typed, include, exclude):
    conv = triage(rasa_stack.send, sender(), opening, answers, typed)
    ids = conv.pathway_ids
    for pathway in include:
        assert pathway in ids, (pathway, ids, conv.texts()[-3000:])
    for pathway in exclude:
        assert pathway not in ids, (pathway, ids)
    assert len(conv.asked) == len(set(conv.asked)), f"a question was asked twice: {conv.asked}"
    texts = conv.texts()
    assert "Do this first:" in texts                        # readable text beside the card
    assert "no names" in texts                              # the copyable referral summary
    assert conv.recommendation["guidance_version"]


def test_danger_mid_form_gets_999_at_once_then_carries_on(rasa_stack):
    conv = Conversation(sender())
    say(rasa_stack.send, conv, "patient disclosed her partner hit her last night")
    replies = say(rasa_stack.send, conv, "he's here in the waiting room and she's terrified")
    assert "999" in replies[0]["text"]
    assert asked_fact(replies) is not None                  # the form goes on
    answer_until_recommendation(rasa_stack.send, conv, NO_DANGER)
    assert conv.pathway_ids[0] == "police_999"


def test_question_mid_form_is_answered_then_the_form_resumes(rasa_stack):
    conv = Conversation(sender())
    first = say(rasa_stack.send, conv, "a patient told me her husband has been hitting her")
    fact = asked_fact(first)
    replies = say(rasa_stack.send, conv, "what is MARAC?")
    assert asked_fact(replies) == fact                      # same question again after the answer
    answer_text = " ".join(r.get("text", "") for r in replies[:-1])
    assert "MARAC" in answer_text or "Multi" in answer_text
    answer_until_recommendation(rasa_stack.send, conv, NO_DANGER)
    assert conv.recommendation is not None


def test_correction_after_recommendation_updates_it(rasa_stack):
    conv = triage(rasa_stack.send, sender(), "patient disclosed her partner hit her, no kids", NO_DANGER)
    assert "childrens_social_care" not in conv.pathway_ids
    say(rasa_stack.send, conv, "actually there are two kids")
    answer_until_recommendation(rasa_stack.send, conv, NO_DANGER)
    assert "childrens_social_care" in conv.pathway_ids


def test_restart_forgets_the_previous_case(rasa_stack):
    who = sender()
    triage(rasa_stack.send, who, "pt says her bf hit her, 2 kids at home", NO_DANGER)
    replies = rasa_stack.send(who, "start again")
    assert replies[0]["text"].startswith("Start a new case?")          # asked first, nothing cleared yet
    replies = rasa_stack.send(who, replies[0]["buttons"][0]["payload"])
    assert "start again" in replies[0]["text"].lower()
    conv = triage(rasa_stack.send, who, "patient disclosed her partner shouts at her, no kids",
                  {**NO_DANGER, "victim_consents_referral": True})
    assert "childrens_social_care" not in conv.pathway_ids


def test_stop_mid_form_leaves_a_safe_next_step(rasa_stack):
    conv = Conversation(sender())
    say(rasa_stack.send, conv, "a patient told me her husband has been hitting her")
    replies = say(rasa_stack.send, conv, "stop")
    text = " ".join(r.get("text", "") for r in replies)
    assert "999" in text and "safeguarding lead" in text
    assert asked_fact(replies) is None


def test_victim_typing_gets_helplines_not_the_professional_flow(rasa_stack):
    replies = rasa_stack.send(sender(), "my partner hits me and I'm scared")
    text = " ".join(r.get("text", "") for r in replies)
    assert "0808 2000 247" in text and "not your fault" in text
    assert asked_fact(replies) is None


def test_perpetrator_typing_gets_respect(rasa_stack):
    replies = rasa_stack.send(sender(), "I hit my partner and I want to stop")
    assert "0808 802 4040" in " ".join(r.get("text", "") for r in replies)


def test_out_of_scope_mid_form_then_the_question_again(rasa_stack):
    conv = Conversation(sender())
    first = say(rasa_stack.send, conv, "a patient told me her husband has been hitting her")
    replies = say(rasa_stack.send, conv, "tell me a joke")
    assert "I can only help" in replies[0]["text"]
    assert asked_fact(replies) == asked_fact(first)


def test_gibberish_gets_a_safe_answer(rasa_stack):
    replies = rasa_stack.send(sender(), "qwzx plorf")
    text = " ".join(r.get("text", "") for r in replies)
    assert text.strip()                                    # never silent


def test_show_advice_now_gives_the_recommendation_early(rasa_stack):
    conv = Conversation(sender())
    say(rasa_stack.send, conv, "pt says her OH choked her last night")
    say(rasa_stack.send, conv, "/show_advice")
    assert "marac" in conv.pathway_ids
    assert asked_fact(conv.transcript[-1][1]) is None


def test_a_whole_triage_by_typing_only(rasa_stack):
    """No buttons at all: every question answered in words, with typos."""
    words = {"immediate_danger": "nope", "disclosure_source": "her mum", "red_flags": "yes",
             "children_and_young_people": "yes", "strangulation": "yess",
             "children_in_household": "yes 2 kids", "dash_score": "not done", "incidents_last_12_months": "two"}
    conv = Conversation(sender())
    replies = say(rasa_stack.send, conv, "receptionist here, worried about a lady, her OH hits her")
    for _ in range(45):
        fact = asked_fact(replies)
        if fact is None:
            break
        replies = say(rasa_stack.send, conv, words.get(fact, "not sure"))
    assert conv.recommendation is not None, conv.texts()[-2000:]
    facts = conv.recommendation["facts"]
    assert facts["immediate_danger"] is False
    assert facts["strangulation"] is True
    assert "marac" in conv.pathway_ids
    if "disclosure_source" in conv.asked:
        assert facts["disclosure_source"] == "third_party"
    if "children_in_household" in conv.asked:
        assert "childrens_social_care" in conv.pathway_ids


def test_question_groups_keep_a_not_sure_triage_short(rasa_stack):
    """Every question answered "Not sure": the red flags and other groups are asked once each."""
    conv = triage(rasa_stack.send, sender(), "a patient told me her partner has been hurting her", NO_DANGER)
    assert conv.asked[0] == "immediate_danger"
    assert "red_flags" in conv.asked and "strangulation" not in conv.asked
    assert len(conv.asked) <= 16, conv.asked
    assert conv.recommendation["facts"]["strangulation"] is None      # asked, not known: never taken as "no"


# --- issue 9 §1: what went wrong when people typed, each over REST ---------------------------

def _open_at(send, step: str, opening: str = "worried her husband has been hitting her",
             answers: dict | None = None) -> tuple[Conversation, list]:
    """A conversation answered by buttons ("Not sure" unless ``answers`` says) until ``step`` is asked."""
    conv = Conversation(sender())
    replies = say(send, conv, opening)
    answers = {**NO_DANGER, **(answers or {})}
    for _ in range(30):
        current = asked_fact(replies)
        if current == step:
            return conv, replies
        assert current is not None, f"{step} was never asked: {conv.asked}"
        listed = group_facts(replies)
        message = group_reply(current, listed, answers, {}) if listed else \
            "/inform" + json.dumps({current: answers.get(current)})
        replies = say(send, conv, message)
    raise AssertionError(f"{step} not reached: {conv.asked}")


def _facts(stack, who: str) -> dict:
    return stack.tracker(who)["slots"].get("facts") or {}


def _text(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_the_patient_at_who_told_you_never_restarts(rasa_stack):
    conv, _ = _open_at(rasa_stack.send, "disclosure_source")
    replies = say(rasa_stack.send, conv, "the patient")
    assert "start again" not in _text(replies).lower()
    assert _facts(rasa_stack, conv.sender)["disclosure_source"] == "victim"
    assert asked_fact(replies) is not None


def test_ok_continue_carries_on_and_a_stopped_triage_resumes(rasa_stack):
    conv, first = _open_at(rasa_stack.send, "disclosure_source")
    replies = say(rasa_stack.send, conv, "ok continue")
    assert asked_fact(replies) == "disclosure_source"                  # the same question, not a stop
    replies = say(rasa_stack.send, conv, "ok carry on with the questions")
    assert asked_fact(replies) == "disclosure_source"
    replies = say(rasa_stack.send, conv, "stop")
    assert asked_fact(replies) is None and "carry on" in _text(replies)
    replies = say(rasa_stack.send, conv, "ok go on, ask me the questions")
    assert asked_fact(replies) == "disclosure_source", _text(replies)    # resumed where it stopped
    assert conv.recommendation is None


def test_a_typed_button_title_raises_no_alarm_and_keeps_the_no(rasa_stack):
    conv, _ = _open_at(rasa_stack.send, "disclosure_source")
    replies = say(rasa_stack.send, conv, "the person causing the harm")
    assert "Someone may be in danger" not in _text(replies)
    facts = _facts(rasa_stack, conv.sender)
    assert facts["disclosure_source"] == "perpetrator" and facts["immediate_danger"] is False
    answer_until_recommendation(rasa_stack.send, conv, NO_DANGER)
    assert conv.pathway_ids[0] != "police_999"
    assert conv.recommendation["facts"]["immediate_danger"] is False


def test_typed_answers_carrying_more_are_kept(rasa_stack):
    # the 7-day question is asked where it changes today's action: here, a report she wants
    conv, _ = _open_at(rasa_stack.send, "recent_incident",
                       answers={"disclosure_source": "victim", "victim_consents_police": True})
    say(rasa_stack.send, conv, "not sure, she said it's been going on for months")
    facts = _facts(rasa_stack, conv.sender)
    assert "recent_incident" in facts and facts["recent_incident"] is None
    conv, _ = _open_at(rasa_stack.send, "red_flags", answers={"disclosure_source": "victim"})
    replies = say(rasa_stack.send, conv, "none of them as far as i know")
    assert _facts(rasa_stack, conv.sender)["strangulation"] is False
    assert "didn't" not in _text(replies)


def test_a_perpetrator_disclosure_is_recognised_and_never_met_with_victim_words(rasa_stack):
    conv = Conversation(sender())
    say(rasa_stack.send, conv, "man says he hit his partner last night")
    assert _facts(rasa_stack, conv.sender).get("disclosure_source") == "perpetrator"
    conv, _ = _open_at(rasa_stack.send, "disclosure_source")
    replies = say(rasa_stack.send, conv, "he told me himself")
    assert "sorry this is happening to you" not in _text(replies)
    assert _facts(rasa_stack, conv.sender)["disclosure_source"] == "perpetrator"


def test_a_threat_to_kill_in_the_first_message_survives_the_999_reply(rasa_stack):
    conv = Conversation(sender())
    replies = say(rasa_stack.send, conv, "he's outside now saying hes going to kill her")
    assert "999" in replies[0]["text"]
    facts = _facts(rasa_stack, conv.sender)
    assert facts["threats_to_kill"] is True and facts["immediate_danger"] is True
    answer_until_recommendation(rasa_stack.send, conv, NO_DANGER)
    assert conv.recommendation["facts"]["threats_to_kill"] is True


def test_honour_based_abuse_and_marriage_in_an_opening_are_prefilled(rasa_stack):
    conv = Conversation(sender())
    say(rasa_stack.send, conv, "pt disclosed honour based abuse, her family are forcing her to marry a cousin")
    facts = _facts(rasa_stack, conv.sender)
    assert facts["honour_based_abuse"] is True and facts["marriage_involved"] is True


def test_gibberish_gets_a_plain_i_did_not_understand(rasa_stack):
    conv, _ = _open_at(rasa_stack.send, "disclosure_source")
    replies = say(rasa_stack.send, conv, "qwzx plorf")
    text = _text(replies)
    assert "giving or correcting a detail" not in text
    assert "didn't understand" in text or "didn't quite follow" in text


def test_restart_mid_form_asks_first_and_no_carries_on_with_every_answer_kept(rasa_stack):
    conv, _ = _open_at(rasa_stack.send, "disclosure_source")
    replies = say(rasa_stack.send, conv, "start again")
    assert replies[0]["text"].startswith("Start a new case?")
    no = next(b["payload"] for b in replies[0]["buttons"] if b["title"].startswith("No"))
    replies = say(rasa_stack.send, conv, no)
    assert asked_fact(replies) == "disclosure_source"                  # picked up where it was
    assert _facts(rasa_stack, conv.sender)["immediate_danger"] is False
