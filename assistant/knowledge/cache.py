"""On-disk cache of passage vectors, keyed by the hash of what was embedded.

Keying on the passage's own text (not the file) means an edited article only
re-embeds the passages that changed; every other vector is reused.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.embedding import Embedder

log = logging.getLogger(__name__)


def text_key(fingerprint: str, text: str) -> str:
    return hashlib.sha256(f"{fingerprint}\n{text}".encode()).hexdigest()


class EmbeddingCache:
    def __init__(self, cache_dir: Path | None, fingerprint: str, scope: str = "") -> None:
        """``scope`` (the articles folder) gives each folder its own file, so an
        author trying another folder never evicts the live folder's vectors."""
        self.fingerprint = fingerprint
        safe = hashlib.sha256(f"{fingerprint}\n{scope}".encode()).hexdigest()[:16]
        self.path = cache_dir / f"passages-{safe}.npz" if cache_dir is not None else None
        self._vectors: dict[str, np.ndarray] = {}
        if self.path is not None and self.path.exists():
            try:
                with np.load(self.path) as data:
                    self._vectors = {key: data[key] for key in data.files}
            except Exception as exc:  # a corrupt cache is rebuilt, never fatal
                log.warning("ignoring unreadable knowledge cache %s: %s", self.path, exc)

    def embed(self, texts: Sequence[str], embedder: Embedder) -> np.ndarray:
        """Vectors for ``texts``, encoding only those not seen before; saves new ones."""
        keys = [text_key(self.fingerprint, t) for t in texts]
        missing = [i for i, key in enumerate(keys) if key not in self._vectors]
        if missing:
            fresh = embedder.encode([texts[i] for i in missing])
            for i, vector in zip(missing, fresh, strict=True):
                self._vectors[keys[i]] = vector
        wanted = set(keys)
        stale = [key for key in self._vectors if key not in wanted]
        for key in stale:  # keep the file from growing with every edit
            del self._vectors[key]
        if missing or stale:
            self._save()
        if not keys:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._vectors[key] for key in keys])

    def _save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a second process never reads half a file.
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **self._vectors)
            os.replace(tmp, self.path)
        except OSError as exc:  # a read-only disk costs speed, not answers
            log.warning("could not save knowledge cache %s: %s", self.path, exc)
