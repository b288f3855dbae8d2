"""Typed-reply accuracy on the hand-written corpus (tests/conversation/typed_replies_*.yaml).

A reply is right when it is read as the value or behaviour the corpus says.
The three safety counts are kept apart: a false restart or stop would lose or
end a case on a guess, a false danger alarm cries 999 at a word that answered
another question.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant import PROJECT_ROOT
from assistant.conversation.replies import (
    Answer,
    FreeText,
    Interrupt,
    OutOfRange,
    Reply,
    Restart,
    RestartConfirmed,
    Resume,
    ShowAdvice,
    Stop,
    Unclear,
    WhyAsk,
    read_reply,
)
from assistant.conversation.turn import take_turn
from assistant.guidance import Guidance, load_guidance

CORPUS_DIR = PROJECT_ROOT / "tests" / "conversation"
TUNE = CORPUS_DIR / "typed_replies_tune.yaml"
HELDOUT = CORPUS_DIR / "typed_replies_heldout.yaml"
_KINDS: dict[str, type | tuple[type, ...]] = {
    "continue": Resume, "stop": Stop, "restart": (Restart, RestartConfirmed), "show_advice": ShowAdvice,
    "why": WhyAsk, "unclear": Unclear, "out_of_range": OutOfRange,
}


def load_cases(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or []


def _stated(reply: Reply) -> dict[str, Any]:
    if isinstance(reply, Answer):
        return {**reply.extra, reply.step: reply.value}
    if isinstance(reply, FreeText):
        return dict(reply.facts)
    return dict(getattr(reply, "extra", {}) or {})


def is_right(reply: Reply, expect: Any) -> bool:
    if isinstance(expect, str):
        if expect in ("question", "interrupt"):
            return isinstance(reply, Interrupt)
        return isinstance(reply, _KINDS[expect])
    stated = _stated(reply)
    if "answer" in expect and not (isinstance(reply, Answer) and reply.value == expect["answer"]
                                   and type(reply.value) is type(expect["answer"])):
        return False
    return all(fact in stated and stated[fact] == value for fact, value in (expect.get("facts") or {}).items())


def raises_alarm(g: Guidance, case: dict[str, Any], reply: Reply) -> bool:
    """Would this reply give the 999 advice? (as the form would apply it)"""
    if isinstance(reply, Interrupt):
        return reply.intent == "report_danger"
    step = case.get("step")
    facts = {"immediate_danger": False} if step != "immediate_danger" else {}
    asked = ["immediate_danger"] if step != "immediate_danger" else []
    return take_turn(g, facts, asked, step, reply).danger_now


def score(cases: list[dict[str, Any]], g: Guidance | None = None) -> dict[str, Any]:
    g = g or load_guidance()
    right = false_restarts = false_stops = false_alarms = 0
    wrong: list[str] = []
    for case in cases:
        reply = read_reply(g, case.get("step"), case.get("intent", "inform"), case["text"])
        expect = case["expect"]
        if is_right(reply, expect):
            right += 1
        else:
            wrong.append(f"{case.get('step')}: {case['text']!r} -> {reply}")
        if isinstance(reply, (Restart, RestartConfirmed)) and expect != "restart":
            false_restarts += 1
        if isinstance(reply, Stop) and expect != "stop":
            false_stops += 1
        wants_danger = isinstance(expect, dict) and (
            (case.get("step") == "immediate_danger" and expect.get("answer") is True)
            or (expect.get("facts") or {}).get("immediate_danger") is True)
        if raises_alarm(g, case, reply) and not wants_danger:
            false_alarms += 1
    return {"cases": len(cases), "accuracy": right / len(cases) if cases else 1.0, "right": right,
            "false_restarts": false_restarts, "false_stops": false_stops, "false_alarms": false_alarms,
            "wrong": wrong}
