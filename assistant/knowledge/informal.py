"""Informal spellings (knowledge/informal.yaml): text-speak and common short forms
made into the articles' words before searching.

"wat", "shud", "appts" are neither typos a spelling matcher can repair (too short,
too far) nor words the small sentence model knows, so "wat words shud i avoid"
found nothing. The list is data, so an author adds a word without a developer.
"""
from __future__ import annotations

import re
from pathlib import Path

from assistant.knowledge.articles import ArticleError, read_yaml_file

INFORMAL_FILE = "informal.yaml"
_WORD = re.compile(r"[A-Za-z0-9']+")


class Informal:
    def __init__(self, words: dict[str, str] | None = None) -> None:
        self.words = {key.lower(): value for key, value in (words or {}).items()}

    def normalise(self, question: str) -> str:
        """``question`` with each informal word replaced by its usual form (whole words, any case)."""
        if not self.words:
            return question
        return _WORD.sub(lambda m: self.words.get(m.group(0).lower(), m.group(0)), question)


def load_informal(directory: Path) -> Informal:
    """The words in ``directory/informal.yaml``; none if the file is absent."""
    path = Path(directory) / INFORMAL_FILE
    if not path.exists():
        return Informal()
    data = read_yaml_file(path)
    words = data.get("words") if isinstance(data, dict) else None
    if not isinstance(words, dict) or not all(
        isinstance(k, (str, int)) and isinstance(v, str) and v.strip() for k, v in words.items()
    ):
        raise ArticleError(path, 1, "expected 'words:' followed by 'informal: usual' lines")
    return Informal({str(k).strip(): v.strip() for k, v in words.items()})
