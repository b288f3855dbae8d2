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


def test_a_knowledge_answer_does_not_keep_the_question(rasa_stack):
    """Issue 10 §1.1: the bot event held the whole question (custom.answer.question)."""
    sender = f"privacy-{uuid.uuid4().hex[:8]}"
    question = "what is MARAC? asking for Quentin Farrowdale at L20 7QZ, NHS 943 476 5919"
    replies = rasa_stack.send(sender, question)
    assert any("MARAC" in (r.get("text") or "") for r in replies)        # answered...
    assert "Farrowdale" not in str(replies)
    tracker = rasa_stack.tracker(sender)
    bot_events = [e for e in tracker["events"] if e["event"] == "bot"]
    assert any("answer" in (e.get("data") or {}).get("custom", {}) for e in bot_events)
    assert "Farrowdale" not in str(tracker) and "L20 7QZ" not in str(tracker)   # ...nor kept
    rows = sqlite3.connect(rasa_stack.tracker_db).execute(
        "select data from events where sender_id = ?", (sender,)).fetchall()
    assert rows and not any("Farrowdale" in row[0] or "943 476 5919" in row[0] for row in rows)


def test_a_slash_message_that_is_not_a_payload_is_neither_stored_nor_logged(rasa_stack):
    """Issue 10 §1.2: "/..." text was stored as typed and logged by Rasa's parse warning."""
    sender = f"privacy-{uuid.uuid4().hex[:8]}"
    rasa_stack.send(sender, '/inform{"immediate_danger": "Quentin Farrowdale"} extra')
    rasa_stack.send(sender, "/Quentin Farrowdale told me he hit her")
    rows = sqlite3.connect(rasa_stack.tracker_db).execute(
        "select data from events where sender_id = ?", (sender,)).fetchall()
    assert rows and not any("Farrowdale" in row[0] for row in rows)
    assert not any("Farrowdale" in path.read_text(errors="replace") for path in rasa_stack.logs.values())
