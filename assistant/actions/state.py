"""Reading and writing the triage state kept in Rasa slots.

``facts`` (a dict) holds every fact known so far and is what the engine decides
on; the fact list itself lives only in pathways/facts.yaml, so a fact an author
adds needs no slot of its own. ``asked_facts`` lists every fact and question
group already asked, "Not sure" included, so the form never asks twice.
``area`` keeps the area this conversation's guidance is for.
"""
from __future__ import annotations

import logging
import os
import re
import threading
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant import PATHWAYS_DIR
from assistant.conversation import Message, words
from assistant.guidance import Guidance, GuidanceStore

_stores: dict[str | None, GuidanceStore] = {}
_stores_lock = threading.Lock()
_AREA_ID = re.compile(r"^[a-z0-9_]{1,64}$")
logger = logging.getLogger(__name__)


def _known_area(area: Any) -> str | None:
    """An area id the guidance has a file for, else None (never a path from a client)."""
    if isinstance(area, str) and _AREA_ID.match(area) and (PATHWAYS_DIR / "areas" / f"{area}.yaml").is_file():
        return area
    return None


def area_of(tracker: Tracker | None) -> str | None:
    """The area this conversation is for: the latest message's metadata, then the
    area kept from earlier in the conversation, then the server's SIGNPOST_AREA."""
    if tracker is not None:
        metadata = (tracker.latest_message or {}).get("metadata") or {}
        area = _known_area(metadata.get("area") if isinstance(metadata, dict) else None)
        if area is None:
            area = _known_area(tracker.get_slot("area"))
        if area is not None:
            return area
    return _known_area(os.environ.get("SIGNPOST_AREA")) or (os.environ.get("SIGNPOST_AREA") or None)


def guidance(area: str | None = None) -> Guidance:
    """The current guidance for ``area``; an author's saved edit is picked up on the next turn."""
    area = area or (os.environ.get("SIGNPOST_AREA") or None)
    with _stores_lock:
        store = _stores.get(area)
        if store is None:
            store = _stores[area] = GuidanceStore(PATHWAYS_DIR, area)
    return store.get()


def area_events(tracker: Tracker) -> list[SlotSet]:
    """Keep the area the client sent, so later messages without metadata use the same guidance."""
    area = area_of(tracker)
    return [SlotSet("area", area)] if area and area != tracker.get_slot("area") else []


def known_facts(tracker: Tracker) -> dict[str, Any]:
    return dict(tracker.get_slot("facts") or {})


def asked_facts(tracker: Tracker) -> list[str]:
    return list(tracker.get_slot("asked_facts") or [])


def state_events(facts: dict[str, Any], asked: list[str], domain: dict[str, Any] | None = None) -> list[SlotSet]:
    return [SlotSet("facts", facts), SlotSet("asked_facts", asked)]


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


def safe_next_step(dispatcher: CollectingDispatcher, where: str) -> None:
    """Never a dead end: an internal error still gives the user a safe next step.

    Logged with the action's name only: never the message text or the facts.
    """
    logger.exception("internal error in %s", where)
    dispatcher.utter_message(text=words("safe_error"))
