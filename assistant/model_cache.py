"""Trains the Rasa model only when its inputs changed.

The model is cached as ``models/<hash>.tar.gz`` where the hash covers
config.yml, domain.yml, every file under assistant/data and the source of the
custom NLU components in assistant/nlu (their code shapes the model too). Tests, benches and
``make run`` all call :func:`train_if_stale`, so one training serves them all.
No Rasa import here: training runs in a subprocess.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from assistant import PROJECT_ROOT

TRAINING_INPUTS = ("config.yml", "domain.yml")
TRAINING_DATA_DIR = Path("assistant") / "data"
NLU_COMPONENTS_DIR = Path("assistant") / "nlu"
# The featurizer computes its vectors with this code, so it shapes the model too.
EMBEDDING_DIR = Path("assistant") / "embedding"
# Keep a few so switching between branches does not always retrain.
KEEP_MODELS = 4


def training_files(root: Path = PROJECT_ROOT) -> list[Path]:
    """Every file whose content changes the trained model, in a stable order."""
    files = [root / name for name in TRAINING_INPUTS]
    files += sorted(p for p in (root / TRAINING_DATA_DIR).rglob("*") if p.is_file())
    files += sorted((root / NLU_COMPONENTS_DIR).rglob("*.py"))
    files += sorted((root / EMBEDDING_DIR).rglob("*.py"))
    return files


def training_hash(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for path in training_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = PROJECT_ROOT) -> Path:
    return root / "models" / f"{training_hash(root)}.tar.gz"


def subprocess_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for Rasa subprocesses: offline, no telemetry, quiet TensorFlow."""
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra or {})
    return env


def train_if_stale(root: Path = PROJECT_ROOT, *, quiet: bool = False) -> Path:
    """Returns the cached model for the current training data, training it first if needed.

    A file lock makes concurrent callers (a test run and a bench, say) wait for
    one training instead of racing two.
    """
    target = model_path(root)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target
        command = [
            sys.executable, "-m", "rasa", "train",
            "--config", "config.yml",
            "--domain", "domain.yml",
            "--data", str(TRAINING_DATA_DIR),
            "--out", "models",
            "--fixed-model-name", target.name[: -len(".tar.gz")],
        ]
        result = subprocess.run(
            command,
            cwd=root,
            env=subprocess_env(),
            stdout=subprocess.PIPE if quiet else None,
            stderr=subprocess.STDOUT if quiet else None,
            text=True,
        )
        if result.returncode != 0 or not target.exists():
            detail = (result.stdout or "")[-4000:] if quiet else ""
            raise RuntimeError(f"rasa train failed (exit {result.returncode}).\n{detail}")
        prune_old_models(target.parent, keep=KEEP_MODELS)
    return target


def prune_old_models(directory: Path, keep: int) -> None:
    """Deletes all but the ``keep`` newest cached models, so models/ does not grow forever."""
    models = sorted(directory.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[keep:]:
        old.unlink(missing_ok=True)
