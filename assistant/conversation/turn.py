"""Applies one typed reply to the triage and decides what to ask next: one handler per kind."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assistant.conversation import messages as say
from assistant.conversation.messages import DANGER_FACT, Message
from assistant.conversation.replies import (
    Answer,
    ButtonAnswer,
    FreeText,
    OutOfRange,
    Reply,
    Resume,
    ShowAdvice,
    Unclear,
    WhyAsk,
)
from assistant.guidance import Guidance, check_facts, group_answer, next_steps, parse_fact_value


@dataclass
class Turn:
    facts: dict[str, Any]
    asked: list[str]
    messages: list[Message]
    next_fact: str | None        # a fact id or a question group id (asked_facts holds both)
    danger_now: bool = False     # this turn says someone is in danger now: 999 goes first


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


class _State:
    """The triage while one turn is applied to it."""

    def __init__(self, g: Guidance, facts: Mapping[str, Any], asked: list[str], requested: str | None):
        self.g, self.facts, self.asked, self.requested = g, dict(facts), list(asked), requested
        self.messages: list[Message] = []
        self.danger_now = False
        self.confirm: tuple[str, Any] | None = None      # (fact, value) a later message contradicts
        self.reask = False                                # ask the open question again, whatever next_steps says

    def set(self, updates: Mapping[str, Any]) -> None:
        if updates.get(DANGER_FACT) is True and self.facts.get(DANGER_FACT) is not True:
            self.danger_now = True
        self.facts.update(updates)
        self.asked += [fact for fact in updates if fact not in self.asked]

    def mark_asked(self, step: str) -> None:
        if step not in self.asked:
            self.asked.append(step)

    def take_said(self, said: Mapping[str, Any], corrected: bool) -> None:
        """Facts the message states in passing. One that contradicts an earlier answer is
        confirmed with the user rather than flipped, unless the message says it corrects it."""
        taken: dict[str, Any] = {}
        for fact, value in said.items():
            before = self.facts.get(fact)
            if before is not None and before != value and not corrected:
                if self.confirm is None:
                    self.confirm = (fact, value)
                if fact == DANGER_FACT and value is True:
                    self.danger_now = True      # 999 advice costs nothing; the "no" is still confirmed
                continue
            taken[fact] = value
        self.set(taken)
        if taken:
            self.messages.append(say.understood_message(taken, self.g))

    def finish(self) -> Turn:
        if self.confirm is not None:
            fact, value = self.confirm
            self.messages.append(say.confirm_message(self.g, fact, self.facts[fact], value))
            return Turn(self.facts, self.asked, self.messages, fact, self.danger_now)
        if self.reask and self.requested and (self.requested in self.g.facts or self.requested in self.g.groups) \
                and self.requested not in self.asked:
            next_fact: str | None = self.requested
        else:
            remaining = next_steps(self.g, self.facts, self.asked)
            next_fact = remaining[0] if remaining else None
        if next_fact:
            self.messages.append(say.step_message(self.g, next_fact, self.facts, self.asked))
        return Turn(self.facts, self.asked, self.messages, next_fact, self.danger_now)


def _button(s: _State, reply: ButtonAnswer) -> Turn:
    g, updates = s.g, {}
    for fact, raw in reply.values.items():
        if fact in g.groups and (raw is None or isinstance(raw, bool)):
            updates.update(group_answer(g, fact, s.facts, s.asked, raw))
            s.mark_asked(fact)
        elif fact in g.facts:
            try:
                updates[fact] = parse_fact_value(g, fact, raw)
            except ValueError:
                s.messages.append(Message(say.words("bad_button")))
    group = g.groups.get(s.requested or "")
    if group is not None and set(reply.values) & set(group.facts):
        s.mark_asked(group.id)    # "None of these" / "Not sure" name the listed facts
    s.set(updates)
    return s.finish()


def _answer(s: _State, reply: Answer) -> Turn:
    if reply.step in s.g.groups:
        updates = group_answer(s.g, reply.step, s.facts, s.asked, reply.value)
        updates = {f: v for f, v in updates.items() if f not in reply.extra}   # what they named speaks for itself
        s.set(updates)
        s.mark_asked(reply.step)
    else:
        s.set({reply.step: reply.value})
    s.take_said(reply.extra, corrected=reply.corrected)   # an earlier answer it contradicts is confirmed
    return s.finish()


def _out_of_range(s: _State, reply: OutOfRange) -> Turn:
    s.take_said(reply.extra, corrected=False)
    s.messages.append(say.out_of_range_message(s.g.facts[reply.step], reply.number))
    s.reask = True
    return s.finish()


def _free_text(s: _State, reply: FreeText) -> Turn:
    s.take_said(reply.facts, reply.corrected)
    return s.finish()


def _show_advice(s: _State, reply: ShowAdvice) -> Turn:
    # The professional may need the advice before every question is answered.
    s.messages.append(say.advice_now_message(len(next_steps(s.g, s.facts, s.asked))))
    return Turn(s.facts, s.asked, s.messages, None)


def _why(s: _State, reply: WhyAsk) -> Turn:
    spec = s.g.facts.get(s.requested or "") or s.g.groups.get(s.requested or "")
    s.messages.append(Message(spec.why if spec else say.words("why_general")))
    s.reask = True
    return s.finish()


def _resume(s: _State, reply: Resume) -> Turn:
    s.reask = True
    turn = s.finish()
    if turn.next_fact is None:
        turn.messages.append(Message(say.words("resume_nothing_left")))
    return turn


def _unclear(s: _State, reply: Reply) -> Turn:
    if s.requested:
        s.messages.append(Message(say.words("not_understood")))
        s.reask = True
    return s.finish()


_HANDLERS: dict[type, Callable[[_State, Any], Turn]] = {
    ButtonAnswer: _button, Answer: _answer, OutOfRange: _out_of_range, FreeText: _free_text,
    ShowAdvice: _show_advice, WhyAsk: _why, Resume: _resume, Unclear: _unclear,
}


def take_turn(g: Guidance, facts: Mapping[str, Any], asked: list[str], requested: str | None, reply: Reply) -> Turn:
    """Applies one reply to the known facts and decides what to ask next.

    Stop, restart and interruptions belong to their own Rasa rules; if one
    reaches here (NLU saw something else) it is treated as not understood, so
    nothing destructive happens on a guess.
    """
    return _HANDLERS.get(type(reply), _unclear)(_State(g, facts, asked, requested), reply)
