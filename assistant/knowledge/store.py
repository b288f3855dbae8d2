"""The process-wide knowledge base, reloaded when an author edits an article.

An edit re-embeds only the passages that changed (see cache.py), so the bot
picks up corrected wording on the next question without a restart. Reloading
follows the one policy of assistant/reloading.py: an edit that leaves no
readable article is refused and the last good knowledge base keeps answering
(also after a restart, from the copy kept on disk); a broken article is left
out and reported with file:line, like every refused edit.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from assistant import KNOWLEDGE_DIR
from assistant.knowledge.articles import ArticleError
from assistant.knowledge.search import KnowledgeBase, KnowledgeError
from assistant.reloading import Refusal, Reloading

log = logging.getLogger(__name__)


def _knowledge_files(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in (".md", ".yaml", ".yml"))
    except OSError:
        return []


def _refusal(problem: object) -> Refusal:
    if isinstance(problem, ArticleError):
        return Refusal(str(problem.path.name), problem.line, problem.message)
    return Refusal("knowledge", 0, str(problem))


class KnowledgeStore:
    def __init__(self, directory: Path = KNOWLEDGE_DIR, cache_dir: Path | None = None) -> None:
        self.directory = Path(directory)
        self.cache_dir = cache_dir
        self._reloading: Reloading[KnowledgeBase] = Reloading(
            "knowledge",
            self.directory,
            _knowledge_files,
            lambda root: KnowledgeBase.load(root, self.cache_dir),
            version=lambda kb: kb_version(kb),
            refuse_on=(KnowledgeError,),
            describe=lambda exc: [_refusal(p) for p in getattr(exc, "problems", [])]
            or [Refusal(str(self.directory), 0, str(exc))],
            warnings=lambda kb: [_refusal(p) for p in kb.problems],
        )

    def get(self) -> KnowledgeBase:
        """The current knowledge base; raises KnowledgeError only if none was ever loaded."""
        return self._reloading.get()


def kb_version(kb: KnowledgeBase) -> str:
    """A short name for what the knowledge base holds: its articles and their dates."""
    digest = hashlib.sha256()
    for article in kb.articles.values():
        digest.update(f"{article.id}\0{article.last_reviewed}\0{article.body}\0".encode())
    return f"{len(kb.articles)} articles+{digest.hexdigest()[:10]}"


_default = KnowledgeStore()


def default_knowledge_base() -> KnowledgeBase:
    """The process-wide knowledge base over knowledge/ (loaded on first use)."""
    return _default.get()
