"""Recommendation, 999 and fallback actions."""
from __future__ import annotations

from support.trackers import make_tracker, run_action, slot_values

from assistant.actions.action_danger_now import ActionDangerNow
from assistant.actions.action_default_ask_affirmation import ActionDefaultAskAffirmation
from assistant.actions.action_recommend import ActionRecommend
from assistant.actions.state import guidance


def test_recommendation_is_a_card_and_readable_text_and_a_summary_without_names():
    facts = {"immediate_danger": False, "children_in_household": True, "strangulation": True,
             "victim_consents_police": False}
    messages, events = run_action(ActionRecommend(), make_tracker("", slots={"facts": facts}, active_loop=None))
    card = messages[0]["custom"]["recommendation"]
    ids = [p["id"] for p in card["pathways"]]
    assert "childrens_social_care" in ids and "marac" in ids
    assert card["guidance_version"] == guidance().version
    assert card["facts"]["strangulation"] is True
    assert all(p["reasons"] for p in card["pathways"])
    assert messages[0]["text"].startswith("Do this first:")
    summary = messages[1]["text"]
    assert "no names" in summary
    assert "Guidance version" in summary
    assert summary.endswith(card["referral_summary"])   # the card copies the same words
    assert slot_values(events)["recommendation_given"] is True


def test_danger_now_gives_999_and_records_the_fact():
    tracker = make_tracker("he's outside now with a knife", intent="report_danger",
                           slots={"facts": {}, "asked_facts": []})
    messages, events = run_action(ActionDangerNow(), tracker)
    assert "999" in messages[0]["text"]
    facts = slot_values(events)["facts"]
    assert facts["immediate_danger"] is True
    assert facts["weapon"] is True


def test_fallback_asks_in_plain_words():
    tracker = make_tracker("hmm the thing", intent="nlu_fallback", active_loop=None,
                           ranking=[{"name": "nlu_fallback", "confidence": 0.3},
                                    {"name": "ask_question", "confidence": 0.2}])
    messages, _ = run_action(ActionDefaultAskAffirmation(), tracker)
    assert "asking a question" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/ask_question", "/out_of_scope"]


def test_victim_gets_kindness_and_helplines_from_the_guidance():
    from assistant.actions.action_victim_support import ActionVictimSupport
    messages, _ = run_action(ActionVictimSupport(), make_tracker("my partner hits me", intent="victim_self",
                                                                 active_loop=None))
    text = messages[0]["text"]
    assert "not your fault" in text and "999" in text
    for contact in guidance().pathways["specialist_service"].contacts:
        assert contact["phone"] in text


def test_perpetrator_gets_the_perpetrator_service_from_the_guidance():
    from assistant.actions.action_perpetrator_support import ActionPerpetratorSupport
    messages, _ = run_action(ActionPerpetratorSupport(), make_tracker("I hit my partner", intent="perpetrator_self",
                                                                      active_loop=None))
    assert guidance().pathways["perpetrator_service"].contacts[0]["phone"] in messages[0]["text"]


def test_fallback_never_asks_whether_gibberish_meant_yes():
    tracker = make_tracker("qwzx plorf", intent="nlu_fallback", active_loop=None,
                           ranking=[{"name": "nlu_fallback", "confidence": 0.3},
                                    {"name": "affirm", "confidence": 0.1}, {"name": "deny", "confidence": 0.1}])
    messages, _ = run_action(ActionDefaultAskAffirmation(), tracker)
    assert "saying yes" not in messages[0]["text"]
    # issue 9: never "Are you giving or correcting a detail?"; say so plainly, with what can be done
    assert "didn't understand" in messages[0]["text"] and "detail" not in messages[0]["text"]
    assert "start again" in messages[0]["text"]


def test_an_internal_error_still_gives_a_safe_next_step(monkeypatch):
    import assistant.actions.action_recommend as recommend
    import assistant.actions.validate_triage_form as form

    def broken():
        raise RuntimeError("guidance unavailable")

    monkeypatch.setattr(recommend, "guidance", broken)
    monkeypatch.setattr(form, "guidance", broken)
    messages, _ = run_action(ActionRecommend(), make_tracker("", active_loop=None))
    assert "999" in messages[0]["text"] and "safeguarding lead" in messages[0]["text"]
    messages, events = run_action(form.ValidateTriageForm(), make_tracker("he hit her"))
    assert "999" in messages[0]["text"]
    assert slot_values(events) == {"requested_slot": None}


def test_999_goes_out_even_when_the_guidance_cannot_load(monkeypatch):
    import assistant.actions.action_danger_now as danger
    monkeypatch.setattr(danger, "guidance", lambda: (_ for _ in ()).throw(RuntimeError("broken")))
    messages, _ = run_action(ActionDangerNow(), make_tracker("he's outside now", intent="report_danger"))
    assert "call 999" in messages[0]["text"]
