"""KnowledgeBase: hybrid (sentence embedding + BM25) search over article passages.

A passage's score is a weighted sum of its cosine similarity to the question
(best of its own text, heading, and its article's title, summary and
title-with-tags) and a BM25 score measured against the question's ideal BM25, so that it means the
same thing for every question. An article scores as its best passage. When
the best article falls below the confidence threshold the knowledge base
says it does not know rather than guess. Acronyms and everyday words in the
question are spelled out for the model from knowledge/glossary.yaml.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from assistant import KNOWLEDGE_DIR, PROJECT_ROOT
from assistant.embedding import Embedder, MiniLMEmbedder
from assistant.knowledge.articles import Article, ArticleError, Passage, load_articles
from assistant.knowledge.cache import EmbeddingCache
from assistant.knowledge.glossary import Glossary, load_glossary
from assistant.knowledge.informal import Informal, load_informal
from assistant.knowledge.lexical import BM25Index
from assistant.knowledge.results import Answer, AskResult
from assistant.knowledge.scope import load_out_of_scope

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_CACHE_DIR = PROJECT_ROOT / ".cache" / "knowledge"
SECTION_SHARE = 0.95  # how much of the title/summary match a section inherits
LEAD_BONUS = 0.035  # head start for the lead paragraph when choosing which passage to show


class KnowledgeError(RuntimeError):
    """The knowledge base cannot answer anything (no readable article)."""

    def __init__(self, message: str, problems: list[ArticleError] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class SearchSettings:
    # Tuned on the "tune" split of tests/knowledge/eval_questions.yaml, then
    # checked on its held-out split (bench/knowledge.py prints both).
    semantic_weight: float = 0.5
    # Lexical score = BM25 over the question's ideal BM25, capped at this many
    # "ideals" and scaled to 0..1: an exact phrase can still beat a passage
    # that only has the words, yet one rare word cannot make a stray question
    # look answered.
    lexical_cap: float = 2.0
    threshold: float = 0.31
    # Refuse when the question is at least this close (minus the margin) to
    # an out-of-scope topic as to the best article (knowledge/out_of_scope.yaml).
    out_of_scope_margin: float = 0.0
    # Plain BM25 baseline for the bench: no typo repair, no phrases, no model.
    # Its threshold follows the same rule as the hybrid's: the best top-1 on
    # the tune split that still refuses every out-of-scope question there.
    lexical_only: bool = False
    lexical_threshold: float = 0.9
    # Add the meanings of glossary words (knowledge/glossary.yaml) to the
    # question the model sees. Not to BM25's: on the tune split that made
    # the ranking worse (the meanings' words outweighed the asked ones).
    expand_query: bool = True


@dataclass(frozen=True)
class Scored:
    passage: Passage
    score: float
    semantic: float
    lexical: float
    # The same score from the passage's own text only (no title/summary),
    # used to pick which passage of an article to show.
    own: float = 0.0


def embedding_units(article: Article) -> list[tuple[int | None, str]]:
    """What gets embedded for one article, each with the passage it belongs to.

    A small sentence model matches a short question best against short text,
    so besides whole passages it sees the title, the summary, the title with
    the tags, and each heading. (Single sentences were tried and matched off-topic questions
    too readily.) ``None`` marks article-wide units (title, summary),
    which count towards every passage of the article.
    """
    units: list[tuple[int | None, str]] = [(None, article.title), (None, article.summary)]
    if article.tags:
        # The tags are the words people use for the subject ("DVDS", "right
        # to know"); beside the title they read like a short question.
        units.append((None, f"{article.title}: {', '.join(article.tags)}"))
    # The questions the article answers, as people type them (front matter `examples:`):
    # a short informal question matches a short question best.
    units += [(None, example) for example in article.examples]
    for index, passage in enumerate(article.passages):
        context = f"{article.title}. {passage.heading}" if passage.heading else article.title
        units.append((index, f"{context}. {passage.index_text}"))
        if passage.heading:
            units.append((index, passage.heading))
    return units


def _lexical_text(article: Article, passage: Passage) -> str:
    # the examples count as the article's own words: "dash checklist" is how people name it
    return " ".join([article.title, " ".join(article.tags), " ".join(article.examples), passage.heading,
                     passage.index_text])


class KnowledgeBase:
    def __init__(
        self,
        articles: list[Article],
        units: list[tuple[str, int | None, str]],
        vectors: np.ndarray,
        embedder: Embedder | None,
        settings: SearchSettings,
        problems: list[ArticleError],
        topics: list[str] | None = None,
        topic_vectors: np.ndarray | None = None,
        glossary: Glossary | None = None,
        informal: Informal | None = None,
    ) -> None:
        self.glossary = glossary or Glossary()
        self.informal = informal or Informal()
        self.articles = {a.id: a for a in articles}
        self.out_of_scope_topics = list(topics or [])
        self._topic_vectors = topic_vectors
        self.passages: list[Passage] = [p for a in articles for p in a.passages]
        self.problems = problems
        self.settings = settings
        self._vectors = vectors
        self._embedder = embedder
        # For each passage, the rows of ``vectors`` that speak for it: its own
        # units, and its article's title and summary. The title and summary
        # count in full for the lead passage (usually the plain definition) and
        # slightly less for the sections, so "what is X?" shows the definition
        # unless a section matches better on its own.
        first: dict[str, int] = {}
        for index, passage in enumerate(self.passages):
            first.setdefault(passage.article_id, index)
        own: list[list[int]] = [[] for _ in self.passages]
        shared: list[list[int]] = [[] for _ in self.passages]
        body: list[list[int]] = [[] for _ in self.passages]
        for row, (article_id, local, text) in enumerate(units):
            if local is not None and text != self.passages[first[article_id] + local].heading:
                body[first[article_id] + local].append(row)
            if local is None:
                count = len(self.articles[article_id].passages)
                for index in range(first[article_id], first[article_id] + count):
                    shared[index].append(row)
            else:
                own[first[article_id] + local].append(row)
        self._own_rows = [np.asarray(r, dtype=np.int64) for r in own]
        # A bare heading ("How DASH is scored") matches any short question
        # naming the subject, so it helps find the article but not choose
        # the passage to show.
        self._body_rows = [np.asarray(r, dtype=np.int64) for r in body]
        self._shared_rows = [np.asarray(r, dtype=np.int64) for r in shared]
        self._shared_weight = np.array(
            [1.0 if p.heading == "" else SECTION_SHARE for p in self.passages], dtype=np.float32
        )
        self._bm25 = BM25Index(
            [_lexical_text(self.articles[p.article_id], p) for p in self.passages],
            fix_typos=not settings.lexical_only,
            phrases=not settings.lexical_only,
        )
        # Title and tags are in every passage's lexical text, which favours
        # the shortest section; choosing what to show also weighs the text alone.
        self._body_bm25 = BM25Index([f"{p.heading} {p.index_text}" for p in self.passages])

    @classmethod
    def load(
        cls,
        directory: Path = KNOWLEDGE_DIR,
        cache_dir: Path | None = None,
        *,
        embedder: Embedder | None = None,
        settings: SearchSettings | None = None,
    ) -> KnowledgeBase:
        """Reads the articles and embeds their passages (reusing cached vectors).

        Raises KnowledgeError only when no article at all can be read; broken
        articles are left out and listed in ``problems``.
        """
        settings = settings or SearchSettings()
        articles, problems = load_articles(Path(directory))
        for problem in problems:
            log.warning("knowledge article skipped: %s", problem)
        if not articles:
            raise KnowledgeError(f"no readable knowledge articles in {directory}", problems)
        units = [(a.id, local, text) for a in articles for local, text in embedding_units(a)]
        problems = list(problems)
        informal = _optional(load_informal, Path(directory), "informal spellings", Informal(), problems)
        if settings.lexical_only:
            return cls(articles, units, np.zeros((0, 0), dtype=np.float32), None, settings, problems)
        topics: list[str] = _optional(load_out_of_scope, Path(directory), "out-of-scope topics", [], problems)
        glossary = _optional(load_glossary, Path(directory), "glossary", Glossary(), problems)
        embedder = embedder or MiniLMEmbedder()
        cache = EmbeddingCache(
            Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR,
            embedder.fingerprint,
            scope=str(Path(directory).resolve()),
        )
        vectors = cache.embed([text for _, _, text in units] + topics, embedder)
        return cls(
            articles, units, vectors[: len(units)], embedder, settings, problems, topics, vectors[len(units):],
            glossary, informal,
        )

    def score_passages(self, question: str) -> list[Scored]:
        return self._score(question)[0]

    def _score(self, question: str) -> tuple[list[Scored], float, str | None]:
        """Every passage scored, plus the closest out-of-scope topic and its similarity."""
        s = self.settings
        question = self.informal.normalise(question)   # "wat" -> "what", before either search reads it
        nearest_topic: tuple[float, str | None] = (-1.0, None)
        cap = 1.0 if s.lexical_only else s.lexical_cap
        lexical = np.asarray(self._bm25.coverage(question, cap), dtype=np.float32)
        if s.lexical_only or self._embedder is None:
            combined, semantic, own = lexical, np.zeros_like(lexical), lexical
        else:
            query = self._embedder.encode([self.glossary.expand(question) if s.expand_query else question])[0]
            similarity = self._vectors @ query
            if self.out_of_scope_topics and self._topic_vectors is not None:
                topic_similarity = self._topic_vectors @ query
                best_topic = int(topic_similarity.argmax())
                nearest_topic = (float(topic_similarity[best_topic]), self.out_of_scope_topics[best_topic])
            own_best = _best_similarity(similarity, self._own_rows)
            shared_best = _best_similarity(similarity, self._shared_rows)
            semantic = np.maximum(own_best, self._shared_weight * shared_best).astype(np.float32)
            combined = _blend(s.semantic_weight, semantic, lexical)
            own_semantic = _best_similarity(similarity, self._body_rows).astype(np.float32)
            body_lexical = np.asarray(self._body_bm25.coverage(question, s.lexical_cap), dtype=np.float32)
            own = _blend(s.semantic_weight, own_semantic, (lexical + body_lexical) / 2)
        scored = [
            Scored(p, float(c), float(se), float(le), float(o))
            for p, c, se, le, o in zip(self.passages, combined, semantic, lexical, own, strict=True)
        ]
        return scored, nearest_topic[0], nearest_topic[1]

    def ask(self, question: str, top_k: int = 3) -> AskResult:
        question = (question or "").strip()
        if not question:
            return AskResult(question, False, [], [])
        # An article scores as its best passage; the passage shown is chosen
        # with a head start for the lead paragraph, the article's plain answer.
        best: dict[str, Scored] = {}
        shown: dict[str, Scored] = {}
        closest: dict[str, float] = {}  # each article's best semantic similarity
        all_scored, topic_similarity, topic = self._score(question)
        for scored in all_scored:
            article_id = scored.passage.article_id
            closest[article_id] = max(closest.get(article_id, -1.0), scored.semantic)
            if article_id not in best or scored.score > best[article_id].score:
                best[article_id] = scored
            if article_id not in shown or _display_score(scored) > _display_score(shown[article_id]):
                shown[article_id] = scored
        ranked = sorted(best.values(), key=lambda s: s.score, reverse=True)[: max(top_k, 1)]
        candidates = [self._answer(shown[s.passage.article_id], s.score) for s in ranked]
        threshold = self.settings.lexical_threshold if self.settings.lexical_only else self.settings.threshold
        confident = [a for a in candidates if a.score >= threshold]
        answered = bool(confident) and candidates[0].score >= threshold
        off_topic = None
        if answered and topic is not None:
            if topic_similarity >= closest[candidates[0].article_id] + self.settings.out_of_scope_margin:
                answered, off_topic = False, topic
        return AskResult(question, answered, confident if answered else [], candidates, off_topic)

    def _answer(self, scored: Scored, score: float) -> Answer:
        article = self.articles[scored.passage.article_id]
        return Answer(
            article_id=article.id,
            title=article.title,
            passage=scored.passage.text,
            score=score,
            sources=list(article.sources),
            last_reviewed=article.last_reviewed.isoformat(),
            related_pathways=list(article.pathways),
        )


def _best_similarity(similarity: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """For each passage, the best similarity among the rows that speak for it (-1 when none do)."""
    return np.array([similarity[rows].max(initial=-1.0) for rows in groups])


def _blend(semantic_weight: float, semantic: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """The hybrid score: the semantic and lexical evidence, weighted as SearchSettings says."""
    return semantic_weight * semantic + (1 - semantic_weight) * lexical


def _optional(load: Callable[[Path], T], directory: Path, what: str, empty: T, problems: list[ArticleError]) -> T:
    """One of the knowledge folder's optional lists, or ``empty`` when it is broken: a broken
    list must not stop the answers, so it is logged and added to ``problems`` instead."""
    try:
        return load(directory)
    except ArticleError as exc:
        log.warning("%s skipped: %s", what, exc)
        problems.append(exc)
        return empty


def _display_score(scored: Scored) -> float:
    return scored.own + (LEAD_BONUS if scored.passage.heading == "" else 0.0)
