"""BM25 over passages, with a light typo repair for query words.

Lexical scoring is what lets exact terms and acronyms (MARAC, MASH, DVDS,
s42) win where a small sentence model blurs them.
"""
from __future__ import annotations

import difflib
import math
from collections import Counter
from typing import Sequence

from assistant.knowledge.text import tokenize

K1 = 1.2
B = 0.75


class BM25Index:
    def __init__(self, documents: Sequence[str], *, fix_typos: bool = True) -> None:
        self._docs = [Counter(tokenize(doc)) for doc in documents]
        self._lengths = [sum(doc.values()) for doc in self._docs]
        self._avg_len = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        df: Counter[str] = Counter()
        for doc in self._docs:
            df.update(doc.keys())
        n = len(self._docs)
        self._idf = {term: math.log(1 + (n - freq + 0.5) / (freq + 0.5)) for term, freq in df.items()}
        self._vocabulary = sorted(self._idf)
        self._fix_typos = fix_typos

    def query_terms(self, query: str) -> list[str]:
        """Query tokens, each unknown word of 5+ letters replaced by its nearest known word."""
        terms = []
        for token in tokenize(query):
            if token not in self._idf and self._fix_typos and len(token) >= 5:
                close = difflib.get_close_matches(token, self._vocabulary, n=1, cutoff=0.8)
                if close:
                    token = close[0]
            terms.append(token)
        return terms

    def scores(self, query: str) -> list[float]:
        terms = [t for t in self.query_terms(query) if t in self._idf]
        result = []
        for doc, length in zip(self._docs, self._lengths):
            score = 0.0
            for term in terms:
                tf = doc.get(term, 0)
                if tf:
                    norm = K1 * (1 - B + B * length / self._avg_len)
                    score += self._idf[term] * tf * (K1 + 1) / (tf + norm)
            result.append(score)
        return result
