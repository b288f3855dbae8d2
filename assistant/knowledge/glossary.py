"""Query expansion from knowledge/glossary.yaml (acronyms and everyday words).

The small sentence model has never met "HBV" or "MARF", and BM25 only sees
words the articles use; adding each known term's meaning to the question
lets both find the article. The list is data so authors can extend it.
"""
from __future__ import annotations

import re
from pathlib import Path

from assistant.knowledge.articles import ArticleError, read_yaml_file

GLOSSARY_FILE = "glossary.yaml"
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+'-]*")


class Glossary:
    def __init__(self, terms: dict[str, str] | None = None) -> None:
        self.terms = {key.lower(): meaning for key, meaning in (terms or {}).items()}

    def meanings(self, question: str) -> list[str]:
        """The meanings of the glossary words in ``question``, each once, in order."""
        found: list[str] = []
        for word in _WORD.findall(question):
            meaning = self.terms.get(word.lower().rstrip("'"))
            if meaning is None and word.lower().endswith("'s"):
                meaning = self.terms.get(word.lower()[:-2])
            if meaning is not None and meaning not in found:
                found.append(meaning)
        return found

    def expand(self, question: str) -> str:
        """``question`` followed by the meanings of any glossary words in it."""
        meanings = self.meanings(question)
        return f"{question} ({'; '.join(meanings)})" if meanings else question


def load_glossary(directory: Path) -> Glossary:
    """The terms in ``directory/glossary.yaml``; an empty glossary if absent."""
    path = Path(directory) / GLOSSARY_FILE
    if not path.exists():
        return Glossary()
    data = read_yaml_file(path)
    terms = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(terms, dict) or not all(
        isinstance(k, (str, int)) and isinstance(v, str) and v.strip() for k, v in terms.items()
    ):
        raise ArticleError(path, 1, "expected 'terms:' followed by 'word: meaning' lines")
    return Glossary({str(k).strip(): v.strip() for k, v in terms.items()})
