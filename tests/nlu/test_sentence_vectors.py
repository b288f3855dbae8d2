"""The pure part of the sentence featurizer: what vectors the classifier gets."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from assistant.nlu.sentence_vectors import DIMENSIONS, sentence_vectors


class FakeEncoder:
    """Deterministic vectors that are deliberately not unit length; records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rows = [np.full(DIMENSIONS, float(len(text)), dtype=np.float32) for text in texts]
        return np.stack(rows)


def test_rows_are_unit_length_times_scale() -> None:
    vectors = sentence_vectors(["stop", "what is MARAC"], FakeEncoder(), scale=3.0)
    assert vectors.shape == (2, DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 3.0)


def test_blank_texts_get_zero_rows_and_are_not_encoded() -> None:
    encoder = FakeEncoder()
    vectors = sentence_vectors(["", "  ", "hello"], encoder, scale=2.0)
    assert encoder.calls == [["hello"]]
    assert not vectors[0].any() and not vectors[1].any()
    assert np.isclose(np.linalg.norm(vectors[2]), 2.0)


def test_all_blank_never_calls_the_model() -> None:
    encoder = FakeEncoder()
    vectors = sentence_vectors(["", "\n"], encoder, scale=1.0)
    assert encoder.calls == []
    assert vectors.shape == (2, DIMENSIONS) and not vectors.any()


def test_a_zero_vector_from_the_model_stays_zero_not_nan() -> None:
    vectors = sentence_vectors(["x"], lambda texts: np.zeros((len(texts), DIMENSIONS)), scale=1.0)
    assert not np.isnan(vectors).any() and not vectors.any()


@pytest.mark.parametrize("scale", [0, -1.0])
def test_scale_must_be_positive(scale: float) -> None:
    with pytest.raises(ValueError, match="scale"):
        sentence_vectors(["stop"], FakeEncoder(), scale=scale)


def test_an_encoder_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="shape"):
        sentence_vectors(["stop"], lambda texts: np.ones((len(texts), 10)), scale=1.0)
