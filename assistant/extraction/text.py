"""Normalises messy free text before phrasings are matched.

Lower-cases, straightens quotes, expands abbreviations ("pt", "OH", "DV") and
corrects single-letter typos in long words towards the phrasings' vocabulary
("stangled" -> "strangled"). Short words are never corrected: "rated" must not
become "raped".
"""
from __future__ import annotations

import re

from assistant.extraction.phrasings import Phrasings

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")
MIN_TYPO_LENGTH = 7


def _is_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


def correct_typos(text: str, vocabulary: frozenset[str]) -> str:
    def fix(match: re.Match) -> str:
        word = match.group(0)
        if len(word) < MIN_TYPO_LENGTH or word in vocabulary:
            return word
        candidates = [v for v in vocabulary if _is_one_edit(word, v)]
        return candidates[0] if len(candidates) == 1 else word

    return _TOKEN.sub(fix, text)


def normalise(text: str, phrasings: Phrasings) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    for short, long_ in phrasings.case_sensitive_synonyms.items():
        text = re.sub(r"(?<![\w'])" + re.escape(short) + r"(?![\w'])", long_, text)
    text = text.lower()
    if phrasings.synonyms:
        pattern = re.compile(
            r"(?<![\w'])("
            + "|".join(re.escape(k) for k in sorted(phrasings.synonyms, key=len, reverse=True))
            + r")(?![\w'])"
        )
        text = pattern.sub(lambda m: phrasings.synonyms[m.group(1)], text)
    text = re.sub(r"\s+", " ", text).strip()
    return correct_typos(text, phrasings.vocabulary)


def sentence_start(text: str, position: int) -> int:
    """Index where the sentence holding ``position`` begins."""
    cut = max(text.rfind(mark, 0, position) for mark in (".", "!", "?", ";", "\n", ","))
    return cut + 1


def clause_before(text: str, position: int, phrasings: Phrasings) -> str:
    """The words before ``position`` in the same clause: the reach of a negation."""
    before = text[sentence_start(text, position):position]
    words = before.split()
    for i in range(len(words) - 1, -1, -1):
        if words[i].strip("'\"") in phrasings.clause_breaks:
            words = words[i + 1:]
            break
    return " ".join(words)
