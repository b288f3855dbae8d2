"""Out-of-scope topics (knowledge/out_of_scope.yaml).

Short admin questions ("cancel an appointment", "who is on call today")
share words with the articles, and a small sentence model rates short texts
as fairly similar whatever they say. Comparing a question with a few named
topics the bot does not cover catches them without raising the threshold
for genuine questions.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from assistant.knowledge.articles import ArticleError

OUT_OF_SCOPE_FILE = "out_of_scope.yaml"


def load_out_of_scope(directory: Path) -> list[str]:
    """The topics listed in ``directory/out_of_scope.yaml``; none if the file is absent."""
    path = Path(directory) / OUT_OF_SCOPE_FILE
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ArticleError(path, mark.line + 1 if mark else 1, "not valid YAML") from None
    topics = data.get("topics") if isinstance(data, dict) else None
    if not isinstance(topics, list) or not all(isinstance(t, str) and t.strip() for t in topics):
        raise ArticleError(path, 1, "expected 'topics:' followed by a list of short descriptions")
    return [t.strip() for t in topics]
