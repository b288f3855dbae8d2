"""action_default_fallback (overrides Rasa's default): when the bot still cannot
follow, it never leaves a dead end: it gives 999 and the safe next steps."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from assistant.conversation.messages import words


class ActionDefaultFallback(Action):
    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=words("fallback"))
        # forget the message it could not follow, so the conversation carries on
        return [UserUtteranceReverted()]
