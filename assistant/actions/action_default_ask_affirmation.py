"""action_default_ask_affirmation: the first stage of the two-stage fallback,
asking in plain words rather than showing an intent name."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from assistant.conversation.messages import button, words

MIN_GUESS = 0.15   # below this the ranking is noise, not a guess

# Only kinds of message a "yes" would make clear, each with its question in
# pathways/messages.yaml. A guess at "a description" or "a detail" helps nobody
# ("Are you giving or correcting a detail?"): such a message gets a plain
# "I didn't understand" with what can be done instead.
CHECK_MESSAGE = {
    "ask_question": "check_ask_question",
    "report_danger": "check_report_danger",
    "victim_self": "check_victim_self",
    "perpetrator_self": "check_perpetrator_self",
    "show_advice": "check_show_advice",
}
WORTH_CONFIRMING = frozenset(CHECK_MESSAGE)


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
            dispatcher.utter_message(text=words("not_understood"))
            return []
        dispatcher.utter_message(
            text=words(CHECK_MESSAGE[guess]),
            buttons=[*button("check_yes_button", f"/{guess}"), *button("check_no_button", "/out_of_scope")],
        )
        return []
