"""Issue 11: no answer is lost without the person knowing.

With the action server stopped, a message gets "I couldn't process that just
now — please send it again." instead of silence, and nothing of that turn is
applied; once the action server is back, sending it again carries on from the
last answer that was applied. Uses its own stack: it stops a part of it.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from assistant.stack import Stack, free_port, start_stack
from channels.rest.checks import ACTIONS_DOWN

pytestmark = pytest.mark.e2e


@pytest.fixture
def own_stack(tmp_path) -> Iterator[Stack]:
    stack = start_stack(rasa_port=free_port(), actions_port=free_port(), with_web=False,
                        tracker_db=tmp_path / "tracker.db", log_dir=tmp_path / "logs", supervise=False)
    try:
        yield stack
    finally:
        stack.stop()


def _facts(stack: Stack, sender: str) -> dict:
    return stack.tracker(sender)["slots"].get("facts") or {}


def test_a_message_sent_while_the_action_server_is_down_is_not_lost(own_stack):
    sender = f"down-{uuid.uuid4().hex[:8]}"
    own_stack.send(sender, "my patient says her partner hit her")
    own_stack.send(sender, '/inform{"immediate_danger": false}')
    before = _facts(own_stack, sender)
    assert before.get("immediate_danger") is False

    own_stack.stop_part("actions")   # the supervisor leaves it down until start_part
    started = time.monotonic()
    replies = own_stack.send(sender, "he has a knife")
    assert [r.get("text") for r in replies] == [ACTIONS_DOWN]
    assert time.monotonic() - started < 30
    assert _facts(own_stack, sender) == before            # nothing of that turn applied

    own_stack.start_part("actions")
    replies = own_stack.send(sender, "he has a knife")    # sent again: carries on
    assert replies and ACTIONS_DOWN not in [r.get("text") for r in replies]
    after = _facts(own_stack, sender)
    assert after.get("weapon") is True and after.get("immediate_danger") is False
