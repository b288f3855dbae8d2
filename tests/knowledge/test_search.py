"""Hybrid search: right article, acronyms win, refusal below the threshold."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from assistant.knowledge import KnowledgeBase, SearchSettings

EVAL = yaml.safe_load((Path(__file__).parent / "eval_questions.yaml").read_text(encoding="utf-8"))["questions"]


@pytest.mark.parametrize("question, article", [
    ("what is MARAC?", "marac"),
    ("is SWACA the same as the IDVA?", "swaca"),
    ("can I tell the police if she says no?", "sharing-without-consent"),
    ("what is the MASH", "childrens-social-care-mash"),
    ("what is DVDS", "clares-law"),
    ("s42 care act", "adult-safeguarding"),
    ("how do i make a marac referal", "marac"),
])
def test_answers_from_the_right_article(kb, question, article):
    result = kb.ask(question)
    assert result.answered
    assert result.answers[0].article_id == article


@pytest.mark.parametrize("question", [
    "what's the weather", "book me an appointment", "how do I renew a repeat prescription",
    "tell me a joke", "", "   ",
])
def test_out_of_scope_questions_get_i_dont_know(kb, question):
    result = kb.ask(question)
    assert not result.answered
    assert result.answers == []  # nothing to show by mistake
    assert result.to_json()["answers"] == []


def test_an_answer_is_shaped_as_vocabulary_md_says(kb):
    data = kb.ask("what is MARAC?").to_json()
    assert set(data) == {"question", "answered", "answers"}
    assert data["question"] == "what is MARAC?" and data["answered"] is True
    answer = data["answers"][0]
    assert set(answer) == {"article_id", "title", "passage", "score", "sources", "last_reviewed"}
    assert isinstance(answer["score"], float) and answer["sources"]
    assert len(answer["last_reviewed"]) == 10
    scores = [a["score"] for a in data["answers"]]
    assert scores == sorted(scores, reverse=True)


def test_top_k_limits_the_answers_to_distinct_articles(kb):
    result = kb.ask("what is MARAC?", top_k=2)
    ids = [a.article_id for a in result.answers]
    assert len(ids) <= 2 and len(set(ids)) == len(ids)


@pytest.mark.parametrize("question, start", [
    ("what is MARAC?", "MARAC stands for Multi-Agency Risk Assessment Conference"),
    ("what is DVDS", "Clare's Law is the Domestic Violence Disclosure Scheme"),
])
def test_definitions_show_the_lead_paragraph(kb, question, start):
    assert kb.ask(question).answers[0].passage.startswith(start)


def test_a_specific_question_shows_the_section_that_answers_it(kb):
    answer = kb.ask("how do I contact swaca").answers[0]
    assert "0151 922 8606" in answer.passage


def test_the_threshold_decides_between_answer_and_refusal(kb):
    best = kb.ask("what is MARAC?").answers[0].score
    at_score = dataclasses.replace(kb.settings, threshold=best)
    above = dataclasses.replace(kb.settings, threshold=best + 0.001)
    assert _with(kb, at_score).ask("what is MARAC?").answered
    refused = _with(kb, above).ask("what is MARAC?")
    assert not refused.answered and refused.answers == []
    assert refused.candidates[0].article_id == "marac"  # authors still see the near miss


def test_exact_acronyms_win_through_the_lexical_score(kb):
    scored = {s.passage.article_id: s for s in kb.score_passages("DVDS")}
    assert scored["clares-law"].lexical > 0
    assert max(s.lexical for s in kb.score_passages("DVDS")) == max(
        s.lexical for s in kb.score_passages("DVDS") if s.passage.article_id == "clares-law")


def test_evaluation_set_floors(kb):
    """Done-when of issue 4 (top-1 >= 0.85, now 0.865) and no out-of-scope question answered.

    Measured on issue 4's own set (tune + heldout). The heldout2 split is only
    ever reported by bench/knowledge.py, so that no test makes it a target.
    """
    issue4 = [q for q in EVAL if q.get("split", "tune") in ("tune", "heldout")]
    in_scope = [q for q in issue4 if q["expect"]]
    out = [q for q in issue4 if not q["expect"]]
    assert len(in_scope) + len(out) >= 80 and len(out) >= 15
    right = sum(1 for q in in_scope if (r := kb.ask(q["q"])).answers and r.answers[0].article_id == q["expect"])
    answered_oos = [q["q"] for q in out if kb.ask(q["q"]).answered]
    assert answered_oos == []
    assert right / len(in_scope) >= 0.865  # raised from 0.85 (issue 4) after the glossary round


def test_plain_bm25_baseline_runs_without_the_model(tmp_path):
    from assistant import KNOWLEDGE_DIR

    baseline = KnowledgeBase.load(KNOWLEDGE_DIR, tmp_path, settings=SearchSettings(lexical_only=True))
    # Plain BM25 finds the exact term, though not always the best article
    # (bench/knowledge.py compares the two).
    assert "clares-law" in [a.article_id for a in baseline.ask("DVDS").candidates]
    assert not list(tmp_path.iterdir())  # nothing embedded, nothing cached


def _with(kb: KnowledgeBase, settings: SearchSettings) -> KnowledgeBase:
    clone = object.__new__(KnowledgeBase)
    clone.__dict__.update(kb.__dict__)
    clone.settings = settings
    return clone


def test_a_question_nearer_an_out_of_scope_topic_is_refused_whatever_its_score(kb):
    lenient = _with(kb, dataclasses.replace(kb.settings, threshold=0.0))
    refused = lenient.ask("cancel an appointment")
    assert not refused.answered and refused.answers == []
    assert "appointment" in refused.out_of_scope_topic
    # ...while a real question still gets its answer under the same settings.
    assert lenient.ask("what is MARAC?").answers[0].article_id == "marac"


def test_without_out_of_scope_topics_only_the_threshold_refuses(small_kb_dir, tmp_path, embedder):
    no_topics = KnowledgeBase.load(small_kb_dir, tmp_path, embedder=embedder)
    assert no_topics.out_of_scope_topics == []
    lenient = _with(no_topics, dataclasses.replace(no_topics.settings, threshold=0.0))
    assert lenient.ask("cancel an appointment").answered
