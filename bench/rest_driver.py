"""Drives whole triage conversations over the REST channel (the e2e tests and the bench).

In bench/ rather than tests/ so the bench never imports the tests.

Used by the end-to-end tests and by bench.conversation: answer each question
the bot asks, by button payload or by typed text, until the recommendation
card arrives.

A group question ("Has any of these happened?") lists several facts. Its step
id is the group's (the "Yes, one or more" payload names it), its facts are
those the "None of these" payload sets. The answer given follows the
scenario's answers: "Yes, one or more" when any listed fact is yes (or is to be
typed, so it is then asked on its own), "None of these" when every listed fact
is no, else "Not sure".
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


def _payloads(replies: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(title, payload facts) of the /inform buttons of the last question in ``replies``."""
    for reply in reversed(replies):
        found = [(b.get("title", ""), json.loads(m.group(1))) for b in reply.get("buttons") or []
                 if (m := _INFORM.match(b.get("payload", "")))]
        if found:
            return found
    return []


def asked_step(replies: list[dict[str, Any]]) -> str | None:
    """The fact or group id the last question in ``replies`` asks about."""
    buttons = _payloads(replies)
    return next(iter(buttons[0][1])) if buttons else None


def group_facts(replies: list[dict[str, Any]]) -> list[str]:
    """The facts a group question lists (empty for a single-fact question)."""
    for _, data in _payloads(replies):
        if len(data) > 1 and all(v is False for v in data.values()):
            return list(data)
    return []


def say(send: Send, conv: Conversation, message: str) -> list[dict[str, Any]]:
    replies = send(conv.sender, message)
    conv.transcript.append((message, replies))
    step = asked_step(replies)
    if step:
        conv.asked.append(step)
    return replies


def group_reply(step: str, listed: list[str], answers: dict[str, Any], typed: dict[str, str],
                unknown_is_no: bool = False) -> str:
    if any(answers.get(f) is True or f in typed for f in listed):
        return "/inform" + json.dumps({step: True})
    if all(answers.get(f, False if unknown_is_no else None) is False for f in listed):
        return "/inform" + json.dumps({f: False for f in listed})
    return "/inform" + json.dumps({f: None for f in listed})


def answer_until_recommendation(send: Send, conv: Conversation, answers: dict[str, Any] | None = None,
                                typed: dict[str, str] | None = None, max_turns: int = 45,
                                unknown_is_no: bool = False) -> Conversation:
    """Answers every question: typed text when given, else buttons from ``answers``
    (absent facts get "Not sure", or "No" where offered when ``unknown_is_no``);
    group questions as the module says."""
    answers, typed = answers or {}, typed or {}
    for _ in range(max_turns):
        last = conv.transcript[-1][1] if conv.transcript else []
        step = asked_step(last)
        if conv.recommendation is not None and not step:
            return conv
        if step is None:
            raise AssertionError(f"no question and no recommendation; last replies: {last}")
        listed = group_facts(last)
        if listed:
            say(send, conv, group_reply(step, listed, answers, typed, unknown_is_no))
        elif step in typed:
            say(send, conv, typed[step])
        else:
            offers_no = any(list(data) == [step] and data[step] is False for _, data in _payloads(last))
            fallback = False if unknown_is_no and offers_no else None
            say(send, conv, "/inform" + json.dumps({step: answers.get(step, fallback)}))
    raise AssertionError(f"no recommendation after {max_turns} turns; asked {conv.asked}")


def triage(send: Send, sender: str, opening: str, answers: dict[str, Any] | None = None,
           typed: dict[str, str] | None = None, unknown_is_no: bool = False) -> Conversation:
    conv = Conversation(sender)
    say(send, conv, opening)
    return answer_until_recommendation(send, conv, answers, typed, unknown_is_no=unknown_is_no)
