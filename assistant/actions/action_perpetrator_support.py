"""action_perpetrator_support: someone disclosing their own abusive behaviour
is pointed to a perpetrator service, without judgement."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.state import guidance
from assistant.actions.support_message import perpetrator_support


class ActionPerpetratorSupport(Action):
    def name(self) -> str:
        return "action_perpetrator_support"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=perpetrator_support(guidance()))
        return []
