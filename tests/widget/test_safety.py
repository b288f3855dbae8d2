"""The 999 banner, inert markup, and nothing sent but the conversation."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Route, expect

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

HOSTILE = [
    '<img src=x onerror="window.__signpostPwned = 1">',
    "<script>window.__signpostPwned = 2</script>",
    '<a href="javascript:window.__signpostPwned=3">click</a>',
]


def assert_inert(chat) -> None:
    assert chat.page.evaluate("window.__signpostPwned") is None
    widget = chat.widget
    assert widget.locator("img, script, iframe, object, embed").count() == 0
    assert widget.locator('a[href^="javascript:"]').count() == 0


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone-360"])
def test_999_banner_is_always_in_view(open_chat, viewport):
    chat = open_chat(viewport)
    banner = chat.page.get_by_role("note").filter(has_text="Someone in danger now? Call 999")
    expect(banner).to_be_in_viewport()
    expect(banner.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")

    # Still in view while the person is typing further down the page and after a few turns.
    for text in ("hello", "what is MARAC?"):
        chat.say(text)
    chat.input.scroll_into_view_if_needed()
    chat.page.mouse.wheel(0, 400)
    expect(banner).to_be_in_viewport()
    expect(chat.input).to_be_in_viewport()


def test_markup_typed_by_the_user_stays_text(open_chat):
    chat = open_chat()
    for text in HOSTILE:
        chat.say(text)
    bubbles = chat.log.locator(".sp-from-user .sp-bubble")
    expect(bubbles).to_have_text(HOSTILE)
    assert_inert(chat)
    # And again after a reload re-draws the transcript from storage.
    chat.page.reload()
    expect(chat.log.locator(".sp-from-user .sp-bubble")).to_have_text(HOSTILE)
    assert_inert(chat)


def test_markup_from_the_bot_stays_text(open_chat):
    """The real bot never sends markup; a tampered reply stands in for a compromised one."""
    chat = open_chat()
    evil = HOSTILE[0]
    reply = [
        {"recipient_id": "x", "text": evil, "buttons": [{"title": HOSTILE[1], "payload": "/greet"}]},
        {"recipient_id": "x", "custom": {"recommendation": {
            "guidance_version": HOSTILE[1],
            "pathways": [{"id": evil, "title": evil, "urgency": HOSTILE[1], "reasons": [evil],
                          "contacts": [evil, {"name": evil, "phone": "0151 000 0000", "url": "javascript:alert(1)"}]}],
            "facts": {evil: evil},
        }}},
        {"recipient_id": "x", "custom": {"answer": {"answered": True, "answers": [
            {"title": evil, "passage": HOSTILE[1], "sources": [evil, {"title": evil, "url": "javascript:x"}],
             "last_reviewed": evil}]}}},
    ]

    held: list[Route] = []
    chat.page.route(chat.webhook, lambda route: held.append(route))
    chat.input.fill("hello")
    chat.input.press("Enter")
    # While the reply is on its way the typing indicator shows.
    expect(chat.widget.get_by_text("Signpost is typing…")).to_be_visible()
    for _ in range(200):
        if any(r.request.method == "POST" for r in held):
            break
        chat.page.wait_for_timeout(50)
    post = next(r for r in held if r.request.method == "POST")
    post.fulfill(status=200, content_type="application/json", body=json.dumps(reply),
                    headers={"Access-Control-Allow-Origin": "*"})
    chat.settle()
    expect(chat.widget.get_by_text("Signpost is typing…")).to_be_hidden()
    expect(chat.log.locator(".sp-from-bot .sp-bubble").last).to_have_text(evil)
    expect(chat.quick_replies.first).to_have_text(HOSTILE[1])
    expect(chat.card.locator(".sp-pathway-title")).to_have_text(evil)
    chat.card.locator("summary").first.click()
    expect(chat.log.locator(".sp-answer .sp-answer-passage")).to_have_text(HOSTILE[1])
    assert_inert(chat)


def test_the_widget_sends_nothing_but_the_conversation(open_chat):
    chat = open_chat()
    requests = []
    chat.page.on("request", lambda r: requests.append(r))
    chat.say("hello")
    chat.page.reload()
    chat.say("what is MARAC?")

    web_origin = chat.web_url.rstrip("/")
    for request in requests:
        if request.url.startswith(web_origin + "/"):
            assert request.method == "GET", request.url  # the page and the widget's own files
            continue
        assert request.url == chat.webhook, f"unexpected request to {request.url}"
        if request.method == "OPTIONS":
            continue  # CORS preflight carries no body
        assert request.method == "POST"
        body = json.loads(request.post_data or "{}")
        assert set(body) == {"sender", "message"}
        headers = request.all_headers()
        assert not headers.get("cookie")
        assert not headers.get("referer"), "the page address must not leave with the message"

    assert any(r.url == chat.webhook for r in requests)
