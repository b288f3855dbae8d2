"""Answers professionals' questions from the articles in knowledge/.

Pure Python (no Rasa): the Rasa action in assistant/actions/answer_question.py
is a thin adapter over ``KnowledgeBase.ask`` and ``render_answer_text``.
"""
from assistant import KNOWLEDGE_DIR
from assistant.knowledge.articles import Article, ArticleError, Passage
from assistant.knowledge.render import DONT_KNOW, render_answer_text
from assistant.knowledge.results import Answer, AskResult
from assistant.knowledge.search import (
    DEFAULT_CACHE_DIR,
    KnowledgeBase,
    KnowledgeError,
    SearchSettings,
)
from assistant.knowledge.store import KnowledgeStore, default_knowledge_base

__all__ = [
    "KNOWLEDGE_DIR",
    "DEFAULT_CACHE_DIR",
    "Answer",
    "Article",
    "ArticleError",
    "AskResult",
    "DONT_KNOW",
    "KnowledgeBase",
    "KnowledgeError",
    "KnowledgeStore",
    "Passage",
    "SearchSettings",
    "default_knowledge_base",
    "render_answer_text",
]
