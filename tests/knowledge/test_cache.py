"""The passage index is cached on disk and an edit re-embeds only what changed."""
from __future__ import annotations

from pathlib import Path

from assistant.knowledge import KnowledgeBase
from assistant.knowledge.articles import parse_article
from assistant.knowledge.search import embedding_units


def units_of(path: Path) -> set[str]:
    return {text for _, text in embedding_units(parse_article(path))}


def test_first_load_embeds_everything_and_writes_the_cache(small_kb_dir, tmp_path, counting):
    cache = tmp_path / "cache"
    kb = KnowledgeBase.load(small_kb_dir, cache, embedder=counting)
    expected = set().union(*(units_of(p) for p in small_kb_dir.glob("*.md")))
    assert set(counting.encoded) == expected
    assert list(cache.glob("*.npz"))
    assert kb.ask("what is MARAC?").answers[0].article_id == "marac"


def test_second_load_reuses_the_cache_without_encoding(small_kb_dir, tmp_path, counting):
    cache = tmp_path / "cache"
    first = KnowledgeBase.load(small_kb_dir, cache, embedder=counting)
    counting.encoded.clear()
    second = KnowledgeBase.load(small_kb_dir, cache, embedder=counting)
    assert counting.encoded == []
    question = "what is DVDS?"
    assert first.ask(question).to_json() == second.ask(question).to_json()


def test_an_edited_article_re_embeds_only_its_changed_passages(small_kb_dir, tmp_path, counting):
    cache = tmp_path / "cache"
    KnowledgeBase.load(small_kb_dir, cache, embedder=counting)
    path = small_kb_dir / "clares-law.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("It can take some weeks", "It can take several weeks"), encoding="utf-8")
    counting.encoded.clear()
    kb = KnowledgeBase.load(small_kb_dir, cache, embedder=counting)
    assert len(counting.encoded) == 1
    assert "several weeks" in counting.encoded[0]
    assert counting.encoded[0] in units_of(path)
    answer = kb.ask("how long does a Clare's Law application take").answers[0]
    assert answer.article_id == "clares-law"


def test_a_corrupt_cache_is_rebuilt_not_fatal(small_kb_dir, tmp_path, counting):
    cache = tmp_path / "cache"
    KnowledgeBase.load(small_kb_dir, cache, embedder=counting)
    for file in cache.glob("*.npz"):
        file.write_bytes(b"not a numpy file")
    counting.encoded.clear()
    kb = KnowledgeBase.load(small_kb_dir, cache, embedder=counting)
    assert counting.encoded  # rebuilt
    assert kb.ask("what is MARAC?").answered


def test_a_different_model_never_reuses_the_cache(small_kb_dir, tmp_path, counting):
    cache = tmp_path / "cache"
    KnowledgeBase.load(small_kb_dir, cache, embedder=counting)
    counting.encoded.clear()
    counting.fingerprint = "another-model"
    KnowledgeBase.load(small_kb_dir, cache, embedder=counting)
    assert counting.encoded


def test_two_folders_sharing_a_cache_do_not_evict_each_other(small_kb_dir, tmp_path, counting):
    cache = tmp_path / "cache"
    other = tmp_path / "other"
    other.mkdir()
    (other / "marac.md").write_bytes((small_kb_dir / "marac.md").read_bytes())
    KnowledgeBase.load(small_kb_dir, cache, embedder=counting)
    KnowledgeBase.load(other, cache, embedder=counting)
    counting.encoded.clear()
    KnowledgeBase.load(small_kb_dir, cache, embedder=counting)
    assert counting.encoded == []
