"""action_danger_now: 999 advice at once, whatever else is going on."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.state import asked_facts, guidance, known_facts, safe_next_step, send, state_events
from assistant.actions.turn import danger_message
from assistant.extraction import extract_facts


class ActionDangerNow(Action):
    def name(self) -> str:
        return "action_danger_now"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        try:
            g = guidance()
        except Exception:  # noqa: BLE001 - 999 must go out even if the guidance cannot load
            dispatcher.utter_message(text="Someone may be in danger right now. Call 999 now. On a mobile, "
                                          "if it isn't safe to speak, dial 999 and then press 55 when asked.")
            safe_next_step(dispatcher, self.name())
            return []
        send(dispatcher, [danger_message(g, in_form=tracker.active_loop_name == "triage_form")])
        facts, asked = known_facts(tracker), asked_facts(tracker)
        # the same message may state other facts too ("he's outside with a knife")
        text = (tracker.latest_message or {}).get("text") or ""
        facts.update({fact: e.value for fact, e in extract_facts(text, g).items()})
        if "immediate_danger" in g.facts:
            facts["immediate_danger"] = True
        asked += [fact for fact in facts if fact not in asked]
        return state_events(facts, asked, domain)
