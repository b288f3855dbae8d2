"""What one user turn means for the triage: pure Python, no Rasa.

The actions are thin adapters: they read the slots, call :func:`take_turn` /
:func:`ask`, and send what comes back. Keeping this free of rasa_sdk means the
whole conversation logic can be tested directly.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from assistant.extraction import answer_when_asked, extract_facts, load_phrasings
from assistant.extraction.numbers import first_number
from assistant.guidance import (FactSpec, Guidance, QuestionGroup, check_facts, group_answer, next_questions,
                                next_steps, parse_fact_value)
from assistant.guidance.groups import pending_in_group

# Intents handled by their own rule even in the middle of the form: the form
# rejects the turn so the rule runs, then the form resumes.
INTERRUPTING_INTENTS = frozenset(
    {"ask_question", "report_danger", "victim_self", "perpetrator_self", "stop", "restart", "out_of_scope"}
)
_PAYLOAD = re.compile(r"^\s*/(?P<intent>\w+)(?P<json>\{.*\})?\s*$", re.S)
_YES = {"yes", "y", "yeah", "yep", "yes she does", "correct", "true", "she does", "he does", "there are"}
_NO = {"no", "n", "nope", "nah", "false", "none"}
_NONE_OF_THESE = {"none of these", "none of them", "none", "no none", "neither", "no to all", "nothing like that"}
_UNSURE = {"not sure", "unsure", "dunno", "don't know", "dont know", "idk", "no idea", "not done", "not known",
           "unknown", "n/a", "not asked", "didn't ask", "she didn't say", "maybe"}


# Said once when someone starts describing without saying hello first, so
# nobody misses what Signpost is not.
OPENING_NOTE = ("Thank you. A quick note first: I'm Signpost, not an emergency service. If anyone is in "
                "danger now, call 999. I never need anyone's name, so please leave names out.")


@dataclass
class Message:
    """A bot message: text plus optional quick-reply buttons."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": self.buttons} if self.buttons else {"text": self.text}


@dataclass
class Turn:
    facts: dict[str, Any]
    asked: list[str]
    messages: list[Message]
    next_fact: str | None        # a fact id or a question group id (asked_facts holds both)
    danger_now: bool = False     # this turn newly says someone is in danger now


def usable_facts(g: Guidance, facts: Mapping[str, Any]) -> dict[str, Any]:
    """The stored facts the current guidance still understands.

    An author may remove a fact or change its type while a conversation is
    open; such a value is dropped (and so asked again) rather than crashing.
    """
    usable = {}
    for fact, value in facts.items():
        try:
            usable.update(check_facts(g, {fact: value}))
        except ValueError:
            continue
    return usable


def payload_facts(text: str) -> dict[str, Any] | None:
    """Facts set by a button payload such as ``/inform{"children_in_household": null}``.

    Read from the raw text rather than Rasa's entities so that a fact a guidance
    author adds works before anyone adds it to domain.yml.
    """
    match = _PAYLOAD.match(text or "")
    if not match or not match.group("json"):
        return None
    try:
        data = json.loads(match.group("json"))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _button_payload(fact: str, value: Any) -> str:
    return "/inform" + json.dumps({fact: value})


def question_message(spec: FactSpec) -> Message:
    buttons = [{"title": o.label, "payload": _button_payload(spec.id, o.value)} for o in spec.options]
    if not any(o.value is None for o in spec.options):
        buttons.append({"title": "Not sure", "payload": _button_payload(spec.id, None)})
    buttons.append({"title": "Why do you ask?", "payload": "/why_ask"})
    buttons.append({"title": "Show the advice now", "payload": "/show_advice"})
    return Message(spec.question, buttons)


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
        {"title": "Why do you ask?", "payload": "/why_ask"},
        {"title": "Show the advice now", "payload": "/show_advice"},
    ]
    return Message("\n".join(lines), buttons)


def step_message(g: Guidance, step: str, facts: Mapping[str, Any], asked: list[str]) -> Message:
    """The question for a next step: a fact's own question or a group's."""
    group = g.groups.get(step)
    return group_message(g, group, facts, asked) if group else question_message(g.facts[step])


def _answer_to_group(intent: str, text: str) -> tuple[bool, bool | None]:
    """(answered, answer) for a typed reply to a group question: True "yes, one or
    more", False "none of these", None "not sure"."""
    plain = (text or "").strip().lower().rstrip(".!")
    if intent == "not_sure" or plain in _UNSURE:
        return True, None
    if plain in _NONE_OF_THESE or plain in _NO or intent == "deny":
        return True, False
    if plain in _YES or plain.startswith("yes") or intent == "affirm":
        return True, True
    return False, None


def describe(fact: str, value: Any, spec: FactSpec | None) -> str:
    label = load_phrasings().labels.get(fact) or fact.replace("_", " ")
    if value is None:
        shown = "not sure"
    elif value is True:
        shown = "yes"
    elif value is False:
        shown = "no"
    else:
        shown = next((o.label for o in (spec.options if spec else []) if o.value == value and spec and spec.type == "enum"), str(value))
    return f"{label[0].upper()}{label[1:]}: {shown}"


