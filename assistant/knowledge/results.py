"""What a question gets back: AskResult and its Answers."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Answer:
    article_id: str
    title: str
    passage: str
    score: float
    sources: list[str]
    last_reviewed: str  # YYYY-MM-DD
    related_pathways: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        # The wire shape is fixed by vocabulary.md; related_pathways stays
        # on the object for the readable text.
        return {
            "article_id": self.article_id,
            "title": self.title,
            "passage": self.passage,
            "score": round(self.score, 4),
            "sources": list(self.sources),
            "last_reviewed": self.last_reviewed,
        }


@dataclass(frozen=True)
class AskResult:
    question: str
    answered: bool
    # Best first. Empty when nothing cleared the confidence threshold, so a
    # consumer that forgets to check ``answered`` still cannot show a guess.
    answers: list[Answer]
    # The best-scoring articles whether or not they cleared the threshold, for
    # authors tuning articles (``signpost ask`` shows them); never for users.
    candidates: list[Answer] = field(default_factory=list)
    # Set when the question was refused for being closer to a topic in
    # knowledge/out_of_scope.yaml than to any article (for authors).
    out_of_scope_topic: str | None = None

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "answers": [answer.to_json() for answer in self.answers],
        }
