"""What the stored conversation holds: never the words a user typed."""
from __future__ import annotations

import sqlite3
import uuid

import pytest

pytestmark = pytest.mark.e2e


def test_typed_words_are_not_stored_but_the_triage_still_works(rasa_stack):
    sender = f"privacy-{uuid.uuid4().hex[:8]}"
    replies = rasa_stack.send(sender, "pt Jane Smithson says her bf choked her last night")
    assert "Strangling or choking: yes" in " ".join(r.get("text", "") for r in replies)   # understood...
    rasa_stack.send(sender, '/inform{"immediate_danger": false}')
    rows = sqlite3.connect(rasa_stack.tracker_db).execute(
        "select data from events where sender_id = ?", (sender,)).fetchall()
    stored = " ".join(row[0] for row in rows)
    assert rows
    assert "Smithson" not in stored and "choked" not in stored      # ...but never written down
    assert '"strangulation": true' in stored                         # the facts are kept
    assert "immediate_danger" in stored                              # and button payloads
