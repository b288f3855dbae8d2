"""The training cache must retrain when a custom NLU component's code changes."""
from __future__ import annotations

import shutil
from pathlib import Path

from assistant import PROJECT_ROOT
from assistant.model_cache import training_files, training_hash


def _copy_inputs(root: Path) -> Path:
    for name in ("config.yml", "domain.yml"):
        shutil.copy(PROJECT_ROOT / name, root / name)
    shutil.copytree(PROJECT_ROOT / "assistant" / "data", root / "assistant" / "data")
    shutil.copytree(PROJECT_ROOT / "assistant" / "nlu", root / "assistant" / "nlu",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_component_source_is_a_training_input(tmp_path: Path) -> None:
    root = _copy_inputs(tmp_path)
    assert root / "assistant" / "nlu" / "sentence_featurizer.py" in training_files(root)
    before = training_hash(root)
    with open(root / "assistant" / "nlu" / "sentence_vectors.py", "a") as handle:
        handle.write("\n# changed\n")
    assert training_hash(root) != before


def test_compiled_bytecode_does_not_change_the_hash(tmp_path: Path) -> None:
    root = _copy_inputs(tmp_path)
    before = training_hash(root)
    cache = root / "assistant" / "nlu" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "sentence_vectors.cpython-310.pyc").write_bytes(b"\x00")
    assert training_hash(root) == before
