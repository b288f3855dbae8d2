"""action_answer_question: answers a professional's question from knowledge/.

A thin adapter over assistant.knowledge. Searching encodes the question with
a sentence model, so it runs in a worker thread to keep the action server's
event loop free. It returns no events: a form that was active resumes where
it was (the rules run the form again after this action).
"""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from assistant import log_privacy
from assistant.conversation.messages import words
from assistant.knowledge import AskResult, default_knowledge_base, render_answer_text

# rasa_sdk imports every module of assistant.actions, so this installs the
# log scrubbing in the action server process (see assistant/log_privacy.py).
log_privacy.install()
log = logging.getLogger(__name__)


def question_text(tracker: Tracker) -> str:
    """The question asked. When the latest message is a button payload
    ("/ask_question" after "Are you asking a question?"), the question is the
    message just before it, if that one was typed."""
    latest = ((tracker.latest_message or {}).get("text") or "").strip()
    if latest and not latest.startswith("/"):
        return latest
    user_texts = [(e.get("text") or "").strip() for e in (tracker.events or []) if e.get("event") == "user"]
    if len(user_texts) >= 2 and user_texts[-2] and not user_texts[-2].startswith("/"):
        return user_texts[-2]
    return ""


def _ask(question: str) -> AskResult:
    return default_knowledge_base().ask(question)


_warm_started = False


def _warm_up() -> None:
    try:
        default_knowledge_base().ask("warm up")
    except Exception as exc:  # the first real question will report it
        log.warning("knowledge base warm-up failed: %s", type(exc).__name__)


class ActionAnswerQuestion(Action):
    def __init__(self) -> None:
        # The action server creates each action once at start-up: load the
        # model and index then, in the background, so the first question
        # does not wait for them.
        global _warm_started
        if not _warm_started:
            _warm_started = True
            threading.Thread(target=_warm_up, name="knowledge-warm-up", daemon=True).start()

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        question = question_text(tracker)
        if not question:
            dispatcher.utter_message(text=words("ask_what"))
            return []
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(None, _ask, question)
        except Exception as exc:  # never a crash in the conversation
            # The question itself is not logged: it may describe a person.
            log.error("knowledge search failed: %s", type(exc).__name__)
            dispatcher.utter_message(text=words("knowledge_unavailable"))
            return []
        # The answer never carries the question: it is what the person typed,
        # and a bot event is stored and shown through every channel.
        answer = {k: v for k, v in result.to_json().items() if k != "question"}
        dispatcher.utter_message(text=render_answer_text(result), json_message={"answer": answer})
        return []
