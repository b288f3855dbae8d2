"""Adaptive Cards (schema 1.4) for Microsoft Teams, built from Signpost's messages.

Pure functions: no Rasa, no network. Input is the wire shape from
shared/vocabulary.md (``{"recommendation": {...}}``, ``{"answer": {...}}``) and
Rasa's quick-reply buttons; output is a card dict ready to attach to a Bot
Framework activity.

Text that comes from the guidance, the knowledge base or the conversation is
only ever put in a TextRun (inside a RichTextBlock). The Adaptive Card spec
says TextRun does not interpret Markdown, so a title or reason containing
``[text](url)`` shows those characters and cannot become a link. TextBlock
(which does interpret Markdown, and whose backslash escapes render
differently on Teams desktop and mobile) is used only for Signpost's own fixed
labels, and even those pass through ``escape_markdown``.
"""
from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assistant import PROJECT_ROOT
from assistant.conversation.messages import EMERGENCY_FALLBACK, EMERGENCY_PATHWAY
from assistant.guidance.render import CARD_WORDS
from assistant.knowledge.render import DONT_KNOW

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
# Teams draws Adaptive Cards up to 1.5 on desktop and web; older mobile
# clients stop earlier. Signpost's cards declare 1.4 and use only elements
# from 1.2 or before (RichTextBlock, ActionSet), which every current Teams
# client, mobile included, draws. ``required_version`` checks that, and a card
# that would need more is sent as its fallback text instead.
TEAMS_MAX_CARD_VERSION = "1.5"
_INTRODUCED = {
    "AdaptiveCard": "1.0", "TextBlock": "1.0", "Container": "1.0", "Action.Submit": "1.0",
    "Action.OpenUrl": "1.0", "Action.ShowCard": "1.0", "RichTextBlock": "1.2", "TextRun": "1.2",
    "ActionSet": "1.2",
}
_PROPERTY_INTRODUCED = {"isVisible": "1.2", "style": "1.2", "italic": "1.2", "msteams": "1.0"}
# Hosts differ in how many buttons they draw in one row (HostConfig maxActions
# defaults to 5); more than that are silently dropped, so rows are split.
MAX_ACTIONS_PER_ROW = 5
# Teams refuses bot messages over about 28 KB; a long recommendation is split
# into several cards below this size rather than being refused whole.
MAX_CARD_BYTES = 24_000

# The web's own words (assistant/knowledge/render.py), not a copy; it ends with the 999 line.
DONT_KNOW_TEXT = DONT_KNOW
# Marks the quick-reply payload inside a submitted card's data, so the input
# channel can tell our button presses from anything else a card might send.
PAYLOAD_KEY = "signpost_payload"

# Colour is a cue only: the urgency is always written out in words too. The tone is the
# server's (the guidance's urgency levels, assistant/guidance/render.py tone_of).
_TONE_COLOUR = {"danger": "Attention", "warning": "Warning"}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKDOWN_CHARS = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")
_LIST_START = re.compile(r"^(\s*)(\d+)\.(\s)", re.MULTILINE)
_DASH_START = re.compile(r"^(\s*)-(\s)", re.MULTILINE)
_PHONE_CHARS = re.compile(r"[^\d+]")
_WEB_URL = re.compile(r"^https?://[^\s/?#<>\"']+[^\s<>\"']*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[A-Za-z]{2,}$")


# ---------- text ----------

def plain(value: Any) -> str:
    """Any value as display text: None is empty, control characters removed."""
    if value is None:
        return ""
    return _CONTROL_CHARS.sub("", str(value)).strip()


def escape_markdown(text: str) -> str:
    """``text`` with every Markdown construct Adaptive Cards know (bold, italic,
    links, lists) escaped, for the rare place a TextBlock must carry it."""
    escaped = _MARKDOWN_CHARS.sub(r"\\\1", plain(text))
    escaped = _LIST_START.sub(r"\1\2\\.\3", escaped)
    return _DASH_START.sub(r"\1\\-\2", escaped)


def humanise(identifier: str) -> str:
    words = plain(identifier).replace("_", " ")
    return words[:1].upper() + words[1:]


def text_run(text: Any, **style: Any) -> dict[str, Any]:
    # Not stripped: runs are joined as written ("Urgency: " + "Now").
    return {"type": "TextRun", "text": _CONTROL_CHARS.sub("", "" if text is None else str(text)), **style}


