"""What the bot says."""
from __future__ import annotations

from assistant.knowledge import DONT_KNOW, AskResult, render_answer_text


def test_an_answer_names_passage_title_source_date_and_offers_the_pathway(kb):
    result = kb.ask("what is MARAC?")
    best = result.answers[0]
    text = render_answer_text(result)
    assert best.passage in text
    assert best.title in text
    assert best.sources[0] in text
    assert "reviewed 20 November 2026" in text
    assert "MARAC referral" in text  # the related pathway is offered
    assert "safeguarding lead" in text


def test_not_answered_says_i_dont_know_and_who_to_ask(kb):
    text = render_answer_text(kb.ask("book me an appointment"))
    assert text == DONT_KNOW
    assert "don't know" in text and "safeguarding lead" in text and "999" in text


def test_an_empty_result_never_renders_a_guess():
    assert render_answer_text(AskResult("x", True, [], [])) == DONT_KNOW
