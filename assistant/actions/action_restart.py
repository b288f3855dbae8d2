"""action_restart (overrides Rasa's default): a new case, only once confirmed.

"start again" asks first ("Start a new case? ..."); the "Yes" button, or asking
plainly a second time, clears the case. Overridden rather than left to
``utter_restart`` so every message is reachable from a rule, which ``rasa data
validate --fail-on-warnings`` insists on.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.state import area_of, guidance
from assistant.conversation import Restart, RestartConfirmed, read_reply
from assistant.conversation.messages import restart_buttons, words


class ActionRestart(Action):
    def name(self) -> str:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        try:
            reply = read_reply(guidance(area_of(tracker)), tracker.get_slot("requested_slot"), "restart", text)
        except Exception:  # noqa: BLE001 - never clear a case because something broke
            reply = Restart()
        if not isinstance(reply, (Restart, RestartConfirmed)):
            # Rasa runs this action ahead of the form whenever NLU says "restart" (a
            # default intent). Not asked plainly ("the patient" at "Who told you?"):
            # hand the message to the triage, which reads it as the answer it is.
            return [FollowupAction("triage_form")]
        confirmed = isinstance(reply, RestartConfirmed) or (
            isinstance(reply, Restart) and bool(tracker.get_slot("restart_pending")))
        if confirmed or not (tracker.get_slot("facts") or tracker.get_slot("asked_facts")):
            dispatcher.utter_message(text=words("restart_done"))   # nothing to lose, or asked for twice
            return [Restarted()]
        dispatcher.utter_message(text=words("restart_question"), buttons=restart_buttons())
        # The questions pause while the answer is awaited; "No, carry on" (/continue)
        # reopens them where they were, with every answer kept.
        return [SlotSet("restart_pending", True), ActiveLoop(None), SlotSet("requested_slot", None)]
