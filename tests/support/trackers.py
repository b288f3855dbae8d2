"""rasa_sdk Tracker fixtures for testing actions without a Rasa server."""
from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant import PROJECT_ROOT


@lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    with open(PROJECT_ROOT / "domain.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def make_tracker(
    text: str = "",
    intent: str = "describe_situation",
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = "triage_form",
    ranking: list[dict[str, Any]] | None = None,
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9},
              "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}], "entities": []}
    user_event = {"event": "user", "text": text, "parse_data": latest}
    return Tracker(
        sender_id="test",
        slots=dict(slots or {}),
        latest_message=latest,
        events=([*(events or []), user_event]
                if events is None or not any(e.get("event") == "user" for e in events) else events),
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def run_action(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(messages sent, events returned)"""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain()))
    return dispatcher.messages, events


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