def paragraph(*runs: dict[str, Any], spacing: str | None = None) -> dict[str, Any]:
    """A RichTextBlock: plain text that wraps, never read as Markdown."""
    block: dict[str, Any] = {"type": "RichTextBlock", "inlines": list(runs)}
    if spacing:
        block["spacing"] = spacing
    return block


def label(text: str, **style: Any) -> dict[str, Any]:
    """A TextBlock for Signpost's own fixed wording (headings)."""
    return {"type": "TextBlock", "text": escape_markdown(text), "wrap": True, **style}


# ---------- actions ----------

def submit_action(title: str, payload: str) -> dict[str, Any]:
    """A button that sends ``payload`` (e.g. ``/inform{"x": true}``) back to the bot.

    messageBack shows the button's title in the chat as the user's reply, and
    sends the payload as the message text and again in the card data.
    """
    title = plain(title) or plain(payload)
    return {
        "type": "Action.Submit",
        "title": title,
        "data": {
            PAYLOAD_KEY: payload,
            "msteams": {"type": "messageBack", "displayText": title, "text": payload},
        },
    }


def open_url_action(title: str, url: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": plain(title), "url": url}


def action_rows(actions: Sequence[dict[str, Any]], spacing: str = "Small") -> list[dict[str, Any]]:
    """ActionSets of at most MAX_ACTIONS_PER_ROW buttons, so none are dropped."""
    return [
        {"type": "ActionSet", "actions": list(actions[i:i + MAX_ACTIONS_PER_ROW]), "spacing": spacing}
        for i in range(0, len(actions), MAX_ACTIONS_PER_ROW)
    ]


def tel_url(phone: Any) -> str | None:
    """``tel:`` link for a phone number as written in the guidance ("0808 2000 247")."""
    digits = _PHONE_CHARS.sub("", plain(phone))
    if not digits or not any(c.isdigit() for c in digits) or "+" in digits[1:]:
        return None
    return f"tel:{digits}"


def web_url(value: Any) -> str | None:
    """``value`` when it is a plain http(s) address, else None (no javascript: etc.)."""
    text = plain(value)
    return text if _WEB_URL.match(text) else None


def mailto_url(value: Any) -> str | None:
    text = plain(value)
    return f"mailto:{text}" if _EMAIL.match(text) else None


# ---------- card ----------

def adaptive_card(body: list[dict[str, Any]], fallback_text: str = "") -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        # Teams draws cards narrow by default; pathways read better full width.
        "msteams": {"width": "Full"},
    }
    if plain(fallback_text):
        card["fallbackText"] = plain(fallback_text)
    return card


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def required_version(node: Any) -> str:
    """The lowest Adaptive Card version that draws everything in ``node``;
    "99.0" for an element type this module does not know (so it is never sent)."""
    needed: tuple[int, ...] = (1, 0)
    if isinstance(node, Mapping):
        kind = node.get("type")
        if isinstance(kind, str):
            needed = max(needed, _version(_INTRODUCED.get(kind, "99.0")))
            for key in node:
                if key in _PROPERTY_INTRODUCED and not (key == "style" and node[key] == "default"):
                    needed = max(needed, _version(_PROPERTY_INTRODUCED[key]))
        # An action's data is ours, not the card's: its "type" names no element.
        children: Iterable[Any] = [value for key, value in node.items() if key != "data"]
    elif isinstance(node, list):
        children = node
    else:
        return ".".join(map(str, needed))
    for child in children:
        needed = max(needed, _version(required_version(child)))
    return ".".join(map(str, needed))


def fits_teams(card: Mapping[str, Any]) -> bool:
    """True when every Teams client can draw ``card`` as declared."""
    return _version(required_version(card)) <= _version(str(card.get("version", "0"))) \
        <= _version(TEAMS_MAX_CARD_VERSION)


def attachment(card: Mapping[str, Any]) -> dict[str, Any]:
    """The Bot Framework attachment that carries ``card``."""
    return {"contentType": CARD_CONTENT_TYPE, "content": dict(card)}


