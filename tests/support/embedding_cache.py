"""Sentence vectors for the tests, kept on disk between runs (.cache/test-embeddings/).

The knowledge tests embed every article passage and ask a few hundred test
questions; the vectors depend only on the model and the text, so a second run
reads them back instead of recomputing them (issue 15: the unit lane in under a
minute).

Test-only on purpose: it stores the text it is given, and a server must never
store what a person typed, so nothing under assistant/ uses it. The key covers
the model's fingerprint *and* the NumPy implementation's source, so an edit to
assistant/embedding recomputes everything rather than testing old vectors;
tests/embedding never reads this cache and checks the implementation itself.
"""
from __future__ import annotations

import hashlib
import sqlite3
import warnings
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import numpy as np

from assistant import PROJECT_ROOT
from assistant.embedding import DIMENSIONS, Embedder

CACHE_DIR = PROJECT_ROOT / ".cache" / "test-embeddings"
_IMPLEMENTATION = sorted((PROJECT_ROOT / "assistant" / "embedding").glob("*.py"))


def implementation_key(fingerprint: str) -> str:
    """The model's fingerprint plus a digest of the code that computes the vectors."""
    digest = hashlib.sha256(fingerprint.encode())
    for source in _IMPLEMENTATION:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


class CachedEmbedder:
    """An Embedder that encodes only texts it has not seen, under this model and code.

    Several pytest-xdist workers may share the file: SQLite serialises their
    writes, and a vector written twice is the same vector. A cache that cannot
    be read or written (read-only checkout, corrupt file) costs time, never a
    result: every text is then encoded.
    """

    def __init__(self, inner: Embedder, cache_dir: Path = CACHE_DIR) -> None:
        self._inner = inner
        self.fingerprint = inner.fingerprint   # same vectors, so the same fingerprint
        self._key = implementation_key(inner.fingerprint)
        self.path = cache_dir / "vectors.sqlite"
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                db.execute("CREATE TABLE IF NOT EXISTS vectors"
                           " (key TEXT PRIMARY KEY, implementation TEXT NOT NULL, vector BLOB NOT NULL)")
                # Vectors of an older model or older code are never read again.
                db.execute("DELETE FROM vectors WHERE implementation != ?", (self._key,))
        except (OSError, sqlite3.Error) as exc:
            warnings.warn(f"test embedding cache unusable, encoding everything: {exc}", stacklevel=2)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def _text_key(self, text: str) -> str:
        return hashlib.sha256(f"{self._key}\n{text}".encode()).hexdigest()

    def _read(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = sorted(set(keys))
        try:
            with closing(self._connect()) as db:
                for start in range(0, len(unique), 500):   # under SQLite's limit on bound parameters
                    chunk = unique[start:start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk)
                    found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows)
        except sqlite3.Error:
            return {}
        return {key: v for key, v in found.items() if v.shape == (DIMENSIONS,)}

    def _write(self, rows: list[tuple[str, np.ndarray]]) -> None:
        try:
            with closing(self._connect()) as db, db:
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                               [(key, self._key, v.astype(np.float32).tobytes()) for key, v in rows])
        except sqlite3.Error:
            pass   # the vectors are still returned; the next run computes them again

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        keys = [self._text_key(t) for t in texts]
        found = self._read(keys)
        first: dict[str, int] = {}   # a text asked for twice is encoded once
        for i, key in enumerate(keys):
            if key not in found:
                first.setdefault(key, i)
        if first:
            fresh = self._inner.encode([texts[i] for i in first.values()])
            rows = [(key, np.asarray(v, dtype=np.float32)) for key, v in zip(first, fresh, strict=True)]
            found.update(rows)
            self._write(rows)
        return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)


def warm() -> int:
    """Embed every knowledge/ passage into the cache (`make install` runs this), so
    the first `make test-fast` of a fresh clone does not spend its minute on it."""
    import tempfile

    from assistant import KNOWLEDGE_DIR
    from assistant.embedding import MiniLMEmbedder
    from assistant.knowledge import KnowledgeBase

    with tempfile.TemporaryDirectory() as scratch:
        kb = KnowledgeBase.load(KNOWLEDGE_DIR, Path(scratch), embedder=CachedEmbedder(MiniLMEmbedder()))
    return len(kb.passages)


if __name__ == "__main__":
    print(f"==> {warm()} knowledge passages embedded for the tests ({CACHE_DIR})")
