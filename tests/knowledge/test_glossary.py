"""Glossary: acronyms and everyday words expand the question before searching."""
from __future__ import annotations

from pathlib import Path

from assistant import KNOWLEDGE_DIR
from assistant.knowledge import KnowledgeBase
from assistant.knowledge.glossary import Glossary, load_glossary


def test_a_known_word_adds_its_meaning_once_whatever_its_case():
    glossary = Glossary({"HBV": "honour-based violence", "kids": "children"})
    assert glossary.expand("what does hbv mean, HBV?") == "what does hbv mean, HBV? (honour-based violence)"
    assert glossary.expand("are the kids' needs separate") == "are the kids' needs separate (children)"


def test_a_question_without_glossary_words_is_left_alone():
    assert Glossary({"HBV": "honour-based violence"}).expand("what is MARAC?") == "what is MARAC?"


def test_only_whole_words_count():
    assert Glossary({"DA": "domestic abuse"}).expand("daily data") == "daily data"


def test_the_shipped_glossary_loads_and_knows_the_acronyms():
    glossary = load_glossary(KNOWLEDGE_DIR)
    for term in ("MARAC", "IDVA", "MASH", "DVDS", "HBV", "FMU", "s42"):
        assert glossary.meanings(term), term


def test_no_glossary_file_means_no_expansion(tmp_path: Path):
    assert load_glossary(tmp_path).terms == {}


def test_a_broken_glossary_is_reported_but_the_articles_still_answer(small_kb_dir, tmp_path, embedder):
    (small_kb_dir / "glossary.yaml").write_text("terms: [not, a, mapping]\n", encoding="utf-8")
    kb = KnowledgeBase.load(small_kb_dir, tmp_path, embedder=embedder)
    assert any("glossary.yaml" in str(p) for p in kb.problems)
    assert kb.ask("what is MARAC?").answers[0].article_id == "marac"


def test_the_glossary_meaning_reaches_the_model(small_kb_dir, tmp_path, counting):
    (small_kb_dir / "glossary.yaml").write_text("terms:\n  DVDS: Clare's Law\n", encoding="utf-8")
    kb = KnowledgeBase.load(small_kb_dir, tmp_path, embedder=counting)
    kb.ask("what is DVDS")
    assert counting.encoded[-1] == "what is DVDS (Clare's Law)"


def test_validate_reports_a_broken_glossary(small_kb_dir):
    from assistant.knowledge.validate import validate_knowledge

    (small_kb_dir / "glossary.yaml").write_text("terms:\n  HBV: \n", encoding="utf-8")
    problems = validate_knowledge(small_kb_dir)
    assert [p.severity for p in problems if "glossary.yaml" in p.file] == ["error"]
