"""The sentence vectors of Signpost's own phrases, computed once per process.

Most messages in a triage are short answers ("no", "not sure", "thanks"), and
each one cost a full MiniLM pass (11-19 ms of the Rasa server's CPU, bound by
reading 42 MB of weights). A message that is exactly one of the bot's own
phrases (the answer words of pathways/phrasings.yaml, the NLU training
examples) reuses the vector computed the first time. Anything else is encoded
as before.

Correctness never depends on this list: a cached vector is the vector the model
gives for that text, so an out-of-date list only costs time. Only the bot's
own phrases are ever kept, never what a person typed (a message that is not
one of them leaves nothing behind).
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from assistant.nlu.sentence_vectors import Encoder


def normalised(text: str) -> str:
    # The model's tokenizer is uncased (BERT's normaliser lowercases), so "No"
    # and "no" are the same input to it; tests/nlu/test_phrase_vectors.py checks.
    return " ".join(text.split()).lower()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def known_phrases(phrasings: Path, nlu_files: Iterable[Path]) -> frozenset[str]:
    """The answer words and the NLU examples, normalised as lookup keys. A file
    that cannot be read adds nothing (the cache is an optimisation only)."""
    phrases: set[str] = set()
    try:
        answers = (yaml.safe_load(phrasings.read_text(encoding="utf-8")) or {}).get("answers") or {}
        phrases.update(normalised(p) for p in _strings(answers))
    except (OSError, yaml.YAMLError, AttributeError):
        pass
    for path in nlu_files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for block in data.get("nlu") or []:
            examples = block.get("examples") if isinstance(block, dict) else None
            if isinstance(examples, str):
                lines = (line.strip() for line in examples.splitlines())
                phrases.update(normalised(line[2:]) for line in lines if line.startswith("- "))
    phrases.discard("")
    return frozenset(phrases)


def default_phrases() -> frozenset[str]:
    """This project's phrases: the guidance folder's answer words, the NLU data's examples."""
    from assistant import PATHWAYS_DIR, PROJECT_ROOT

    nlu_files = sorted((PROJECT_ROOT / "assistant" / "data").glob("nlu*.yml"))
    return known_phrases(PATHWAYS_DIR / "phrasings.yaml", nlu_files)


class PhraseVectors:
    """An encoder that remembers the vectors of known phrases only."""

    def __init__(self, encode: Encoder, phrases: frozenset[str]) -> None:
        self._encode = encode
        self._phrases = phrases
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.asarray(self._encode([]), dtype=np.float32)
        keys = [normalised(t) for t in texts]
        with self._lock:
            rows = {i: self._vectors[k] for i, k in enumerate(keys) if k in self._vectors}
        todo = [i for i in range(len(texts)) if i not in rows]
        if todo:
            encoded = np.asarray(self._encode([texts[i] for i in todo]), dtype=np.float32)
            with self._lock:
                for i, vector in zip(todo, encoded, strict=True):
                    rows[i] = vector
                    if keys[i] in self._phrases:
                        self._vectors[keys[i]] = vector.copy()
        return np.stack([rows[i] for i in range(len(texts))])