@functools.lru_cache(maxsize=16)
def emergency_line(area: str = "") -> str:
    """The 999 step as the guidance words it (the police_999 pathway, the area's
    wording where it has its own), said as a condition: it heads every card, and
    must not tell anyone to call 999 when nobody is in danger."""
    try:
        from assistant.guidance import load_guidance  # here: cards stay importable without the guidance

        pathway = load_guidance(PROJECT_ROOT / "pathways", area=area or None).pathways[EMERGENCY_PATHWAY]
    except Exception as exc:  # noqa: BLE001 - a card without the 999 step would be worse
        log.error("Teams cards: could not read the %s pathway (%s)", EMERGENCY_PATHWAY, type(exc).__name__)
        return EMERGENCY_FALLBACK   # the card must never leave someone without the 999 step
    when = plain(pathway.summary).rstrip(".")
    when = when[:1].lower() + when[1:]
    return f"If {when}: {plain(pathway.what_to_do)}" if when else plain(pathway.what_to_do)


def emergency_block(area: str = "") -> dict[str, Any]:
    """The 999 line and a call button: on every recommendation, whatever it says."""
    return {
        "type": "Container",
        "style": "attention",
        "items": [
            paragraph(text_run(emergency_line(area), weight="Bolder")),
            *action_rows([open_url_action("Call 999", "tel:999")]),
        ],
    }


