"""BM25 over passages, with a light typo repair for query words.

Lexical scoring is what lets exact terms and acronyms (MARAC, MASH, DVDS,
s42) win where a small sentence model blurs them.
"""
from __future__ import annotations

import difflib
import math
from collections import Counter
from collections.abc import Sequence

from assistant.knowledge.text import tokenize

K1 = 1.2
B = 0.75


class BM25Index:
    def __init__(self, documents: Sequence[str], *, fix_typos: bool = True, phrases: bool = True) -> None:
        # Word pairs are indexed beside single words so that an exact phrase
        # ("without consent", "repeat marac", "one chance") outranks a passage
        # that merely has both words somewhere.
        self._phrases = phrases
        self._docs = [Counter(self._with_pairs(tokenize(doc))) for doc in documents]
        self._lengths = [sum(doc.values()) for doc in self._docs]
        self._avg_len = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        df: Counter[str] = Counter()
        for doc in self._docs:
            df.update(doc.keys())
        n = len(self._docs)
        self._idf = {term: math.log(1 + (n - freq + 0.5) / (freq + 0.5)) for term, freq in df.items()}
        self._vocabulary = sorted(t for t in self._idf if " " not in t)
        self._fix_typos = fix_typos

    def query_terms(self, query: str) -> list[tuple[str, float]]:
        """(term, weight) per query token.

        An unknown word of 5+ letters is replaced by its nearest known word at
        half weight: "marrac" should find MARAC, but a guess ("weather" ->
        "whether") must not count as much as a real match.
        """
        terms = []
        for token in tokenize(query):
            weight = 1.0
            if token not in self._idf and self._fix_typos and len(token) >= 5:
                close = difflib.get_close_matches(token, self._vocabulary, n=1, cutoff=0.8)
                if close:
                    token, weight = close[0], 0.5
            terms.append((token, weight))
        return terms

    def _with_pairs(self, tokens: list[str]) -> list[str]:
        if not self._phrases:
            return tokens
        return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]

    def _query_with_pairs(self, terms: list[tuple[str, float]]) -> list[tuple[str, float]]:
        if not self._phrases:
            return terms
        pairs = [(f"{a} {b}", min(wa, wb)) for (a, wa), (b, wb) in zip(terms, terms[1:], strict=False)]
        return terms + pairs

    def scores(self, query: str) -> list[float]:
        """Raw BM25 per document."""
        return self._scores(self._query_with_pairs(self.query_terms(query)))

    def coverage(self, query: str, cap: float = 1.0) -> list[float]:
        """BM25 per document over the query's ideal score, clipped to 0..1.

        The ideal counts every query word at its IDF, and a word the articles
        never use at the highest IDF, so "what's the weather" cannot look like
        a perfect match just because one common word hit.
        """
        terms = self.query_terms(query)
        if not terms:
            return [0.0] * len(self._docs)
        rarest = max(self._idf.values(), default=1.0)
        # The ideal counts single words only: a matching phrase is a bonus.
        ideal = sum(self._idf.get(t, rarest) for t, _ in terms)
        return [min(cap, s / ideal) / cap for s in self._scores(self._query_with_pairs(terms))]

    def _scores(self, query_terms: list[tuple[str, float]]) -> list[float]:
        terms = [(t, w) for t, w in query_terms if t in self._idf]
        result = []
        for doc, length in zip(self._docs, self._lengths, strict=True):
            score = 0.0
            for term, weight in terms:
                tf = doc.get(term, 0)
                if tf:
                    norm = K1 * (1 - B + B * length / self._avg_len)
                    score += weight * self._idf[term] * tf * (K1 + 1) / (tf + norm)
            result.append(score)
        return result
