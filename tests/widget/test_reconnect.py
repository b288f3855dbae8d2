"""Losing the connection, reloading mid-conversation, and clearing the conversation."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from .chat import SETTLED_JS, ChatPage, low_contrast_text
from .test_triage import STRANGULATION_WITH_CHILDREN, check_card

pytestmark = pytest.mark.browser


def test_cut_connection_and_reload_mid_conversation_then_continue(open_chat, artefacts):
    chat: ChatPage = open_chat()
    page = chat.page
    chat.say(STRANGULATION_WITH_CHILDREN.opening)
    assert chat.quick_replies.count(), "the bot should be asking a question with quick replies"
    sender = chat.stored()["sender"]
    before = chat.log.locator(".sp-message").count()

    # The connection to the server drops (the page itself stays cached in the tab).
    page.route(chat.webhook, lambda route: route.abort("connectionreset"))
    payloads = chat.quick_replies.evaluate_all("bs => bs.map(b => b.dataset.payload)")
    answer = chat.quick_replies.nth(STRANGULATION_WITH_CHILDREN.choose(payloads))
    title = answer.text_content()
    answer.click()
    status = chat.widget.get_by_role("status").filter(has_text="Connection lost")
    expect(status).to_be_visible()
    expect(chat.log.locator(".sp-from-user .sp-bubble").last).to_have_text(title)
    page.screenshot(path=str(artefacts / "connection-lost-desktop.png"))
    assert low_contrast_text(page) == []

    # A reload while still cut off keeps the conversation and the unsent answer.
    page.reload()
    expect(chat.log.locator(".sp-message")).to_have_count(before + 1)
    expect(chat.log.locator(".sp-from-user .sp-bubble").last).to_have_text(title)
    expect(status).to_be_visible()
    assert chat.stored()["sender"] == sender
    assert [p["message"] for p in chat.stored()["pending"]] != []

    # The connection comes back: the widget retries by itself and the bot answers.
    page.unroute(chat.webhook)
    page.wait_for_function(SETTLED_JS, timeout=30_000)
    expect(status).to_be_hidden()
    assert chat.log.locator(".sp-message").count() > before + 1

    # Reload once more with the connection up, then finish the triage.
    page.reload()
    chat.answer_until_card(STRANGULATION_WITH_CHILDREN)
    check_card(chat)
    assert chat.stored()["sender"] == sender


def test_clear_conversation_ends_it(open_chat):
    chat: ChatPage = open_chat()
    page = chat.page
    chat.say(STRANGULATION_WITH_CHILDREN.opening)
    old_sender = chat.stored()["sender"]
    sent = []
    page.on("request", lambda r: sent.append(r.post_data) if r.method == "POST" else None)

    page.get_by_role("button", name="Clear conversation").click()
    expect(chat.log.locator(".sp-from-user")).to_have_count(0)
    expect(chat.widget.get_by_role("status").filter(has_text="Conversation cleared.")).to_be_visible()
    expect(chat.input).to_be_focused()
    page.wait_for_timeout(300)
    assert {"sender": old_sender, "message": "/restart"} in [json.loads(b) for b in sent if b]
    assert chat.stored()["sender"] != old_sender

    page.reload()
    expect(chat.log.locator(".sp-from-user")).to_have_count(0)
