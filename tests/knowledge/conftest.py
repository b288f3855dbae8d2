"""Knowledge tests share one knowledge base (and so one model load) per session."""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant import KNOWLEDGE_DIR  # noqa: E402
from assistant.embedding import Embedder, MiniLMEmbedder  # noqa: E402
from assistant.knowledge import KnowledgeBase  # noqa: E402
from tests.support.embedding_cache import CachedEmbedder  # noqa: E402


class CountingEmbedder:
    """The real model, recording every text it is asked to encode."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.fingerprint = inner.fingerprint
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded.extend(texts)
        return self._inner.encode(texts)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    # The real model; vectors it has computed before (same model, same code, same
    # text) are read back from .cache/test-embeddings instead of recomputed.
    return CachedEmbedder(MiniLMEmbedder())


@pytest.fixture(scope="session")
def kb(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> KnowledgeBase:
    # A cache of its own, so the test never depends on (or disturbs) the
    # developer's .cache/knowledge.
    return KnowledgeBase.load(KNOWLEDGE_DIR, tmp_path_factory.mktemp("kb-cache"), embedder=embedder)


@pytest.fixture
def counting(embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


SMALL_ARTICLES = {
    "marac": ("What MARAC is", "MARAC is a meeting about people at high risk of serious harm.",
              "MARAC stands for Multi-Agency Risk Assessment Conference.",
              "## How to refer\n\nUse the local referral form."),
    "clares-law": ("Clare's Law (DVDS)", "Ask the police about a partner's history of abuse.",
                   "Clare's Law is the Domestic Violence Disclosure Scheme.",
                   "## How long it takes\n\nIt can take some weeks to hear back from the police."),
}


@pytest.fixture
def small_kb_dir(tmp_path: Path) -> Path:
    """Two tiny articles to edit freely (small, so embedding them is quick)."""
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for article_id, (title, summary, lead, section) in SMALL_ARTICLES.items():
        (folder / f"{article_id}.md").write_text(
            f"---\nid: {article_id}\ntitle: \"{title}\"\nsummary: \"{summary}\"\ntags: [test]\n"
            f"sources: [test]\nlast_reviewed: 2026-11-01\npathways: [marac]\n---\n{lead}\n\n{section}\n",
            encoding="utf-8",
        )
    return folder
