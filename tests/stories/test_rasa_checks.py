"""Rasa's own checks, run as tests so one `make test` covers everything:
`rasa data validate --fail-on-warnings` and the test stories beside this file."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from assistant import PROJECT_ROOT
from assistant.model_cache import subprocess_env, train_if_stale

STORIES = Path(__file__).parent / "test_stories.yml"


def _rasa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rasa", *args], cwd=PROJECT_ROOT, env=subprocess_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)


def test_training_data_validates_without_warnings():
    result = _rasa("data", "validate", "--fail-on-warnings", "--data", "assistant/data",
                   "--domain", "domain.yml", "--config", "config.yml")
    assert result.returncode == 0, result.stdout[-4000:]


def test_stories_for_happy_paths_and_every_repair(tmp_path):
    model = train_if_stale(quiet=True)
    result = _rasa("test", "core", "--stories", str(STORIES), "--model", str(model),
                   "--fail-on-prediction-errors", "--out", str(tmp_path))
    failed = (tmp_path / "failed_test_stories.yml")
    assert result.returncode == 0, (failed.read_text() if failed.exists() else "") + result.stdout[-3000:]
    assert "None of the test stories failed" in failed.read_text()
