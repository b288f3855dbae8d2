"""The Rasa adapter: features land on the message where the classifier reads them."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.nlu.sentence_featurizer import SentenceEmbeddingFeaturizer
from assistant.nlu.sentence_vectors import DIMENSIONS


def one_hot_encoder(texts: Sequence[str]) -> np.ndarray:
    rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for i, text in enumerate(texts):
        rows[i, len(text) % DIMENSIONS] = 1.0
    return rows


def featurizer(scale: float = 2.0) -> SentenceEmbeddingFeaturizer:
    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "scale": scale}
    return SentenceEmbeddingFeaturizer(config, "sentence_featurizer", encode=one_hot_encoder)


def test_process_adds_one_scaled_sentence_feature_and_no_sequence_feature() -> None:
    message = Message(data={TEXT: "stop"})
    featurizer(scale=2.0).process([message])
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is None
    assert sentence.features.shape == (1, DIMENSIONS)
    assert sentence.features[0, len("stop")] == pytest.approx(2.0)
    assert [(f.type, f.origin) for f in message.features] == [("sentence", "sentence_featurizer")]


def test_training_data_examples_are_featurized_in_one_batch() -> None:
    calls: list[list[str]] = []

    def counting(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        return one_hot_encoder(texts)

    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "scale": 1.0}
    component = SentenceEmbeddingFeaturizer(config, "sentence_featurizer", encode=counting)
    examples = [Message(data={TEXT: t, INTENT: "stop"}) for t in ("stop", "cancel", "forget it")]
    component.process_training_data(TrainingData(training_examples=examples))
    assert calls == [["stop", "cancel", "forget it"]]
    assert all(m.get_dense_features(TEXT)[1] is not None for m in examples)


def test_messages_without_text_are_left_alone() -> None:
    message = Message(data={INTENT: "greet"})
    featurizer().process([message])
    assert message.get_dense_features(TEXT) == (None, None)


@pytest.mark.parametrize("scale", [0, -2, "big"])
def test_bad_scale_is_a_config_error(scale: object) -> None:
    with pytest.raises(ValueError, match="scale"):
        SentenceEmbeddingFeaturizer.validate_config({"scale": scale})


def test_the_real_model_separates_meaning_not_spelling() -> None:
    """With the shipped MiniLM, a stop paraphrase is nearer 'stop' than a danger report is."""
    message_texts = ["I'd rather not carry on", "stop", "he is outside with a knife"]
    messages = [Message(data={TEXT: t}) for t in message_texts]
    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "scale": 1.0}
    SentenceEmbeddingFeaturizer(config, "sentence_featurizer").process(messages)
    paraphrase, stop, danger = (m.get_dense_features(TEXT)[1].features[0] for m in messages)
    assert float(paraphrase @ stop) > float(paraphrase @ danger)


def test_a_button_payload_gets_a_zero_vector_and_costs_no_encoding() -> None:
    # Rasa's RegexMessageHandler sets a payload's intent; encoding it was wasted time.
    calls: list[list[str]] = []

    def counting(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        return one_hot_encoder(texts)

    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "scale": 2.0}
    component = SentenceEmbeddingFeaturizer(config, "sentence_featurizer", encode=counting)
    payload, typed = Message(data={TEXT: '/inform{"weapon": true}'}), Message(data={TEXT: "no"})
    component.process([payload, typed])
    assert calls == [["no"]]
    assert not payload.get_dense_features(TEXT)[1].features.any()
    assert typed.get_dense_features(TEXT)[1].features.any()


def test_phrase_vectors_are_reused_unless_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.nlu.phrase_vectors import PhraseVectors

    config = SentenceEmbeddingFeaturizer.get_default_config()
    assert isinstance(SentenceEmbeddingFeaturizer(config, "f")._encoder(), PhraseVectors)
    monkeypatch.setenv("SIGNPOST_REUSE_PHRASE_VECTORS", "0")
    assert not isinstance(SentenceEmbeddingFeaturizer(config, "f")._encoder(), PhraseVectors)
