"""The NumPy MiniLM gives the vectors sentence-transformers gives for the same model.

sentence-transformers (on torch) is the reference implementation; Signpost's
servers use the NumPy one so that neither process loads torch.
"""
from __future__ import annotations

import numpy as np
import pytest

from assistant.embedding import DIMENSIONS, MiniLMEmbedder, model_path

TEXTS = [
    "what is MARAC?",
    "whats a dash checklist",
    "he has a knife",
    "ok",
    "The patient said her partner strangled her last night and she is terrified of going home; "
    "there are two children under five in the house and she does not want the police involved.",
    "ünïcödé and emoji 🙂 and a very long word " + "x" * 300,
    "word " * 400,   # longer than the model's 256 word pieces: truncated as the reference does
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_path(), device="cpu")
    return np.asarray(model.encode(TEXTS, normalize_embeddings=True), dtype=np.float32)


@pytest.fixture(scope="module")
def batched() -> np.ndarray:
    # Encoded fresh (never from a cache) and once for the module: the two long
    # texts pad the batch to 256 word pieces, the costliest encode in the unit lane.
    return MiniLMEmbedder().encode(TEXTS)


# The one test that needs torch: importing it and sentence-transformers costs more
# than the rest of this file, so it runs in the `reference` lane (`make test`).
@pytest.mark.reference
def test_vectors_match_sentence_transformers(reference: np.ndarray, batched: np.ndarray) -> None:
    assert batched.shape == (len(TEXTS), DIMENSIONS) and batched.dtype == np.float32
    assert np.abs(batched - reference).max() < 1e-5


def test_one_at_a_time_equals_batched(batched: np.ndarray) -> None:
    embedder = MiniLMEmbedder()
    single = np.vstack([embedder.encode([text]) for text in TEXTS])
    assert np.abs(batched - single).max() < 1e-5


def test_rows_are_unit_length_and_empty_input_is_empty(batched: np.ndarray) -> None:
    assert batched.shape == (len(TEXTS), DIMENSIONS) and batched.dtype == np.float32
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    assert MiniLMEmbedder().encode([]).shape == (0, DIMENSIONS)


def test_the_fingerprint_names_the_implementation() -> None:
    # the knowledge vector cache is keyed by it: vectors from the torch build are not reused
    assert MiniLMEmbedder().fingerprint.startswith("all-MiniLM-L6-v2:numpy:")


def test_servers_never_import_torch() -> None:
    import subprocess
    import sys

    code = ("import sys; from assistant.embedding import MiniLMEmbedder; MiniLMEmbedder().encode(['hi']);"
            "import assistant.knowledge, assistant.nlu.sentence_vectors;"
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
