"""Drives whole triage conversations over the REST channel.

Used by the end-to-end tests and by bench.conversation: answer each question
the bot asks, by button payload or by typed text, until the recommendation
card arrives.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

Send = Callable[[str, str], list[dict[str, Any]]]
_INFORM = re.compile(r"^/inform(\{.*\})$")


@dataclass
class Conversation:
    sender: str
    transcript: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    @property
    def replies(self) -> list[dict[str, Any]]:
        return [r for _, replies in self.transcript for r in replies]

    @property
    def recommendation(self) -> dict[str, Any] | None:
        cards = [r["custom"]["recommendation"] for r in self.replies
                 if isinstance(r.get("custom"), dict) and "recommendation" in r["custom"]]
        return cards[-1] if cards else None

    @property
    def pathway_ids(self) -> list[str]:
        rec = self.recommendation
        return [p["id"] for p in rec["pathways"]] if rec else []

    def texts(self) -> str:
        return "\n".join(r.get("text", "") for r in self.replies)


def asked_fact(replies: list[dict[str, Any]]) -> str | None:
    """The fact the last question in ``replies`` asks about, read from its buttons."""
    for reply in reversed(replies):
        for button in reply.get("buttons") or []:
            match = _INFORM.match(button.get("payload", ""))
            if match:
                return next(iter(json.loads(match.group(1))))
    return None


def say(send: Send, conv: Conversation, message: str) -> list[dict[str, Any]]:
    replies = send(conv.sender, message)
    conv.transcript.append((message, replies))
    fact = asked_fact(replies)
    if fact:
        conv.asked.append(fact)
    return replies


def answer_until_recommendation(
    send: Send,
    conv: Conversation,
    answers: dict[str, Any] | None = None,
    typed: dict[str, str] | None = None,
    max_turns: int = 45,
) -> Conversation:
    """Answers every question: typed text when given, else the button for the
    answer in ``answers`` (absent facts get "Not sure")."""
    answers, typed = answers or {}, typed or {}
    for _ in range(max_turns):
        if conv.recommendation is not None and not asked_fact(conv.transcript[-1][1]):
            return conv
        fact = asked_fact(conv.transcript[-1][1]) if conv.transcript else None
        if fact is None:
            raise AssertionError(f"no question and no recommendation; last replies: {conv.transcript[-1][1]}")
        if fact in typed:
            say(send, conv, typed[fact])
        else:
            say(send, conv, "/inform" + json.dumps({fact: answers.get(fact)}))
    raise AssertionError(f"no recommendation after {max_turns} turns; asked {conv.asked}")


def triage(send: Send, sender: str, opening: str, answers: dict[str, Any] | None = None,
           typed: dict[str, str] | None = None) -> Conversation:
    conv = Conversation(sender)
    say(send, conv, opening)
    return answer_until_recommendation(send, conv, answers, typed)
