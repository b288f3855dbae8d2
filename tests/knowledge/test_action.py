"""action_answer_question with a real rasa_sdk Tracker and CollectingDispatcher."""
from __future__ import annotations

import asyncio
import threading

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions import answer_question
from assistant.actions.answer_question import ActionAnswerQuestion
from assistant.conversation.messages import words
from assistant.knowledge import DONT_KNOW


def tracker(text: str, active_loop: str | None = None, earlier: list[str] = ()) -> Tracker:
    latest = {"text": text, "intent": {"name": "ask_question", "confidence": 0.9}, "entities": []}
    events = [{"event": "user", "text": t} for t in earlier] + [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker(sender_id="knowledge-test", slots={}, latest_message=latest, events=events, paused=False,
                   followup_action=None, active_loop={"name": active_loop} if active_loop else {},
                   latest_action_name="action_listen")


def run(t: Tracker) -> tuple[list[dict], list]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerQuestion().run(dispatcher, t, {}))
    return dispatcher.messages, events


@pytest.fixture(autouse=True)
def shared_kb(kb, monkeypatch):
    # The session's knowledge base, so the model is loaded once for all tests,
    # and no start-up warm-up thread competing with them.
    monkeypatch.setattr(answer_question, "default_knowledge_base", lambda: kb)
    monkeypatch.setattr(answer_question, "_warm_started", True)


def test_the_first_instance_warms_the_knowledge_base_up_in_the_background(monkeypatch):
    calls = []
    done = threading.Event()

    def fake_default():
        calls.append(threading.get_ident())
        done.set()
        raise RuntimeError("not needed here")

    monkeypatch.setattr(answer_question, "_warm_started", False)
    monkeypatch.setattr(answer_question, "default_knowledge_base", fake_default)
    ActionAnswerQuestion()
    ActionAnswerQuestion()
    assert done.wait(5)
    assert len(calls) == 1 and calls[0] != threading.get_ident()


def test_answers_with_readable_text_and_the_answer_object():
    messages, events = run(tracker("what is MARAC?"))
    assert events == []
    assert len(messages) == 1
    assert "Multi-Agency Risk Assessment Conference" in messages[0]["text"]
    answer = messages[0]["custom"]["answer"]
    assert answer["answered"] is True and answer["answers"][0]["article_id"] == "marac"


def test_mid_form_it_answers_and_returns_no_events_so_the_form_resumes():
    messages, events = run(tracker("is SWACA the same as the IDVA?", active_loop="triage_form"))
    assert events == []
    assert messages[0]["custom"]["answer"]["answers"][0]["article_id"] == "swaca"


def test_out_of_scope_gets_i_dont_know():
    messages, events = run(tracker("what's the weather"))
    assert messages[0]["text"] == DONT_KNOW
    # the typed question is never echoed back (issue 10: the bot event is stored)
    assert messages[0]["custom"]["answer"] == {"answered": False, "answers": []}
    assert events == []


def test_after_the_ask_question_button_it_answers_the_message_before():
    messages, _ = run(tracker("/ask_question", earlier=["whats dvds"]))
    assert messages[0]["custom"]["answer"]["answers"][0]["article_id"] == "clares-law"


def test_a_bare_payload_asks_what_they_want_to_know():
    messages, events = run(tracker("/ask_question"))
    assert [m["text"] for m in messages] == [words("ask_what")]
    assert events == []


def test_search_runs_off_the_event_loop(monkeypatch, kb):
    threads = {}

    def ask(question):
        threads["search"] = threading.get_ident()
        return kb.ask(question)

    monkeypatch.setattr(answer_question, "_ask", ask)

    async def go():
        threads["loop"] = threading.get_ident()
        await ActionAnswerQuestion().run(CollectingDispatcher(), tracker("what is MARAC?"), {})

    asyncio.run(go())
    assert threads["search"] != threads["loop"]


def test_a_search_failure_is_a_safe_message_not_a_crash(monkeypatch):
    def broken(question):
        raise RuntimeError("model missing")

    monkeypatch.setattr(answer_question, "_ask", broken)
    messages, events = run(tracker("what is MARAC?"))
    assert "safeguarding lead" in messages[0]["text"] and "999" in messages[0]["text"]
    assert events == []
