"""validate_triage_form: reads each reply and picks the next question.

A thin adapter: assistant.conversation reads the message into one typed reply
and applies it; this action only moves slots and messages. The questions come
from the guidance engine's next_steps(), the wording from pathways/. The
question is sent from here (there is no action_ask_<fact>), which Rasa allows;
requested_slot then holds a fact or a group id.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.state import (
    area_events,
    area_of,
    asked_facts,
    guidance,
    known_facts,
    rejected_since_last_user_message,
    safe_next_step,
    send,
    state_events,
)
from assistant.conversation import (
    Answer,
    Interrupt,
    Message,
    Restart,
    RestartConfirmed,
    Stop,
    ask,
    danger_message,
    read_reply,
    take_turn,
    usable_facts,
    words,
)
from assistant.conversation.messages import restart_buttons

FORM = "triage_form"


def _intro_given(tracker: Tracker) -> bool:
    """Whether this conversation already told the user what Signpost is (and is not)."""
    note = words("opening_note")
    return any(
        (e.get("event") == "action" and e.get("name") == "utter_intro")
        or (e.get("event") == "bot" and note in (e.get("text") or ""))
        for e in tracker.events
    )


def routed_by_rule(reply: Any, intent: str) -> bool:
    """Replies another Rasa rule handles: the form steps aside (is rejected) so it runs.

    Stop and restart only when the reader AND NLU agree it was asked plainly;
    nothing destructive happens on a guess.
    """
    if isinstance(reply, Interrupt):
        return reply.intent == intent
    if isinstance(reply, Stop):
        return intent == "stop"
    if isinstance(reply, (Restart, RestartConfirmed)):
        return intent == "restart"
    return False


class ValidateTriageForm(Action):
    def name(self) -> str:
        return f"validate_{FORM}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        try:
            return self._run(dispatcher, tracker)
        except Exception:  # noqa: BLE001 - the user must get a safe answer whatever broke
            safe_next_step(dispatcher, self.name())
            # end the form, keeping the facts; the recommendation step gives what it can
            return [SlotSet("requested_slot", None)]

    def _run(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        g = guidance(area_of(tracker))
        facts, asked = usable_facts(g, known_facts(tracker)), asked_facts(tracker)
        latest = tracker.latest_message or {}
        intent = (latest.get("intent") or {}).get("name") or ""
        text = latest.get("text") or ""
        if rejected_since_last_user_message(tracker, FORM):
            # back from an interruption (a question answered, 999 advice): re-ask
            next_fact, messages = ask(g, facts, asked)
            send(dispatcher, messages)
            return [*state_events(facts, asked), SlotSet("requested_slot", next_fact)]
        requested = tracker.get_slot("requested_slot")
        reply = read_reply(g, requested, intent, text)
        if routed_by_rule(reply, intent):
            return []   # nothing validated: Rasa rejects the form and the rule for that intent runs
        events: list[EventType] = [*area_events(tracker)]
        if tracker.get_slot("restart_pending"):
            events.append(SlotSet("restart_pending", False))
            if isinstance(reply, Answer) and reply.value is True and not reply.extra:
                # "yes" to "Start a new case?": still only on the button or a plain "start again"
                send(dispatcher, [Message(words("restart_question"), restart_buttons())])
                return [*events, SlotSet("restart_pending", True)]
        turn = take_turn(g, facts, asked, requested, reply)
        if turn.danger_now:   # safety first: before anything else is said
            send(dispatcher, [danger_message(g, in_form=turn.next_fact is not None)])
        if not _intro_given(tracker):
            send(dispatcher, [Message(words("opening_note"))])
        send(dispatcher, turn.messages)
        return [*events, *state_events(turn.facts, turn.asked), SlotSet("requested_slot", turn.next_fact)]
