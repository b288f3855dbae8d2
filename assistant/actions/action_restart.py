"""action_restart (overrides Rasa's default): forget this case and start afresh.

Overridden rather than left to ``utter_restart`` so that every message the bot
can send is reachable from a rule, which ``rasa data validate
--fail-on-warnings`` insists on.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher

RESTART_TEXT = ("Let's start again; nothing from the previous case is used in this one. "
                "Tell me what happened, in your own words. If anyone is in danger now, call 999.")


class ActionRestart(Action):
    def name(self) -> str:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=RESTART_TEXT)
        return [Restarted()]
