"""A whole triage in the browser, by typing and clicking, to the recommendation card."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .chat import ChatPage, Scenario, low_contrast_text
from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

# Strangulation and children at home, nobody in danger this minute: the guidance
# sends this to MARAC and to Children's Social Care, not to 999.
STRANGULATION_WITH_CHILDREN = Scenario(
    opening="A patient told me her partner strangled her last week. Their two children live with them.",
    facts={
        "immediate_danger": False,
        "recent_incident": True,
        "disclosure_source": "victim",
        "children_in_household": True,
        "strangulation": True,
        "victim_consents_referral": True,
        "victim_consents_police": False,
    },
)

def run_triage(chat: ChatPage) -> None:
    chat.say(STRANGULATION_WITH_CHILDREN.opening)
    chat.answer_until_card(STRANGULATION_WITH_CHILDREN)


def check_card(chat: ChatPage) -> None:
    card = chat.card.last
    expect(card).to_be_visible()
    expect(card.get_by_role("heading", name="Recommended next steps")).to_be_visible()

    payload = chat.recommendation_payload()
    assert payload is not None, "the card must come from the structured recommendation message"
    shown = chat.card_pathway_ids()
    sent = payload["pathways"]
    assert shown == [p["id"] for p in sent], "the guidance orders pathways by urgency; the card keeps that order"
    assert "marac" in shown
    assert "childrens_social_care" in shown
    assert "police_999" not in shown

    # "Do this first" on top: the server's list, in its order; the rest is folded below it.
    first = card.locator(".sp-do-first-item")
    assert first.evaluate_all("els => els.map(e => e.dataset.pathwayId)") == [i["pathway"] for i in payload["do_first"]]
    assert 1 <= first.count() <= 3
    expect(first.first).to_be_visible()
    everything = card.locator("details.sp-all-pathways")
    expect(everything).not_to_have_attribute("open", "")
    everything.locator("summary").first.click()

    # Urgency is written out, not only coloured, and never goes from less to more urgent.
    pathways = card.locator(".sp-pathway")
    for index, pathway in enumerate(sent):
        urgency = str(pathway.get("urgency_label") or pathway.get("urgency") or "")
        assert urgency, f"{pathway['id']} has no urgency"
        expect(pathways.nth(index).locator(".sp-badge")).to_have_text(
            re.compile(rf"^Urgency: {re.escape(urgency.replace('_', ' '))}$", re.IGNORECASE))

    # Reasons are folded away and open on request.
    marac = card.locator('.sp-pathway[data-pathway-id="marac"]')
    why = marac.locator("details.sp-why")
    expect(why).not_to_have_attribute("open", "")
    why.locator("summary").click()
    expect(why).to_have_attribute("open", "")
    reasons = [r for p in sent if p["id"] == "marac" for r in p.get("reasons", [])]
    assert reasons, "MARAC must come with its reasons"
    expect(why.locator(".sp-reasons li").first).to_have_text(reasons[0])

    # Every phone number in the card is a tel: link.
    tel_links = card.locator('a[href^="tel:"]')
    assert tel_links.count() >= 1, "contacts must be tel: links"
    for href in tel_links.evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        assert re.fullmatch(r"tel:\+?\d{3,}", href), href


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone-360"])
def test_triage_by_typing_and_clicking_reaches_the_card(open_chat, artefacts, viewport):
    name = "desktop" if viewport is DESKTOP else "phone-360"
    chat = open_chat(viewport)
    chat.say(STRANGULATION_WITH_CHILDREN.opening)
    expect(chat.quick_replies.first).to_be_visible()
    chat.page.screenshot(path=str(artefacts / f"conversation-{name}.png"))
    chat.answer_until_card(STRANGULATION_WITH_CHILDREN)
    chat.page.screenshot(path=str(artefacts / f"card-arrives-{name}.png"))
    check_card(chat)

    assert low_contrast_text(chat.page) == []

    # A 360 px phone never needs sideways scrolling.
    overflow = chat.page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    # The widget with the card's first pathways (docs/img/recommendation-card.png is a copy).
    chat.page.set_viewport_size({"width": viewport["width"], "height": 1400})
    chat.log.evaluate("log => { log.style.height = '56rem'; }")
    chat.card.last.evaluate("card => { card.querySelectorAll('details').forEach(d => d.open = false);"
                            " card.closest('.sp-log').scrollTop = card.parentElement.offsetTop - 8; }")
    chat.widget.screenshot(path=str(artefacts / f"widget-with-card-{name}.png"))

    # The whole card in one picture: the log normally scrolls, so let it grow for this.
    chat.log.evaluate("log => { log.style.height = 'auto'; log.style.maxHeight = 'none'; }")
    height = chat.page.evaluate("document.scrollingElement.scrollHeight")
    chat.page.set_viewport_size({"width": viewport["width"], "height": height})
    chat.card.last.screenshot(path=str(artefacts / f"recommendation-card-{name}.png"))


def test_copy_referral_summary_puts_the_summary_on_the_clipboard(open_chat):
    chat = open_chat()
    chat.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=chat.web_url.rstrip("/"))
    run_triage(chat)
    card = chat.card.last
    card.get_by_role("button", name="Copy referral summary").click()
    expect(card.get_by_role("status")).to_have_text("Referral summary copied.")
    copied = chat.page.evaluate("navigator.clipboard.readText()")
    payload = chat.recommendation_payload()
    assert copied == payload["referral_summary"]          # the server's wording, not the widget's own
    for pathway in payload["pathways"]:
        assert str(pathway.get("title") or pathway["id"]) in copied or pathway["id"] in copied
