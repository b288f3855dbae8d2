"""Keyboard-only and screen-reader use: roles, labels, focus order, visible focus."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .chat import ChatPage
from .test_triage import STRANGULATION_WITH_CHILDREN, check_card

pytestmark = pytest.mark.browser

FOCUS_RING_JS = """() => {
  const s = getComputedStyle(document.activeElement);
  return { outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2, shadow: s.boxShadow !== 'none' };
}"""


def test_roles_and_labels_for_screen_readers(open_chat):
    chat = open_chat()
    log = chat.log
    expect(log).to_have_attribute("aria-live", "polite")
    expect(chat.input).to_have_accessible_description(
        "Please don't type names or other details that could identify anyone.")
    expect(chat.page.get_by_role("button", name="Send")).to_be_visible()
    expect(chat.page.get_by_role("button", name="Clear conversation")).to_be_visible()
    expect(chat.page.get_by_role("region", name="Signpost")).to_be_visible()
    expect(chat.page.get_by_role("heading", name="Signpost")).to_be_visible()
    # Who said what is spoken, not only shown by the bubble's side.
    chat.say("hello")
    expect(log.locator(".sp-from-user .sp-visually-hidden").last).to_have_text("You: ")
    expect(log.locator(".sp-from-bot .sp-visually-hidden").last).to_have_text("Signpost: ")


def test_focus_order_starts_at_the_999_call_and_is_visible(open_chat):
    chat = open_chat()
    page = chat.page
    page.locator("body").focus()
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        label = page.evaluate("() => { const a = document.activeElement;"
                              " return a.closest('.sp-widget')"
                              " ? (a.getAttribute('aria-label') || a.textContent.trim() || a.className) : null; }")
        if label is None:
            continue
        assert page.evaluate(FOCUS_RING_JS)["outline"], f"no visible focus on {label!r}"
        order.append(label)
        if label == "Clear conversation":
            break
    assert order[0] == "Call 999"
    assert order.index("Conversation") < order.index("Send") < order.index("Clear conversation")
    assert order[order.index("Send") - 1] != "Clear conversation"


def test_a_whole_triage_with_the_keyboard_only(open_chat):
    chat: ChatPage = open_chat()
    page = chat.page
    page.locator("body").focus()
    chat.tab_to(chat.input)
    page.keyboard.type(STRANGULATION_WITH_CHILDREN.opening)
    page.keyboard.press("Enter")
    chat.settle()
    chat.answer_until_card(STRANGULATION_WITH_CHILDREN, keyboard=True)

    # The folded steps and their reasons open from the keyboard too.
    everything = chat.card.last.locator("details.sp-all-pathways")
    chat.tab_to(everything.locator("summary").first)
    assert page.evaluate(FOCUS_RING_JS)["outline"]
    page.keyboard.press("Enter")
    expect(everything).to_have_attribute("open", "")
    why = chat.card.last.locator('.sp-pathway[data-pathway-id="marac"] details.sp-why')
    chat.tab_to(why.locator("summary"))
    assert page.evaluate(FOCUS_RING_JS)["outline"]
    page.keyboard.press("Enter")
    expect(why).to_have_attribute("open", "")
    page.keyboard.press("Enter")  # close both again so check_card can open them
    chat.tab_to(everything.locator("summary").first)
    page.keyboard.press("Enter")
    check_card(chat)