def _answer_to_requested(g: Guidance, spec: FactSpec, intent: str, text: str) -> tuple[bool, Any]:
    """(answered, value) for a typed reply to the question just asked."""
    plain = (text or "").strip().lower().rstrip(".!")
    try:
        return True, parse_fact_value(g, spec.id, plain)
    except ValueError:
        pass
    if intent == "not_sure" or plain in _UNSURE:
        return True, None
    if spec.type == "bool":
        if intent == "affirm" or plain in _YES:
            return True, True
        if intent == "deny" or plain in _NO:
            return True, False
    elif spec.type == "int":
        number = first_number(plain)
        if number is not None:
            try:
                return True, parse_fact_value(g, spec.id, number)
            except ValueError:
                return False, None
        if plain in _NO:
            return True, 0
    elif spec.type == "enum":
        value = answer_when_asked(text, spec.id)
        if value is not None and value in spec.values:
            return True, value
        for option in spec.options:
            if option.value is not None and (str(option.value).replace("_", " ") in plain):
                return True, option.value
    return False, None


def is_plain_answer(g: Guidance, requested: str | None, text: str) -> bool:
    """A short reply that answers the question just asked ("nope", "not sure"),
    whatever NLU thought it was: such replies must never stop or divert the form."""
    if requested in g.groups and len((text or "").split()) <= 3:
        return _answer_to_group("", text)[0]
    spec = g.facts.get(requested or "")
    if spec is None or len((text or "").split()) > 3:
        return False
    return _answer_to_requested(g, spec, "", text)[0]


def understood_message(found: Mapping[str, Any], g: Guidance) -> Message:
    lines = ["Here's what I understood:"]
    lines += [f"- {describe(fact, value, g.facts.get(fact))}" for fact, value in found.items()]
    lines.append('If any of that is wrong, just tell me, for example "actually there are no children".')
    return Message("\n".join(lines))


def take_turn(
    g: Guidance,
    facts: Mapping[str, Any],
    asked: list[str],
    requested: str | None,
    intent: str,
    text: str,
) -> Turn:
    """Applies one user message to the known facts and decides what to ask next."""
    facts = dict(facts)
    asked = list(asked)
    messages: list[Message] = []
    updates: dict[str, Any] = {}
    from_text: dict[str, Any] = {}
    payload = payload_facts(text)
    group = g.groups.get(requested or "")
    answered_group: str | None = None
    if payload is not None:
        for fact, raw in payload.items():
            if fact in g.groups and (raw is None or isinstance(raw, bool)):
                updates.update(group_answer(g, fact, facts, asked, raw))
                answered_group = fact
            elif fact in g.facts:
                try:
                    updates[fact] = parse_fact_value(g, fact, raw)
                except ValueError:
                    messages.append(Message("Sorry, that answer didn't fit the question; please pick one of the buttons."))
        if group is not None and set(payload) & set(group.facts):
            answered_group = group.id   # "None of these" / "Not sure" name the listed facts
    elif intent == "show_advice":
        # The professional may need the advice before every question is answered.
        remaining = next_steps(g, facts, asked)
        note = (f" {len(remaining)} more question{'s' if len(remaining) != 1 else ''} could still change it;"
                " tell me more at any time and I'll update it.") if remaining else ""
        messages.append(Message("Here is the advice on what you've told me so far." + note))
        return Turn(facts=facts, asked=asked, messages=messages, next_fact=None)
    elif intent == "why_ask":
        spec = g.facts.get(requested or "") or group
        messages.append(Message(spec.why if spec else
                                "I only ask what could change where you should refer; you can always answer \"Not sure\"."))
    else:
        extracted = extract_facts(text, g)
        from_text = {fact: e.value for fact, e in extracted.items()}
        spec = g.facts.get(requested or "")
        if spec is not None and spec.id not in from_text:
            answered, value = _answer_to_requested(g, spec, intent, text)
            if answered:
                updates[spec.id] = value
        elif group is not None and not from_text:
            # facts named in free text answer themselves; the group is then asked
            # again with what is left, so only a plain reply answers the group
            answered, value = _answer_to_group(intent, text)
            if answered:
                updates.update(group_answer(g, group.id, facts, asked, value))
                answered_group = group.id
        updates.update(from_text)
        if from_text:
            messages.append(understood_message(from_text, g))
        elif not updates and requested and answered_group is None:
            messages.append(Message("Sorry, I didn't catch an answer to that. You can use the buttons, "
                                    "type yes, no or not sure, or type \"stop\" to finish."))
    danger_now = updates.get("immediate_danger") is True and facts.get("immediate_danger") is not True
    facts.update(updates)
    asked += [fact for fact in updates if fact not in asked]
    if answered_group is not None and answered_group not in asked:
        asked.append(answered_group)
    remaining = next_steps(g, facts, asked)
    next_fact = remaining[0] if remaining else None
    if next_fact:
        messages.append(step_message(g, next_fact, facts, asked))
    return Turn(facts=facts, asked=asked, messages=messages, next_fact=next_fact, danger_now=danger_now)


def ask(g: Guidance, facts: Mapping[str, Any], asked: list[str]) -> tuple[str | None, list[Message]]:
    """The next question (re-asked when the form resumes after an interruption)."""
    remaining = next_steps(g, dict(facts), asked)
    if not remaining:
        return None, []
    return remaining[0], [step_message(g, remaining[0], facts, asked)]


def danger_message(g: Guidance, in_form: bool) -> Message:
    """The 999 advice, worded from the guidance's police_999 pathway when it has one."""
    spec = g.pathways.get("police_999")
    lines = ["Someone may be in danger right now."]
    if spec is not None and spec.what_to_do:
        lines.append(spec.what_to_do.strip())
    else:
        lines.append("Call 999 now. On a mobile, if it isn't safe to speak, dial 999 and then press 55 when asked.")
    lines.append("Keep yourself safe too." + (" When you're ready, we'll carry on with the questions."
                                               if in_form else " When it's safe, tell me what happened and I'll help with the referrals."))
    return Message(" ".join(lines))
