"""The tests' on-disk vector cache gives what the model gives, and only for the same model and code."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.embedding import DIMENSIONS
from tests.support.embedding_cache import CachedEmbedder


class FakeModel:
    """A deterministic stand-in that records what it was asked to encode."""

    def __init__(self, fingerprint: str = "fake:1") -> None:
        self.fingerprint = fingerprint
        self.asked: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.asked.extend(texts)
        rows = np.array([[len(t) + i for i in range(DIMENSIONS)] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_a_second_run_reads_back_what_the_first_computed(tmp_path: Path) -> None:
    model = FakeModel()
    first = CachedEmbedder(model, tmp_path).encode(["a", "bb", "a"])
    assert model.asked == ["a", "bb"]               # a repeated text is encoded once
    again = FakeModel()
    second = CachedEmbedder(again, tmp_path).encode(["bb", "a", "ccc"])
    assert again.asked == ["ccc"]
    assert np.array_equal(second[:2], first[[1, 0]])
    assert np.array_equal(second, FakeModel().encode(["bb", "a", "ccc"]))
    assert second.dtype == np.float32 and CachedEmbedder(again, tmp_path).encode([]).shape == (0, DIMENSIONS)


def test_another_model_never_reuses_the_vectors(tmp_path: Path) -> None:
    CachedEmbedder(FakeModel("fake:1"), tmp_path).encode(["a"])
    other = FakeModel("fake:2")
    CachedEmbedder(other, tmp_path).encode(["a"])
    assert other.asked == ["a"]


def test_an_unreadable_cache_costs_time_not_results(tmp_path: Path) -> None:
    (tmp_path / "vectors.sqlite").write_bytes(b"not a database")
    model = FakeModel()
    with pytest.warns(UserWarning, match="cache unusable"):
        vectors = CachedEmbedder(model, tmp_path).encode(["a", "bb"])
    assert model.asked == ["a", "bb"]
    assert np.array_equal(vectors, FakeModel().encode(["a", "bb"]))
