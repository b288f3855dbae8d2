"""action_default_ask_affirmation: the first stage of the two-stage fallback,
asking in plain words rather than showing an intent name."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from assistant.conversation.messages import NOT_UNDERSTOOD

MIN_GUESS = 0.15   # below this the ranking is noise, not a guess

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


# Only kinds of message a "yes" would make clear. A guess at "a description" or
# "a detail" helps nobody ("Are you giving or correcting a detail?"): such a
# message gets a plain "I didn't understand" with what can be done instead.
WORTH_CONFIRMING = {"ask_question", "report_danger", "victim_self", "perpetrator_self", "show_advice"}


class ActionDefaultAskAffirmation(Action):
    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        # Only guess kinds of message worth confirming; "are you saying yes?" helps nobody.
        guess = next((r.get("name") for r in ranking[:2] if r.get("name") in WORTH_CONFIRMING
                      and (r.get("confidence") or 0) >= MIN_GUESS), None)
        if guess is None:
            dispatcher.utter_message(text=NOT_UNDERSTOOD)
            return []
        dispatcher.utter_message(
            text=f"Sorry, I want to be sure I follow. Are you {MEANINGS[guess]}?",
            buttons=[{"title": "Yes", "payload": f"/{guess}"},
                     {"title": "No, something else", "payload": "/out_of_scope"}],
        )
        return []
