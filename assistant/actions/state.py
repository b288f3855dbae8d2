"""Reading and writing the triage state kept in Rasa slots.

``facts`` (a dict) is what the engine decides on; each fact also has a slot
of its own name (vocabulary.md) mirrored here for anyone reading the tracker.
``asked_facts`` lists every fact already asked, "Not sure" included, and every
question group already asked, so the form never asks the same thing twice.
"""
from __future__ import annotations

import logging
import os
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant import PATHWAYS_DIR
from assistant.actions.turn import Message
from assistant.guidance import Guidance, GuidanceStore

_store: GuidanceStore | None = None
logger = logging.getLogger(__name__)


def guidance() -> Guidance:
    """The current guidance; an author's saved edit is picked up on the next turn."""
    global _store
    if _store is None:
        _store = GuidanceStore(PATHWAYS_DIR, os.environ.get("SIGNPOST_AREA") or None)
    return _store.get()


def known_facts(tracker: Tracker) -> dict[str, Any]:
    return dict(tracker.get_slot("facts") or {})


def asked_facts(tracker: Tracker) -> list[str]:
    return list(tracker.get_slot("asked_facts") or [])


def state_events(facts: dict[str, Any], asked: list[str], domain: dict[str, Any]) -> list[SlotSet]:
    slots = domain.get("slots", {}) if isinstance(domain, dict) else {}
    events = [SlotSet("facts", facts), SlotSet("asked_facts", asked)]
    events += [SlotSet(fact, value) for fact, value in facts.items() if fact in slots]
    return events


def send(dispatcher: CollectingDispatcher, messages: list[Message]) -> None:
    for message in messages:
        dispatcher.utter_message(**message.as_kwargs())


def rejected_since_last_user_message(tracker: Tracker, action: str) -> bool:
    """True when ``action`` was rejected after the latest user message: the form is
    resuming after an interruption, not reading a new answer."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action_execution_rejected" and event.get("name") == action:
            return True
    return False


SAFE_ERROR_TEXT = ("Sorry, something went wrong on my side. If anyone is in danger now, call 999. "
                   "Otherwise, please talk to your safeguarding lead, and try again in a moment; "
                   "what you've told me so far is kept.")


def safe_next_step(dispatcher: CollectingDispatcher, where: str) -> None:
    """Never a dead end: an internal error still gives the user a safe next step.

    Logged with the action's name only: never the message text or the facts.
    """
    logger.exception("internal error in %s", where)
    dispatcher.utter_message(text=SAFE_ERROR_TEXT)
