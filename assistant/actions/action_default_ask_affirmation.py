"""action_default_ask_affirmation: the first stage of the two-stage fallback,
asking in plain words rather than showing an intent name."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

MEANINGS = {
    "describe_situation": "telling me about a disclosure",
    "inform": "giving or correcting a detail",
    "ask_question": "asking a question about the pathways",
    "report_danger": "telling me someone is in danger now",
    "victim_self": "telling me about abuse you are experiencing yourself",
    "perpetrator_self": "worried about your own behaviour",
    "why_ask": "asking why I ask",
    "show_advice": "asking for the advice now",
    "stop": "wanting to stop",
    "restart": "wanting to start again",
    "greet": "saying hello",
    "thanks": "saying thanks",
    "goodbye": "saying goodbye",
    "affirm": "saying yes",
    "deny": "saying no",
    "not_sure": "saying you're not sure",
}


WORTH_CONFIRMING = {"describe_situation", "inform", "ask_question", "report_danger", "victim_self",
                    "perpetrator_self", "show_advice", "stop", "restart"}


class ActionDefaultAskAffirmation(Action):
    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        # Only guess kinds of message worth confirming; "are you saying yes?" helps nobody.
        guess = next((r.get("name") for r in ranking[:3] if r.get("name") in WORTH_CONFIRMING), "describe_situation")
        dispatcher.utter_message(
            text=f"Sorry, I want to be sure I follow. Are you {MEANINGS[guess]}?",
            buttons=[{"title": "Yes", "payload": f"/{guess}"},
                     {"title": "No, something else", "payload": "/out_of_scope"}],
        )
        return []
