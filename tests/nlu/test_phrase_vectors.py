"""The bot's own phrases are encoded once; a cached vector equals the model's own."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.embedding import get_model
from assistant.nlu.phrase_vectors import PhraseVectors, default_phrases, known_phrases

PHRASES = default_phrases()


class Counting:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.seen += list(texts)
        return get_model().encode(list(texts))


def test_the_phrases_are_the_answer_words_and_the_training_examples() -> None:
    assert {"no", "not sure", "none of these", "hello", "thanks"} <= PHRASES
    assert all(p == p.lower() and p.strip() == p for p in PHRASES)


def test_a_known_phrase_is_encoded_once_whatever_its_case_and_spacing() -> None:
    model = Counting()
    cache = PhraseVectors(model, PHRASES)
    first = cache(["not sure"])
    again = cache(["Not  sure", "not sure"])
    assert model.seen == ["not sure"]
    # the tokenizer is uncased: the model's own vector for "Not  sure" is the cached one
    np.testing.assert_allclose(again[0], get_model().encode(["Not  sure"])[0], atol=1e-6)
    np.testing.assert_array_equal(first[0], again[1])


def test_what_a_person_typed_is_never_kept() -> None:
    model = Counting()
    cache = PhraseVectors(model, PHRASES)
    text = "my patient jane says her partner hit her"
    cache([text, "no"])
    cache([text])
    assert model.seen == [text, "no", text]
    assert list(cache._vectors) == ["no"]


def test_an_unreadable_phrase_file_only_costs_time(tmp_path: Path) -> None:
    (tmp_path / "phrasings.yaml").write_text("answers: [unclosed", encoding="utf-8")
    assert known_phrases(tmp_path / "phrasings.yaml", [tmp_path / "missing.yml"]) == frozenset()
