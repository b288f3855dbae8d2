"""The card read at a glance (issue 9) and the area per conversation, in the browser
against the real servers: "Do this first" fits a 1366x768 screen, rule ids and fresh
"checked" dates are not shown, and the page's data-area travels with every message."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from assistant import PROJECT_ROOT

from .conftest import LAPTOP
from .test_triage import STRANGULATION_WITH_CHILDREN

pytestmark = pytest.mark.browser

# Refreshed under test-artefacts/ (git-ignored): a test run never edits a tracked file;
# docs/img/recommendation-card.png is copied from it by hand when the card changes.
SCREENSHOT = PROJECT_ROOT / "test-artefacts" / "widget" / "recommendation-card.png"


def _triage(chat):
    chat.say(STRANGULATION_WITH_CHILDREN.opening)
    chat.answer_until_card(STRANGULATION_WITH_CHILDREN)
    return chat.card.last, chat.recommendation_payload()


def test_do_this_first_is_read_without_scrolling_at_1366x768(open_chat):
    chat = open_chat(LAPTOP)
    card, payload = _triage(chat)
    block = card.locator(".sp-do-first")
    expect(block).to_be_visible()
    # the card's top is brought into view; the whole block fits the conversation's visible height
    box, log = block.bounding_box(), chat.log.bounding_box()
    assert box and log, "the block and the conversation are on the page"
    assert box["y"] >= log["y"] - 1 and box["y"] + box["height"] <= log["y"] + log["height"] + 1, (box, log)
    items = payload["do_first"]
    assert 1 <= len(items) <= 3
    for index, item in enumerate(items):
        shown = block.locator(".sp-do-first-item").nth(index)
        expect(shown).to_contain_text(item["action"])
        expect(shown.locator(".sp-do-first-why")).to_have_text("Why: " + item["why"])   # this case's reason
        if item["phone"]:
            expect(shown.locator('a[href^="tel:"]')).to_have_text(item["phone"]["phone"])
    # the rest is folded below
    expect(card.locator("details.sp-all-pathways")).not_to_have_attribute("open", "")

    # the README's picture of the card, as it looks on that screen
    chat.card.last.evaluate("card => card.closest('.sp-log').scrollTop = card.parentElement.offsetTop - 8")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    chat.widget.screenshot(path=str(SCREENSHOT))


def test_rule_ids_and_fresh_checked_dates_are_not_shown(open_chat):
    chat = open_chat()
    card, payload = _triage(chat)
    card.locator("details").evaluate_all("ds => ds.forEach(d => d.open = true)")
    text = card.inner_text()
    for pathway in payload["pathways"]:
        assert pathway["rules"], "rule ids stay in the JSON"
        for rule in pathway["rules"]:
            assert not re.search(rf"\b{re.escape(rule)}\b", text), rule
    contacts = [c for p in payload["pathways"] for c in p["contacts"]]
    fresh = {c["last_verified"] for c in contacts if c.get("checked_is_old") is False}
    old = {c["last_verified"] for c in contacts if c.get("checked_is_old") is True}
    assert fresh, "the scenario has recently checked contacts"
    for date in fresh - old:
        assert date not in text                   # a recent check is not worth anyone's attention
    for date in old:
        assert f"last checked {date}" in text     # an old one is, so the number is confirmed first
    # the tone is the server's: each pathway carries it and the widget draws that class
    for pathway in payload["pathways"]:
        expect(card.locator(f'.sp-pathway[data-pathway-id="{pathway["id"]}"]')).to_have_class(
            re.compile(rf"\bsp-tone-{pathway['tone']}\b"))


def test_the_pages_area_is_sent_with_every_message_and_used(open_chat):
    chat = open_chat(path="area/st_helens")
    bodies = []
    chat.page.on("request", lambda r: bodies.append(json.loads(r.post_data)) if r.method == "POST"
                 and "/webhooks/" in r.url and r.post_data else None)
    card, payload = _triage(chat)
    assert len(bodies) >= 2
    assert all(b.get("metadata") == {"area": "st_helens"} for b in bodies), bodies
    assert payload["area"] == "st_helens"
    idva = next(p for p in payload["pathways"] if p["id"] == "idva")
    assert any("St Helens" in c["name"] for c in idva["contacts"])      # St Helens' own contacts


def test_a_page_without_an_area_sends_no_area(open_chat):
    chat = open_chat()
    bodies = []
    chat.page.on("request", lambda r: bodies.append(json.loads(r.post_data)) if r.method == "POST"
                 and "/webhooks/" in r.url and r.post_data else None)
    chat.say("hello")
    assert bodies and all("metadata" not in b for b in bodies)
