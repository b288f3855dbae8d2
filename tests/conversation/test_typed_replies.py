"""The typed-reply corpus: the tune half with a high floor, the held-out half (never tuned on) with an honest one."""
from __future__ import annotations

from assistant.conversation.evaluate import HELDOUT, TUNE, load_cases, score


def test_the_corpus_covers_every_question_group_and_meta_reply():
    from assistant.guidance import load_guidance
    g = load_guidance()
    cases = load_cases(TUNE) + load_cases(HELDOUT)
    assert len(cases) >= 150
    steps = {c.get("step") for c in cases}
    assert set(g.groups) <= steps
    kinds = {c["expect"] for c in cases if isinstance(c["expect"], str)}
    assert {"continue", "stop", "restart", "show_advice", "why"} <= kinds


def test_tune_half():
    result = score(load_cases(TUNE))
    assert result["accuracy"] >= 0.97, result["wrong"]
    assert (result["false_restarts"], result["false_stops"], result["false_alarms"]) == (0, 0, 0)


def test_held_out_half():
    result = score(load_cases(HELDOUT))
    assert result["accuracy"] >= 0.90, result["wrong"]
    assert (result["false_restarts"], result["false_stops"]) == (0, 0)
    assert result["false_alarms"] <= 1      # measured 1 ("person causing the harm" without "the"); see bench
