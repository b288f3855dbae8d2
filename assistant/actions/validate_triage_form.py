"""validate_triage_form: reads each answer and picks the next question.

The questions come from the guidance engine's next_steps() (next_questions(),
with question groups asked as one), never from a fixed list; the wording, "why
we ask" and buttons come from pathways/. The question is sent from here (there
is no action_ask_<fact>), which Rasa allows; requested_slot then holds a fact
or a group id.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.state import (asked_facts, guidance, known_facts, rejected_since_last_user_message,
                                     safe_next_step, send, state_events)
from assistant.actions.turn import (INTERRUPTING_INTENTS, OPENING_NOTE, Message, ask, danger_message,
                                    is_plain_answer, payload_facts, take_turn, usable_facts)

FORM = "triage_form"


def _intro_given(tracker: Tracker) -> bool:
    """Whether this conversation already told the user what Signpost is (and is not)."""
    return any(
        (e.get("event") == "action" and e.get("name") == "utter_intro")
        or (e.get("event") == "bot" and OPENING_NOTE in (e.get("text") or ""))
        for e in tracker.events
    )


class ValidateTriageForm(Action):
    def name(self) -> str:
        return f"validate_{FORM}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        try:
            return self._run(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 - the user must get a safe answer whatever broke
            safe_next_step(dispatcher, self.name())
            # end the form, keeping the facts; the recommendation step gives what it can
            return [SlotSet("requested_slot", None)]

    def _run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
             domain: dict[str, Any]) -> list[EventType]:
        g = guidance()
        facts, asked = usable_facts(g, known_facts(tracker)), asked_facts(tracker)
        latest = tracker.latest_message or {}
        intent = (latest.get("intent") or {}).get("name") or ""
        text = latest.get("text") or ""
        if rejected_since_last_user_message(tracker, FORM):
            # back from an interruption (a question answered, 999 advice): re-ask
            next_fact, messages = ask(g, facts, asked)
            send(dispatcher, messages)
            return [*state_events(facts, asked, domain), SlotSet("requested_slot", next_fact)]
        requested = tracker.get_slot("requested_slot")
        if (intent in INTERRUPTING_INTENTS and payload_facts(text) is None
                and not is_plain_answer(g, requested, text)):
            return []   # nothing validated: Rasa rejects the form and the intent's rule runs
        turn = take_turn(g, facts, asked, requested, intent, text)
        if turn.danger_now:   # safety first: before anything else is said
            send(dispatcher, [danger_message(g, in_form=turn.next_fact is not None)])
        if not _intro_given(tracker):
            send(dispatcher, [Message(OPENING_NOTE)])
        send(dispatcher, turn.messages)
        return [*state_events(turn.facts, turn.asked, domain), SlotSet("requested_slot", turn.next_fact)]
