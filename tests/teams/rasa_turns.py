"""Knowing when Rasa has finished a Teams turn, without waiting a fixed time.

Rasa posts a turn's replies to the connector while it runs the turn and saves
the tracker at its end, so once the tracker holds ``n`` user messages and ends
with ``action_listen``, every reply of those turns has been delivered.
"""
from __future__ import annotations

import time
import urllib.error
from typing import Any

from assistant.stack import Stack
from channels.teams.activities import Inbound, sender_key

from .fake_microsoft import PSEUDONYM_KEY


def teams_sender(conversation_id: str, user_id: str, key: str = PSEUDONYM_KEY) -> str:
    """Rasa's conversation id for this Teams user in this Teams conversation (as the channel derives it)."""
    inbound = Inbound(text="", conversation={"id": conversation_id}, user={"id": user_id}, bot={},
                      service_url="", activity_id=None, channel_id="msteams")
    return sender_key(inbound, key)


def user_turns(tracker: dict[str, Any]) -> int:
    return sum(1 for event in tracker.get("events") or [] if event.get("event") == "user")


def turn_finished(tracker: dict[str, Any], turns: int) -> bool:
    events = tracker.get("events") or []
    if user_turns(tracker) < turns:
        return False
    last = [e for e in events if e.get("event") in ("action", "user")]
    return bool(last) and last[-1].get("event") == "action" and last[-1].get("name") == "action_listen"


def wait_for_turns(stack: Stack, sender: str, turns: int, timeout: float = 90.0) -> dict[str, Any]:
    """The tracker once Rasa has finished ``turns`` user messages from ``sender``; fails at the deadline."""
    deadline = time.monotonic() + timeout
    tracker: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            tracker = stack.tracker(sender)
        except (urllib.error.URLError, OSError, ValueError):
            tracker = {}
        if turn_finished(tracker, turns):
            return tracker
        time.sleep(0.1)
    raise AssertionError(f"Rasa did not finish {turns} turns within {timeout:.0f} s "
                         f"(saw {user_turns(tracker)}):\n{stack.log_tail('rasa')}")
