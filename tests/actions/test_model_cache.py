"""The training cache key: what changes it and what does not."""
from __future__ import annotations

import os
import shutil

from assistant import PROJECT_ROOT
from assistant.model_cache import prune_old_models, training_hash


def _copy_inputs(tmp_path):
    for name in ("config.yml", "domain.yml"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    shutil.copytree(PROJECT_ROOT / "assistant" / "data", tmp_path / "assistant" / "data")
    return tmp_path


def test_hash_follows_training_data_but_not_the_guidance(tmp_path):
    root = _copy_inputs(tmp_path)
    before = training_hash(root)
    (root / "pathways").mkdir()
    (root / "pathways" / "phrasings.yaml").write_text("facts: {}\n")   # guidance never retrains Rasa
    assert training_hash(root) == before
    with open(root / "assistant" / "data" / "nlu.yml", "a") as handle:
        handle.write("\n")
    assert training_hash(root) != before


def test_old_models_are_pruned(tmp_path):
    for i in range(6):
        (tmp_path / f"m{i}.tar.gz").write_text("x")
        os.utime(tmp_path / f"m{i}.tar.gz", (1_700_000_000 + i, 1_700_000_000 + i))  # distinct ages, no sleep
    prune_old_models(tmp_path, keep=2)
    assert sorted(p.name for p in tmp_path.glob("*.tar.gz")) == ["m4.tar.gz", "m5.tar.gz"]
