"""Out-of-scope topics (knowledge/out_of_scope.yaml).

Short admin questions ("cancel an appointment", "who is on call today")
share words with the articles, and a small sentence model rates short texts
as fairly similar whatever they say. Comparing a question with a few named
topics the bot does not cover catches them without raising the threshold
for genuine questions.
"""
from __future__ import annotations

from pathlib import Path

from assistant.knowledge.articles import ArticleError, read_yaml_file

OUT_OF_SCOPE_FILE = "out_of_scope.yaml"


def load_out_of_scope(directory: Path) -> list[str]:
    """The topics listed in ``directory/out_of_scope.yaml``; none if the file is absent."""
    path = Path(directory) / OUT_OF_SCOPE_FILE
    if not path.exists():
        return []
    data = read_yaml_file(path)
    topics = data.get("topics") if isinstance(data, dict) else None
    if not isinstance(topics, list) or not all(isinstance(t, str) and t.strip() for t in topics):
        raise ArticleError(path, 1, "expected 'topics:' followed by a list of short descriptions")
    return [t.strip() for t in topics]
