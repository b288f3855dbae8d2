"""What the bot says: questions with their buttons, the 999 advice, fixed copy.

Question wording, "why we ask" and button labels come from pathways/; the few
fixed sentences of the conversation itself are named here once.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.extraction import load_phrasings
from assistant.guidance import FactSpec, Guidance, QuestionGroup, next_questions, next_steps
from assistant.guidance.groups import pending_in_group

# The safety constants, named once: the fact that means danger now, and the
# pathway whose words say what to do about it.
DANGER_FACT = "immediate_danger"
EMERGENCY_PATHWAY = "police_999"
# Only if the guidance cannot be read (or lacks the pathway): 999 must still go out.
EMERGENCY_FALLBACK = "Call 999 now. On a mobile, if it isn't safe to speak, dial 999 and then press 55 when asked."

# Said once when someone starts describing without saying hello first, so
# nobody misses what Signpost is not.
OPENING_NOTE = ("Thank you. A quick note first: I'm Signpost, not an emergency service. If anyone is in "
                "danger now, call 999. I never need anyone's name, so please leave names out.")
NOT_UNDERSTOOD = ("Sorry, I didn't understand that. You can press one of the buttons, type yes, no or not sure, "
                  "or tell me more about what happened. Type \"stop\" to finish, or \"start again\" for a new case.")
BAD_BUTTON = "Sorry, that answer didn't fit the question; please pick one of the buttons."
WHY_GENERAL = "I only ask what could change where you should refer; you can always answer \"Not sure\"."
RESUME_NOTHING_LEFT = "There is nothing more I need to ask; here is the advice again."
RESTART_QUESTION = "Start a new case? What you've told me so far will be cleared."
RESTART_YES = {"title": "Yes, start a new case", "payload": '/restart{"confirmed": true}'}
RESTART_NO = {"title": "No, carry on", "payload": "/continue"}


@dataclass
class Message:
    """A bot message: text plus optional quick-reply buttons."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": self.buttons} if self.buttons else {"text": self.text}


def button_payload(fact: str, value: Any) -> str:
    return "/inform" + json.dumps({fact: value})


_WHY = {"title": "Why do you ask?", "payload": "/why_ask"}
_ADVICE = {"title": "Show the advice now", "payload": "/show_advice"}


def fact_buttons(spec: FactSpec) -> list[dict[str, str]]:
    buttons = [{"title": o.label, "payload": button_payload(spec.id, o.value)} for o in spec.options]
    if not any(o.value is None for o in spec.options):
        buttons.append({"title": "Not sure", "payload": button_payload(spec.id, None)})
    return buttons


def question_message(spec: FactSpec, lead: str = "") -> Message:
    return Message((lead + "\n" if lead else "") + spec.question, [*fact_buttons(spec), _WHY, _ADVICE])


def group_message(g: Guidance, group: QuestionGroup, facts: Mapping[str, Any], asked: list[str]) -> Message:
    """One question listing the group's facts that still matter, with three answers.

    "None of these" and "Not sure" set exactly the listed facts in the
    vocabulary's payload syntax; "Yes, one or more" names the group, so each
    listed fact is then asked on its own.
    """
    pending = pending_in_group(group, next_questions(g, dict(facts), asked))
    lines = [group.question] + [f"- {group.items[fid]}" for fid in pending]
    buttons = [
        {"title": group.yes_label, "payload": "/inform" + json.dumps({group.id: True})},
        {"title": group.none_label, "payload": "/inform" + json.dumps({fid: False for fid in pending})},
        {"title": group.unsure_label, "payload": "/inform" + json.dumps({fid: None for fid in pending})},
        _WHY, _ADVICE,
    ]
    return Message("\n".join(lines), buttons)


def step_message(g: Guidance, step: str, facts: Mapping[str, Any], asked: list[str]) -> Message:
    """The question for a next step: a fact's own question or a group's."""
    group = g.groups.get(step)
    return group_message(g, group, facts, asked) if group else question_message(g.facts[step])


def ask(g: Guidance, facts: Mapping[str, Any], asked: list[str]) -> tuple[str | None, list[Message]]:
    """The next question (re-asked when the form resumes after an interruption)."""
    remaining = next_steps(g, dict(facts), asked)
    if not remaining:
        return None, []
    return remaining[0], [step_message(g, remaining[0], facts, asked)]


def label_of(fact: str) -> str:
    label = load_phrasings().labels.get(fact) or fact.replace("_", " ")
    return label[0].upper() + label[1:]


def shown_value(value: Any, spec: FactSpec | None) -> str:
    if value is None:
        return "not sure"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if spec is not None and spec.type == "enum":
        return next((o.label for o in spec.options if o.value == value), str(value))
    return str(value)


def describe(fact: str, value: Any, spec: FactSpec | None) -> str:
    return f"{label_of(fact)}: {shown_value(value, spec)}"


def understood_message(found: Mapping[str, Any], g: Guidance) -> Message:
    lines = ["Here's what I understood:"]
    lines += [f"- {describe(fact, value, g.facts.get(fact))}" for fact, value in found.items()]
    lines.append('If any of that is wrong, just tell me, for example "actually there are no children".')
    return Message("\n".join(lines))


def confirm_message(g: Guidance, fact: str, before: Any, now: Any) -> Message:
    """A later message contradicts an earlier answer: ask which is right, never flip it silently."""
    spec = g.facts[fact]
    lead = (f"Earlier I noted \"{describe(fact, before, spec)}\", but this sounds like "
            f"{shown_value(now, spec)}. Which is right?")
    return question_message(spec, lead)


def emergency_sentence(g: Guidance | None) -> str:
    """What to do in an emergency: the guidance's police_999 pathway, the one source of these words."""
    spec = g.pathways.get(EMERGENCY_PATHWAY) if g is not None else None
    return spec.what_to_do.strip() if spec is not None and spec.what_to_do else EMERGENCY_FALLBACK


def danger_message(g: Guidance | None, in_form: bool) -> Message:
    """The 999 advice, worded from the guidance's police_999 pathway."""
    follow = (" When you're ready, we'll carry on with the questions." if in_form
              else " When it's safe, tell me what happened and I'll help with the referrals.")
    lines = ["Someone may be in danger right now.", emergency_sentence(g), "Keep yourself safe too." + follow]
    return Message(" ".join(lines))


def out_of_range_message(spec: FactSpec, number: int) -> Message:
    low = spec.minimum if spec.minimum is not None else 0
    high = spec.maximum
    span = f"from {low} to {high}" if high is not None else f"{low} or more"
    return Message(f"{number} can't be right here: the answer is a number {span}. "
                   "Please check it, or answer \"Not sure\".")
