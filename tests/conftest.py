"""Session fixtures shared by every test folder.

``rasa_stack`` starts the real Rasa server, action server and (when
channels/web/serve.py exists) the demo page on random free ports, trained once
per training-data hash via assistant.model_cache. Use it as::

    def test_x(rasa_stack):
        replies = rasa_stack.send("sender-1", "hello")   # REST channel
        rasa_stack.rasa_url, rasa_stack.actions_url, rasa_stack.web_url
"""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.stack import Stack, free_port, start_stack  # noqa: E402


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("rasa_stack")
    stack = start_stack(
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        tracker_db=workdir / "tracker.db",
        log_dir=workdir / "logs",
    )
    try:
        yield stack
    finally:
        stack.stop()
