"""Whole conversations against the real Rasa server and action server over REST.

Each one is typed and clicked the way a professional would, and must reach the
right recommendation. The expected pathways are written by hand from the
guidance's intent (a child in the house means a children's social care
referral...), not computed by the engine under test.
"""
from __future__ import annotations

import uuid

import pytest

from support.conversation import Conversation, answer_until_recommendation, asked_fact, say, triage

pytestmark = pytest.mark.e2e

NO_DANGER = {"immediate_danger": False}

CASES = [
    # id, opening, button answers, typed answers, must include, must not include
    ("danger-now", "patient disclosed her partner hit her, he is outside right now",
     {}, {}, ["police_999"], []),
    ("strangulation-typo", "pt says OH stangled her last night", NO_DANGER, {}, ["marac", "idva"], []),
    ("children", "lady at reception said her husband hit her, 2 kids at home", NO_DANGER, {},
     ["childrens_social_care"], []),
    ("pregnant-typo", "patient disclosed DV, she is pregnat", NO_DANGER, {}, ["childrens_social_care"], []),
    ("under-18", "a 16 year old told the nurse her boyfriend hits her", NO_DANGER, {},
     ["childrens_social_care"], []),
    ("suicide", "she says she wants to kill herself because of what her husband does", NO_DANGER, {},
     ["mental_health_crisis", "marac"], []),
    ("care-needs", "older lady with dementia, her husband hits her", NO_DANGER, {}, ["adult_safeguarding"], []),
    ("perpetrator", "a man came in and admitted he hits his partner", NO_DANGER, {}, ["perpetrator_service"], []),
    ("forced-marriage", "pt told me her family are forcing her to marry abroad", NO_DANGER, {},
     ["forced_marriage_unit", "marac"], []),
    ("dash-high", "patient disclosed abuse from her partner, DASH score 16", NO_DANGER, {}, ["marac"], []),
    ("repeat-incidents", "her mum rang, OH has hit her again, third time this year", NO_DANGER, {}, ["marac"], []),
    ("previous-marac", "she was referred to MARAC in the spring and he has hit her again", NO_DANGER, {},
     ["marac"], []),
    ("clares-law", "she is worried her new partner has a history of violence", NO_DANGER, {}, ["clares_law"], []),
    ("low-risk-consents", "patient disclosed her partner shouts at her, no kids, not pregnant",
     {**NO_DANGER, "victim_consents_referral": True}, {}, ["specialist_service"],
     ["marac", "childrens_social_care"]),
    ("low-risk-declines", "pt disclosed emotional abuse, no kids, she doesn't want anything done",
     {**NO_DANGER, "victim_consents_referral": False}, {}, ["gp_follow_up"],
     ["marac", "childrens_social_care", "police_999"]),
    ("typed-answers-with-typos", "recepionist, woman said husbnad hits her",
     {}, {"immediate_danger": "nope", "strangulation": "yess", "children_in_household": "no"},
     ["marac"], ["police_999", "childrens_social_care"]),
    ("negations-in-opening", "no kids, not pregnant, he hasn't threatened to kill her, pt says bf controls her money",
     NO_DANGER, {}, ["gp_follow_up"], ["childrens_social_care"]),
    ("third-party-police-101", "her sister phoned, the pt's partner punched her yesterday",
     {**NO_DANGER, "victim_consents_police": True}, {}, ["police_101"], ["police_999"]),
    ("typed-not-sure", "patient disclosed her partner pushed her",
     {}, {"immediate_danger": "not sure", "strangulation": "dunno"}, ["gp_follow_up"], []),
]


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
    assert "First:" in texts                                # readable text beside the card
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
