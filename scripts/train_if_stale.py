"""Trains the Rasa model only if config.yml, domain.yml or assistant/data changed."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.model_cache import train_if_stale  # noqa: E402

if __name__ == "__main__":
    print(train_if_stale())