def question_card(text: str, buttons: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A question with its quick-reply buttons as Action.Submit (messageBack)."""
    actions = []
    for button in buttons:
        payload = plain(button.get("payload")) or plain(button.get("title"))
        if payload:
            actions.append(submit_action(plain(button.get("title")) or payload, payload))
    body = [paragraph(text_run(text))] if plain(text) else []
    return adaptive_card(body + action_rows(actions, spacing="Medium"), fallback_text=text)


def _contact_lines(contact: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    name = plain(contact.get("name")) or "Contact"
    details = [f"{word}: {plain(contact[key])}" for key, word in
               (("phone", "Phone"), ("hours", "Hours"), ("how", "How"), ("form", "Form"),
                ("url", "Web"), ("email", "Email")) if plain(contact.get(key))]
    runs = [text_run(name, weight="Bolder")]
    if details:
        runs.append(text_run(" \u2014 " + " \u2014 ".join(details)))
    actions = []
    phone_link = tel_url(contact.get("phone"))
    if phone_link:
        actions.append(open_url_action(f"Call {plain(contact.get('phone'))}", phone_link))
    for key, title in (("form", "Open the form"), ("url", "Open the website")):
        link = web_url(contact.get(key))
        if link:
            actions.append(open_url_action(title, link))
    email_link = mailto_url(contact.get("email"))
    if email_link:
        actions.append(open_url_action("Email", email_link))
    return [paragraph(*runs, spacing="Small")], actions


def card_words(recommendation: Mapping[str, Any]) -> dict[str, str]:
    """The card's words as the server sent them (``words``); CARD_WORDS, the same source,
    for a payload that carries none."""
    sent = recommendation.get("words")
    words = dict(CARD_WORDS)
    if isinstance(sent, Mapping):
        words.update({str(k): plain(v) for k, v in sent.items()})
    return words


def _fill(text: str, **values: Any) -> str:
    # str.format would fail on any other brace in the words; only the named places are filled
    for name, value in values.items():
        text = text.replace("{" + name + "}", plain(value))
    return text


def pathway_block(number: int, pathway: Mapping[str, Any], words: Mapping[str, str] = CARD_WORDS) -> dict[str, Any]:
    """One recommended pathway: title, urgency in words, what to do, why, how, contacts."""
    title = plain(pathway.get("title")) or humanise(plain(pathway.get("id")))
    urgency = plain(pathway.get("urgency_label")) or humanise(plain(pathway.get("urgency")))
    colour = _TONE_COLOUR.get(plain(pathway.get("tone")), "Default")
    items: list[dict[str, Any]] = [
        paragraph(text_run(f"{number}. {title}", weight="Bolder", size="Medium")),
        paragraph(text_run(words["urgency"].split("{label}")[0], weight="Bolder"),
                  text_run(urgency or "not given", color=colour, weight="Bolder"), spacing="None"),
    ]
    if plain(pathway.get("what_to_do")):
        items.append(paragraph(text_run(pathway["what_to_do"])))
    reasons = [plain(r) for r in pathway.get("reasons") or [] if plain(r)]
    if reasons:
        items.append(paragraph(text_run("Why", weight="Bolder"), spacing="Small"))
        items += [paragraph(text_run(f"\u2022 {reason}"), spacing="None") for reason in reasons]
    for key in ("how_to_refer", "consent", "sharing_without_consent"):
        if plain(pathway.get(key)):
            items.append(paragraph(text_run(words[key] + ": ", weight="Bolder"), text_run(pathway[key]),
                                   spacing="Small"))
    contacts = [c for c in pathway.get("contacts") or [] if isinstance(c, Mapping)]
    if contacts:
        items.append(paragraph(text_run(words["contacts"], weight="Bolder"), spacing="Small"))
        actions: list[dict[str, Any]] = []
        for contact in contacts:
            lines, contact_actions = _contact_lines(contact)
            items += lines
            actions += contact_actions
        items += action_rows(actions)
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


def do_first_block(items: Sequence[Mapping[str, Any]], words: Mapping[str, str] = CARD_WORDS) -> dict[str, Any] | None:
    """"Do this first": the card-at-a-glance actions the guidance chose (``do_first``
    in the card payload, assistant/guidance/render.py), each with why and its one number."""
    rows: list[dict[str, Any]] = []
    for number, item in enumerate(i for i in items if isinstance(i, Mapping)):
        action = plain(item.get("action")) or plain(item.get("title"))
        if not action:
            continue
        rows.append(paragraph(text_run(f"{number + 1}. {action}", weight="Bolder"), spacing="Small"))
        if plain(item.get("why")):
            when = plain(item.get("urgency_label")).lower()
            rows.append(paragraph(text_run(f"Why {when}: " if when else "Why: ", isSubtle=True),
                                  text_run(item["why"]), spacing="None"))
        phone = item.get("phone")
        phone_number = phone.get("phone") if isinstance(phone, Mapping) else None
        link = tel_url(phone_number) if isinstance(phone, Mapping) else None
        if link:
            rows += action_rows([open_url_action(f"Call {plain(phone_number)}", link)], spacing="None")
    if not rows:
        return None
    return {"type": "Container", "style": "emphasis", "spacing": "Medium",
            "items": [label(words["do_first"], weight="Bolder"), *rows]}


def _answers_shown(recommendation: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answers used, as the server words them (``answers_used``: the guidance's own
    option labels); a payload without them shows its raw facts."""
    used = [a for a in recommendation.get("answers_used") or [] if isinstance(a, Mapping)]
    if used:
        return [paragraph(text_run(f"{plain(a.get('label'))}: {plain(a.get('answer'))}"), spacing="None")
                for a in used]
    facts = recommendation.get("facts")
    if not isinstance(facts, Mapping):
        return []
    return [paragraph(text_run(f"{humanise(name)}: {_fact_text(value)}"), spacing="None")
            for name, value in facts.items()]


def _fact_text(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "not sure"
    return plain(value)


def _summary(pathways: Sequence[Mapping[str, Any]], first_number: int, area: str = "",
             words: Mapping[str, str] = CARD_WORDS) -> str:
    steps = "; ".join(
        f"{n}. {plain(p.get('title')) or humanise(plain(p.get('id')))} "
        f"({plain(p.get('urgency_label')) or humanise(plain(p.get('urgency')))})"
        for n, p in enumerate(pathways, start=first_number))
    line = emergency_line(area)
    # the card's title and "most urgent first", run together for a client that cannot draw the card
    return f"{words['title']}. {words['most_urgent_first']} {steps}. {line}" if steps else line


def _size(element: Any) -> int:
    return len(json.dumps(element).encode())  # as sent: non-ASCII escaped


def recommendation_cards(recommendation: Mapping[str, Any], max_bytes: int = MAX_CARD_BYTES) -> list[dict[str, Any]]:
    """The recommendation (the ``recommendation`` object of the wire message) as
    one card, or as several when one would pass Teams' message size limit.

    Pathways keep the order the engine gave (most urgent first) and are never
    cut. The 999 line heads every card, even when nothing matched; the answers
    used, the closing note and the guidance version end the last one.
    """
    pathways = [p for p in recommendation.get("pathways") or [] if isinstance(p, Mapping)]
    words = card_words(recommendation)
    blocks = [pathway_block(n, p, words) for n, p in enumerate(pathways, start=1)]
    ending: list[dict[str, Any]] = []
    shown = _answers_shown(recommendation)
    if shown:
        ending.append({"type": "ActionSet", "spacing": "Medium", "actions": [{
            "type": "Action.ShowCard", "title": _fill(words["answers_used"], n=len(shown)),
            "card": {"type": "AdaptiveCard", "version": CARD_VERSION, "body": shown}}]})
    note = plain(recommendation.get("note"))
    if note:
        ending.append(paragraph(text_run(note), spacing="Medium"))
    version = plain(recommendation.get("guidance_version")) or "unknown"
    area = plain(recommendation.get("area"))
    version_line = (_fill(words["guidance_version_area"], version=version, area=area) if area
                    else _fill(words["guidance_version"], version=version))
    ending.append(paragraph(text_run(version_line, isSubtle=True, size="Small"), spacing="Small"))

    def head(first: bool) -> list[dict[str, Any]]:
        if first:
            intro = [label(words["most_urgent_first"], isSubtle=True, spacing="None")] if blocks \
                else [paragraph(text_run(words["no_pathway"]))]
            glance = do_first_block(recommendation.get("do_first") or [], words) if blocks else None
            return [emergency_block(area), label(words["title"], size="Large", weight="Bolder"),
                    *([glance] if glance else []), *intro]
        return [emergency_block(area), label(f"{words['title']} (continued)", size="Large", weight="Bolder")]

    # Greedy packing: the fallback summary is counted with a margin per pathway.
    pages: list[list[int]] = [[]]
    used = _size(adaptive_card(head(True))) + _size(ending)
    for index, block in enumerate(blocks):
        cost = _size(block) + 400
        if pages[-1] and used + cost > max_bytes:
            pages.append([])
            used = _size(adaptive_card(head(False))) + _size(ending)
        pages[-1].append(index)
        used += cost
    cards = []
    for number, page in enumerate(pages):
        body = head(number == 0) + [blocks[i] for i in page]
        if number == len(pages) - 1:
            body += ending
        summary = _summary([pathways[i] for i in page], page[0] + 1 if page else 1, area, words)
        cards.append(adaptive_card(body, fallback_text=summary))
    return cards


def recommendation_card(recommendation: Mapping[str, Any]) -> dict[str, Any]:
    """The recommendation as a single card, whatever its size (see recommendation_cards)."""
    return recommendation_cards(recommendation, max_bytes=1 << 62)[0]


def answer_card(answer: Mapping[str, Any]) -> dict[str, Any]:
    """A knowledge answer (the ``answer`` object of the wire message): the best
    passage, its article title, sources and review date; or "I don't know"."""
    answers = [a for a in answer.get("answers") or [] if isinstance(a, Mapping)]
    if answer.get("answered") is False or not answers:
        # The web's sentence, which already ends with the 999 step.
        return adaptive_card([paragraph(text_run(DONT_KNOW_TEXT))], fallback_text=DONT_KNOW_TEXT)
    else:
        best = answers[0]
        fallback = plain(best.get("passage"))
        body = [paragraph(text_run(plain(best.get("title")) or "Answer", weight="Bolder", size="Medium")),
                paragraph(text_run(fallback))]
        sources = [plain(s) for s in best.get("sources") or [] if plain(s)]
        if sources:
            body.append(paragraph(text_run("Sources: ", weight="Bolder"), text_run("; ".join(sources)),
                                  spacing="Small"))
        if plain(best.get("last_reviewed")):
            body.append(paragraph(text_run(f"Last reviewed {plain(best['last_reviewed'])}", isSubtle=True,
                                           size="Small"), spacing="Small"))
    body.append(paragraph(text_run(emergency_line(plain(answer.get("area"))), isSubtle=True, size="Small"),
                          spacing="Medium"))
    return adaptive_card(body, fallback_text=fallback)


def cards_for_custom(custom: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The cards for one of Signpost's structured messages; [] for any other shape."""
    recommendation = custom.get("recommendation")
    if isinstance(recommendation, Mapping):
        return recommendation_cards(recommendation)
    answer = custom.get("answer")
    if isinstance(answer, Mapping):
        return [answer_card(answer)]
    return []
