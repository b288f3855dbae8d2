"""The Signpost REST channel refuses bad input with a clear message (issue 10 §1 items 5-7)."""
from __future__ import annotations

import json
import time
import uuid

import pytest

from channels.input_checks import TOO_LONG
from channels.rest.checks import BAD_BODY, BAD_SENDER, RATE_LIMITED
from tests.privacy.helpers import post

pytestmark = pytest.mark.e2e


def test_no_sender_means_no_conversation_never_a_shared_default(rasa_stack):
    a = f"privacy-{uuid.uuid4().hex[:8]}"
    rasa_stack.send(a, "my patient says her husband hit her")
    for body in [{"message": "/show_advice"}, {"sender": None, "message": "/show_advice"},
                 {"sender": "", "message": "/show_advice"}, {"sender": "default", "message": "/show_advice"}]:
        status, answer = post(rasa_stack.rest_url, json.dumps(body))
        assert status == 400 and answer == {"error": BAD_SENDER}


@pytest.mark.parametrize("body", [b"", b"[]", b'"hi"', b"42", b"null", b"{broken"])
def test_a_body_that_is_not_an_object_gets_400_with_a_message(rasa_stack, body):
    status, answer = post(rasa_stack.rest_url, body)
    assert status == 400 and answer == {"error": BAD_BODY}


def test_an_oversize_message_gets_a_clear_reply_at_once(rasa_stack):
    sender = f"privacy-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    status, answer = post(rasa_stack.rest_url, json.dumps({"sender": sender, "message": "he hit her " * 100000}))
    elapsed = time.monotonic() - started
    assert status == 200 and answer[0]["text"] == TOO_LONG
    assert elapsed < 0.1, f"took {elapsed * 1000:.0f} ms"
    assert rasa_stack.send(sender, "hello")   # the conversation is still usable


def test_a_sender_that_floods_is_told_to_slow_down(rasa_stack):
    sender = f"flood-{uuid.uuid4().hex[:8]}"
    statuses = []
    for _ in range(60):
        status, answer = post(rasa_stack.rest_url, json.dumps({"sender": sender, "message": "/greet"}))
        statuses.append(status)
        if status == 429:
            assert answer[0]["text"] == RATE_LIMITED
            break
    assert 429 in statuses
    other = f"privacy-{uuid.uuid4().hex[:8]}"
    assert post(rasa_stack.rest_url, json.dumps({"sender": other, "message": "hello"}))[0] == 200
