"""The process-wide knowledge base, reloaded when an author edits an article.

An edit re-embeds only the passages that changed (see cache.py), so the bot
picks up corrected wording on the next question without a restart. If the
folder becomes unreadable the last good knowledge base keeps answering.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from assistant import KNOWLEDGE_DIR
from assistant.knowledge.articles import article_paths
from assistant.knowledge.search import KnowledgeBase, KnowledgeError

log = logging.getLogger(__name__)


def _signature(directory: Path) -> tuple:
    try:
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in article_paths(directory))
    except OSError:
        return ()


class KnowledgeStore:
    def __init__(self, directory: Path = KNOWLEDGE_DIR, cache_dir: Path | None = None) -> None:
        self.directory = Path(directory)
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._kb: KnowledgeBase | None = None
        self._signature: tuple | None = None

    def get(self) -> KnowledgeBase:
        """The current knowledge base; raises KnowledgeError only if none was ever loaded."""
        signature = _signature(self.directory)
        with self._lock:
            if self._kb is None or signature != self._signature:
                try:
                    self._kb = KnowledgeBase.load(self.directory, self.cache_dir)
                    self._signature = signature
                except KnowledgeError:
                    if self._kb is None:
                        raise
                    log.warning("knowledge folder unreadable; still answering from the last good articles")
            return self._kb


_default = KnowledgeStore()


def default_knowledge_base() -> KnowledgeBase:
    """The process-wide knowledge base over knowledge/ (loaded on first use)."""
    return _default.get()
