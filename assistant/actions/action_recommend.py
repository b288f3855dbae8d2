"""action_recommend: the engine's recommendation, as a card and as text."""
from __future__ import annotations

import functools
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant import PATHWAYS_DIR
from assistant.actions.state import area_events, area_of, guidance, known_facts, safe_next_step
from assistant.conversation import usable_facts, words
from assistant.guidance import Guidance, decide, next_steps, referral_summary, render_text
from assistant.guidance import card as recommendation_card


def area_sentence(g: Guidance) -> str:
    """Which area's guidance the advice used, named as the area's own file names it."""
    name = getattr(g, "area_name", None) or _area_file_name(g.area, g.version)
    name = name or g.area.replace("_", " ").title()
    return words("advice_area", area=name, version=g.version)


@functools.lru_cache(maxsize=64)
def _area_file_name(area: str, version: str) -> str | None:
    # Read once per guidance version, not once per recommendation (it showed in the profile).
    try:
        with open(PATHWAYS_DIR / "areas" / f"{area}.yaml", encoding="utf-8") as handle:
            return (yaml.safe_load(handle) or {}).get("name")
    except (OSError, yaml.YAMLError):
        return None


class ActionRecommend(Action):
    def name(self) -> str:
        return "action_recommend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        try:
            return self._run(dispatcher, tracker)
        except Exception:  # noqa: BLE001 - the user must get a safe answer whatever broke
            safe_next_step(dispatcher, self.name())
            return []

    def _run(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        g = guidance(area_of(tracker))
        facts = usable_facts(g, known_facts(tracker))
        rec = decide(g, facts)
        summary = referral_summary(rec)
        # questions left that could refine the advice (none could change what to do today)
        more = len(next_steps(g, facts, list(facts), everything=True))
        card = recommendation_card(rec, g, more_questions=more)
        # Every recommendation says which area's guidance it used.
        card["recommendation"].setdefault("area", g.area)
        text = render_text(rec, g, more_questions=more)
        area_line = area_sentence(g)
        if area_line not in text:
            text = f"{text}\n\n{area_line}"
        # The card's "copy referral summary" copies exactly the words sent below.
        card["recommendation"]["referral_summary"] = summary
        # The widget draws json_message as a card; text is for channels that cannot.
        dispatcher.utter_message(text=text, json_message=card)
        dispatcher.utter_message(text=words("referral_summary", summary=summary))
        dispatcher.utter_message(text=words("after_advice"))
        return [*area_events(tracker), SlotSet("recommendation_given", True)]
