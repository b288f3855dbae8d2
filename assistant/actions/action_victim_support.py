"""action_victim_support: someone typing about abuse they are experiencing
themselves gets a kind answer and helplines, not the professional triage."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.state import guidance
from assistant.actions.support_message import victim_support


class ActionVictimSupport(Action):
    def name(self) -> str:
        return "action_victim_support"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=victim_support(guidance()))
        return []
