"""Drives the chat widget the way a person would: typing, clicking, or keyboard only."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Locator, Page, expect

INFORM = re.compile(r"^/inform\s*(\{.*\})\s*$", re.DOTALL)
REPLY_TIMEOUT_MS = 60_000
MISSING = object()

# Pending messages are kept in sessionStorage until the server has answered them.
SETTLED_JS = """() => {
  const raw = sessionStorage.getItem('signpost-chat:v1');
  const typing = document.querySelector('.sp-typing');
  if (!raw || !typing) return false;
  return JSON.parse(raw).pending.length === 0 && typing.hidden;
}"""


def inform_value(payload: str) -> tuple[str | None, Any]:
    """(fact, value) set by a `/inform{"fact": value}` payload, or (None, MISSING)."""
    match = INFORM.match(payload or "")
    if not match:
        return None, MISSING
    try:
        body = json.loads(match.group(1))
    except ValueError:
        return None, MISSING
    if not isinstance(body, dict) or len(body) != 1:
        return None, MISSING
    fact, value = next(iter(body.items()))
    return fact, value


@dataclass
class Scenario:
    """What the professional knows; facts not listed are answered "no" (or "not sure")."""

    opening: str
    facts: dict[str, Any] = field(default_factory=dict)
    free_text_answer: str = "not sure"

    def choose(self, payloads: list[str]) -> int:
        group = self._choose_in_group(payloads)
        if group is not None:
            return group
        parsed = [inform_value(p) for p in payloads]
        for wanted in (lambda f, v: f in self.facts and v == self.facts[f] and type(v) is type(self.facts[f]),
                       lambda f, v: f not in self.facts and v is False,
                       lambda f, v: v is None):
            for index, (fact, value) in enumerate(parsed):
                if fact is not None and wanted(fact, value):
                    return index
        return 0

    def _choose_in_group(self, payloads: list[str]) -> int | None:
        """A group question ("Has any of these happened?"): "Yes, one or more" when any
        listed fact is yes, "None of these" when all are no, else "Not sure"."""
        bodies: list[Any] = []
        for payload in payloads:
            match = INFORM.match(payload or "")
            try:
                bodies.append(json.loads(match.group(1)) if match else None)
            except ValueError:
                bodies.append(None)
        none_of_these = next((i for i, b in enumerate(bodies) if isinstance(b, dict) and len(b) > 1
                              and all(v is False for v in b.values())), None)
        if none_of_these is None:
            return None
        listed = list(bodies[none_of_these])
        if any(self.facts.get(f) is True for f in listed):
            return next(i for i, b in enumerate(bodies) if isinstance(b, dict) and len(b) == 1
                        and next(iter(b.values())) is True)
        if all(self.facts.get(f, False) is False for f in listed):
            return none_of_these
        return next(i for i, b in enumerate(bodies) if isinstance(b, dict) and len(b) > 1
                    and all(v is None for v in b.values()))


class ChatPage:
    def __init__(self, page: Page, web_url: str, rasa_url: str) -> None:
        self.page = page
        self.web_url = web_url.rstrip("/") + "/"
        self.rasa_url = rasa_url.rstrip("/")
        self.webhook = self.rasa_url + "/webhooks/signpost/webhook"

    # ---- locators ----
    @property
    def widget(self) -> Locator:
        return self.page.locator(".sp-widget")

    @property
    def log(self) -> Locator:
        return self.page.get_by_role("log", name="Conversation")

    @property
    def input(self) -> Locator:
        return self.page.get_by_role("textbox", name="Your message")

    @property
    def quick_replies(self) -> Locator:
        return self.log.locator(".sp-quick-reply")

    @property
    def card(self) -> Locator:
        return self.log.locator(".sp-recommendation")

    # ---- actions ----
    def open(self, path: str = "") -> None:
        self.page.goto(self.web_url + path.lstrip("/"))
        expect(self.input).to_be_visible()

    def settle(self) -> None:
        self.page.wait_for_function(SETTLED_JS, timeout=REPLY_TIMEOUT_MS)

    def say(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")
        self.settle()

    def click_reply(self, title_or_index: Any) -> None:
        button = (self.quick_replies.nth(title_or_index) if isinstance(title_or_index, int)
                  else self.quick_replies.filter(has_text=title_or_index).first)
        button.click()
        self.settle()

    def stored(self) -> dict:
        return json.loads(self.page.evaluate("sessionStorage.getItem('signpost-chat:v1')") or "{}")

    def recommendation_payload(self) -> dict | None:
        for message in reversed(self.stored().get("messages", [])):
            custom = message.get("custom") or {}
            if isinstance(custom.get("recommendation"), dict):
                return custom["recommendation"]
        return None

    def card_pathway_ids(self) -> list[str]:
        return self.card.last.locator(".sp-pathway").evaluate_all("els => els.map(e => e.dataset.pathwayId)")

    def answer_until_card(self, scenario: Scenario, keyboard: bool = False, max_turns: int = 30) -> None:
        """Answers the bot's questions from the scenario until the recommendation card shows."""
        for _ in range(max_turns):
            if self.card.count():
                return
            count = self.quick_replies.count()
            if count:
                payloads = [self.quick_replies.nth(i).evaluate("b => b.dataset.payload || ''") for i in range(count)]
                index = scenario.choose(payloads)
                if keyboard:
                    self.tab_to(self.quick_replies.nth(index))
                    self.page.keyboard.press("Enter")
                    self.settle()
                else:
                    self.click_reply(index)
            elif keyboard:
                self.tab_to(self.input)
                self.page.keyboard.type(scenario.free_text_answer)
                self.page.keyboard.press("Enter")
                self.settle()
            else:
                self.say(scenario.free_text_answer)
        expect(self.card).to_have_count(1, timeout=1)

    def tab_to(self, target: Locator, max_presses: int = 60) -> None:
        """Moves focus with Tab (or Shift+Tab when the target is behind) until it is on target."""
        handle = target.element_handle()
        behind = self.page.evaluate(
            "t => { const a = document.activeElement;"
            " return !!a && a !== document.body"
            " && !!(t.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING); }",
            handle,
        )
        key = "Shift+Tab" if behind else "Tab"
        for _ in range(max_presses):
            if self.page.evaluate("t => document.activeElement === t", handle):
                return
            self.page.keyboard.press(key)
        raise AssertionError(f"could not reach {target} with {key}")


# WCAG 2.1 contrast of every visible text node in the widget against the
# background actually behind it (the first opaque ancestor background).
LOW_CONTRAST_JS = """(root) => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
  const lum = ({ r, g, b }) => { const f = v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => { for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0.99) return c; }
    return { r: 255, g: 255, b: 255, a: 1 }; };
  const problems = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement; if (!n.textContent.trim() || !el) continue;
    if (!el.getClientRects().length || el.closest('.sp-visually-hidden, [hidden]')) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) problems.push(`${n.textContent.trim().slice(0, 40)}: ${ratio.toFixed(2)}`);
  }
  return problems;
}"""


def low_contrast_text(page: Page) -> list[str]:
    """Texts in the widget below WCAG AA contrast, with their ratios."""
    return page.locator(".sp-widget").evaluate(LOW_CONTRAST_JS)
