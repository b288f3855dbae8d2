"""Sentence vectors for intent classification, with no Rasa import.

The classifier (Rasa's LogisticRegressionClassifier) stacks these dense
vectors next to thousands of sparse n-gram counts and fits them under one L2
penalty it does not let us tune. A unit-length MiniLM vector has entries of
about 0.05, so unscaled it barely moves the decision; ``scale`` lets the
config give it a measured weight (see bench.nlu).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from assistant.embedding import DIMENSIONS  # all-MiniLM-L6-v2: 384

Encoder = Callable[[Sequence[str]], np.ndarray]


def default_encoder() -> Encoder:
    """The knowledge base's offline MiniLM loader, shared so a process loads it once."""
    from assistant.embedding import MiniLMEmbedder

    return MiniLMEmbedder().encode


def sentence_vectors(texts: Sequence[str], encode: Encoder, scale: float) -> np.ndarray:
    """One row per text: the L2-normalised sentence vector times ``scale``.

    Blank texts get a zero row rather than the model's vector for "", so an
    empty message carries no made-up meaning.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    filled = [i for i, text in enumerate(texts) if text and text.strip()]
    if filled:
        encoded = np.asarray(encode([texts[i].strip() for i in filled]), dtype=np.float32)
        if encoded.shape != (len(filled), DIMENSIONS):
            raise ValueError(f"encoder returned shape {encoded.shape}, expected ({len(filled)}, {DIMENSIONS})")
        norms = np.linalg.norm(encoded, axis=1, keepdims=True)
        vectors[filled] = encoded / np.where(norms > 0, norms, 1.0)
    return vectors * np.float32(scale)
