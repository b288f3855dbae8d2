"""The privacy suite: made-up personal details typed in every shape leave no trace.

Each shape goes through the channel the widget and tests use; then the
SQLite store and every log file the stack wrote are searched (issue 10 §3).
"""
from __future__ import annotations

import json
import uuid

import pytest

from tests.privacy.helpers import DETAILS, EMAIL, NAME, NHS, PHONE, POSTCODE, found_in, post

pytestmark = pytest.mark.e2e

SHAPES = {
    "description": f"my patient {NAME} at {POSTCODE} says her partner choked her, call {PHONE}, NHS {NHS}, {EMAIL}",
    "knowledge question": f"what is MARAC? asking for {DETAILS}",
    "slash text": f"/{DETAILS} he hit her",
    "slash word": f"/Farrowdale {PHONE}",
    "broken payload": '/inform{"immediate_danger": ' + json.dumps(DETAILS),
    "wrong-typed payload": '/inform{"immediate_danger": ' + json.dumps(DETAILS) + "}",
    "unknown key payload": '/inform{"quentin_farrowdale_l20_7qz": true}',
    "unknown intent": f"/farrowdale{json.dumps({'x': PHONE})}",
    "oversize": f"{DETAILS} " * 500,
    "lone surrogate": f"{DETAILS} \ud800",
}


def test_nothing_typed_is_stored_or_logged_in_any_shape(rasa_stack):
    sender = f"privacy-{uuid.uuid4().hex[:8]}"
    for shape, message in SHAPES.items():
        status, answer = post(rasa_stack.rest_url, json.dumps({"sender": sender, "message": message}))
        assert status == 200 and isinstance(answer, list) and answer, shape
        assert not any(n in json.dumps(answer) for n in ("Farrowdale", PHONE, POSTCODE, NHS)), shape
    # Non-string messages and metadata: refused with a message, never logged.
    for bad in [{"sender": sender, "message": {"text": DETAILS}}, {"sender": sender, "message": [NAME, PHONE]},
                {"sender": sender, "message": 9434765919}, {"sender": DETAILS, "message": "hi"},
                {"sender": sender, "message": "hi", "metadata": DETAILS}]:
        assert post(rasa_stack.rest_url, json.dumps(bad))[0] == 400
    # The conversation still works after all that.
    assert rasa_stack.send(sender, '/inform{"immediate_danger": false}')
    stored = json.dumps(rasa_stack.tracker(sender))
    assert "Farrowdale" not in stored and PHONE not in stored
    assert found_in(rasa_stack.tracker_db, list(rasa_stack.logs.values())) == []
