"""action_danger_now: 999 advice at once, whatever else is going on.

The advice always goes out. The fact is recorded from what the message says,
but an earlier "no" to danger now is never flipped silently: the person is
asked to confirm it (the 999 advice has already been given either way).
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
    safe_next_step,
    send,
    state_events,
)
from assistant.conversation import danger_message, usable_facts
from assistant.conversation.messages import DANGER_FACT, confirm_message
from assistant.extraction import extract_facts


class ActionDangerNow(Action):
    def name(self) -> str:
        return "action_danger_now"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        try:
            g = guidance(area_of(tracker))
        except Exception:  # noqa: BLE001 - 999 must go out even if the guidance cannot load
            dispatcher.utter_message(text=danger_message(None, in_form=False).text)
            safe_next_step(dispatcher, self.name())
            return []
        in_form = tracker.active_loop_name == "triage_form"
        send(dispatcher, [danger_message(g, in_form=in_form)])
        facts, asked = usable_facts(g, known_facts(tracker)), asked_facts(tracker)
        # the same message may state other facts too ("he's outside with a knife, saying he'll kill her")
        text = (tracker.latest_message or {}).get("text") or ""
        said = {fact: e.value for fact, e in extract_facts(text, g).items()}
        events: list[EventType] = [*area_events(tracker)]
        for fact, value in said.items():
            if fact != DANGER_FACT and facts.get(fact) is None:
                facts[fact] = value
        if DANGER_FACT in g.facts:
            if facts.get(DANGER_FACT) is False and said.get(DANGER_FACT) is not True:
                send(dispatcher, [confirm_message(g, DANGER_FACT, False, True)])
                if in_form:
                    events.append(SlotSet("requested_slot", DANGER_FACT))
            elif said.get(DANGER_FACT) is not False:
                facts[DANGER_FACT] = True
        asked += [fact for fact in facts if fact not in asked]
        return [*events, *state_events(facts, asked)]

