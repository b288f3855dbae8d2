"""What a recommendation shows people: the card payload (with its "Do this first"
block), the short plain text for channels that cannot draw a card, the full text
("more detail") and a summary a professional can paste into a referral form.

Every channel (widget, Teams, REST) draws what these functions compute, so the
do-first list, the case's own "why today" and the wording are the same everywhere.
Internal rule ids stay in the JSON (for audit) and are never put in people's text.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from assistant.dates import as_date

from .model import Guidance, PathwayRec, Recommendation
from .stopping import today_rank

# "Do this first" holds at most this many actions: more would not be read at a glance.
DO_FIRST_MAX = 3
# The plain-text form aims at about this many words (issue 9: a card read in ten seconds).
TEXT_WORD_BUDGET = 250
# The urgency tones a channel styles by (danger, warning, info, neutral), given by rank when
# guidance.yaml names none (an urgency's optional `tone:`); the widget keeps no colours per urgency.
_TONES_BY_RANK = ("danger", "warning", "info", "neutral")
# What a person types for the rest (the conversation answers it with render_detail()).
MORE_DETAIL = "more detail"
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")

# The card's own words, sent in every card payload (``words``) so a channel draws this copy
# and keeps none of its own. A channel fills {n} (a count), {label} (an urgency's label),
# {text}, {date}, {version} and {area}; anything counted in a sentence the card already says.
CARD_WORDS: dict[str, str] = {
    "title": "Recommended next steps",
    "do_first": "Do this first",
    "most_urgent_first": "Most urgent first.",
    "no_pathway": ("No pathway matched these answers. Please talk to your safeguarding lead. "
                   "If anyone is in danger now, call 999."),
    "all_steps": "All {n} steps, with how to refer, consent and contacts",
    "urgency": "Urgency: {label}",
    "why_one": "Why (1 reason)",
    "why_many": "Why ({n} reasons)",
    "why": "Why: {text}",
    "phone": "Phone",
    "how": "How to refer and consent",
    "how_to_refer": "How to refer",
    "consent": "Consent",
    "sharing_without_consent": "Sharing without consent",
    "contacts": "Contacts",
    "last_checked": " (last checked {date}: please confirm)",
    "last_checked_unknown": "not recorded",
    "answers_used": "Answers used ({n})",
    "copy_summary": "Copy referral summary",
    "copied": "Referral summary copied.",
    "copy_failed": "Copy did not work here. Please select the summary text instead.",
    "plain_text": "Show as plain text",
    "guidance_version": "Guidance version {version}",
    "guidance_version_area": "Guidance version {version}, area {area}",
}
# An answer with no option of that value in the guidance (or no guidance at hand).
_ANSWER_WORDS: dict[object, str] = {True: "yes", False: "no", None: "not sure"}

_CONTACT_FIELDS = (("phone", "phone"), ("form", "form"), ("url", "web"), ("email", "email"), ("how", "how"),
                   ("hours", "hours"))


def _contact_line(contact: dict) -> str:
    parts = [str(contact.get("name", "contact"))]
    parts += [f"{label}: {contact[key]}" for key, label in _CONTACT_FIELDS if contact.get(key)]
    return " — ".join(parts)


def _pathway_block(number: int, p: PathwayRec, said_already: bool = False) -> list[str]:
    lines = [f"{number}. {p.title} ({p.urgency_label})"]
    lines += [f"   Why: {reason}" for reason in p.reasons]
    if p.what_to_do and not said_already:
        lines.append(f"   What to do: {p.what_to_do}")
    if p.how_to_refer:
        lines.append(f"   How to refer: {p.how_to_refer}")
    lines += [f"   Contact: {_contact_line(c)}" for c in p.contacts]
    if p.consent:
        lines.append(f"   Consent: {p.consent}")
    if p.sharing_without_consent:
        lines.append(f"   Sharing without consent: {p.sharing_without_consent}")
    return lines


def first_sentence(text: str) -> str:
    """The first sentence of a guidance text (what a glance reads)."""
    text = " ".join((text or "").split())
    return _SENTENCE.split(text, maxsplit=1)[0] if text else ""


def first_sentences(text: str, count: int) -> str:
    """The first ``count`` sentences (the case's reason keeps its "even though they said no")."""
    text = " ".join((text or "").split())
    return " ".join(_SENTENCE.split(text)[:count]) if text else ""


def _phone(p: PathwayRec) -> dict[str, str] | None:
    """The one number this action needs: its first contact with a phone."""
    for contact in p.contacts:
        if contact.get("phone"):
            return {"name": str(contact.get("name", "")), "phone": str(contact["phone"])}
    return None


def do_first(rec: Recommendation, guidance: Guidance | None = None) -> list[dict[str, Any]]:
    """At most DO_FIRST_MAX actions, most urgent first: those that must happen today
    (or, when nothing must, the first pathway), each with its one phone number and
    why it is needed today *in this case* (the reason of the rule that fired for it)."""
    limit = today_rank(guidance) if guidance is not None else 1   # without guidance: now and today
    chosen = [p for p in rec.pathways if p.urgency_rank <= limit][:DO_FIRST_MAX] or rec.pathways[:1]
    return [{
        "pathway": p.id,
        "title": p.title,
        "urgency": p.urgency,
        "urgency_label": p.urgency_label,
        "action": first_sentence(p.what_to_do) or p.title,
        # the reason of the rule that fired for it, its first two sentences (a glance; the
        # second often carries the case's own "even though they said no"), and in full
        "why": first_sentences(p.reasons[0], 2) if p.reasons else "",
        "why_full": p.reasons[0] if p.reasons else "",
        "phone": _phone(p),
    } for p in chosen]


def tone_of(guidance: Guidance | None, urgency_id: str, rank: int) -> str:
    urgency = guidance.urgencies.get(urgency_id) if guidance is not None else None
    tone = getattr(urgency, "tone", None)
    return str(tone) if tone else _TONES_BY_RANK[min(rank, len(_TONES_BY_RANK) - 1)]


def _checked_is_old(contact: dict, today: _dt.date, max_age_days: int) -> bool:
    checked = as_date(contact.get("last_verified"))
    if checked is None:
        return True   # a date nobody can read is as good as unchecked
    return (today - checked).days > max_age_days


def area_name(area_id: str) -> str:
    return area_id.replace("_", " ").title()


def answers_used(rec: Recommendation, guidance: Guidance | None = None) -> list[dict[str, str]]:
    """The facts the recommendation used, as a person reads them: the fact named in words,
    the answer as the guidance's own option label ("Not sure / not asked yet"), else the value."""
    return [{"fact": fact, "label": fact.replace("_", " ").capitalize(),
             "answer": _answer_label(guidance, fact, value)} for fact, value in rec.facts.items()]


def _answer_label(guidance: Guidance | None, fact: str, value: object) -> str:
    spec = guidance.facts.get(fact) if guidance is not None else None
    for option in spec.options if spec is not None else []:
        # `is` for true/false/not sure: True == 1 must not pick a number's option
        same = option.value is value if value is None or isinstance(value, bool) else (
            not isinstance(option.value, bool) and option.value == value)
        if same:
            return option.label
    if value is None or isinstance(value, bool):
        return _ANSWER_WORDS[value]
    return str(value)


def more_questions_text(count: int) -> str:
    """The card's offer of the questions that could still refine it ("" when none could)."""
    if count <= 0:
        return ""
    return (f"{count} more question{'s' if count != 1 else ''} could refine this (none would change what "
            'to do today). Type "more questions" to answer them.')


def card(rec: Recommendation, guidance: Guidance | None = None, more_questions: int = 0,
         max_age_days: int = 365, today: _dt.date | None = None) -> dict[str, Any]:
    """The card payload: the recommendation JSON (vocabulary.md) plus what a channel draws
    without deciding anything itself: ``do_first``, each pathway's ``tone``, each contact's
    ``checked_is_old`` (pass guidance.yaml's contact_max_age_days), the area's name, the
    referral summary, how many questions could still refine it (and the sentence saying so),
    the answers used in words, and the card's own ``words`` (CARD_WORDS)."""
    today = today or _dt.date.today()
    payload = rec.to_json()
    body = payload["recommendation"]
    body["do_first"] = do_first(rec, guidance)
    first_ids = {item["pathway"] for item in body["do_first"]}
    body["later"] = [p.id for p in rec.pathways if p.id not in first_ids]
    for p in body["pathways"]:
        rec_p = rec.get(p["id"])
        p["tone"] = tone_of(guidance, p["urgency"], rec_p.urgency_rank if rec_p else 3)
        for contact in p["contacts"]:
            contact["checked_is_old"] = _checked_is_old(contact, today, max_age_days)
            if "last_verified" in contact:
                contact["last_verified"] = str(contact["last_verified"])
    for item in body["do_first"]:
        item["tone"] = tone_of(guidance, item["urgency"], 0 if item["urgency"] == "immediate" else 1)
    body["area_name"] = area_name(rec.area)
    body["referral_summary"] = referral_summary(rec)
    body["more_questions"] = more_questions
    body["more_questions_text"] = more_questions_text(more_questions)
    body["answers_used"] = answers_used(rec, guidance)
    body["words"] = dict(CARD_WORDS)
    return payload


def render_text(rec: Recommendation, guidance: Guidance | None = None, more_questions: int = 0) -> str:
    """The short plain text (about TEXT_WORD_BUDGET words) for channels without cards:
    "Do this first" with each action's number and why, then the rest by title only."""
    lines: list[str] = [CARD_WORDS["do_first"] + ":"]
    items = do_first(rec, guidance)
    for number, item in enumerate(items, start=1):
        phone = f" Phone {item['phone']['phone']}." if item["phone"] else ""
        lines.append(f"{number}. {item['action']}{phone}")
        if item["why"]:
            lines.append(f"   Why {item['urgency_label'].lower()}: {item['why']}")
    rest = [p for p in rec.pathways if p.id not in {i["pathway"] for i in items}]
    if rest:
        lines.append("")
        lines.append("Also: " + "; ".join(f"{p.title} ({p.urgency_label.lower()})" for p in rest) + ".")
    lines.append("")
    offer = f'Type "{MORE_DETAIL}" for how to refer, contacts and consent.'
    if more_questions:
        offer += (f' {more_questions} more question{"s" if more_questions != 1 else ""} could refine this:'
                  ' type "more questions".')
    lines.append(offer)
    lines.append(f"Guidance for {area_name(rec.area)} (version {rec.guidance_version}). "
                 + (rec.closing_note.strip() or "Check your local protocol / safeguarding lead."))
    return "\n".join(lines)


def render_detail(rec: Recommendation) -> str:
    """The recommendation in full ("more detail"): what to do first, then each pathway."""
    lines: list[str] = []
    if rec.pathways:
        first = rec.pathways[0]
        lines.append(f"First: {first.title} ({first.urgency_label}).")
        if first.what_to_do:
            lines.append(first.what_to_do)
        lines.append("")
    lines.append("Recommended pathways, most urgent first:")
    for number, p in enumerate(rec.pathways, start=1):
        lines += _pathway_block(number, p, said_already=number == 1)
    lines.append("")
    lines.append(f"(Guidance version {rec.guidance_version}, area {rec.area}.)")
    note = rec.closing_note.strip() or "Check your local protocol / safeguarding lead."
    lines.append(note)
    return "\n".join(lines)


def _fact_value(value: object) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def referral_summary(rec: Recommendation) -> str:
    """A copyable summary: known facts, pathways and guidance version. It holds
    no names or free text, only the answers to the guidance's questions."""
    lines = ["Domestic abuse referral summary (no names recorded here)", ""]
    known = {k: v for k, v in rec.facts.items() if v is not None}
    unsure = [k for k, v in rec.facts.items() if v is None]
    lines.append("What is known:")
    lines += [f"- {name.replace('_', ' ')}: {_fact_value(value)}" for name, value in known.items()] or ["- nothing yet"]
    if unsure:
        lines.append("Not known: " + ", ".join(name.replace("_", " ") for name in unsure))
    lines.append("")
    lines.append("Pathways recommended:")
    for p in rec.pathways:
        lines.append(f"- {p.title} [{p.urgency_label}] (rules: {', '.join(p.rules)})")
        lines += [f"    because: {reason}" for reason in p.reasons]
    lines.append("")
    lines.append(f"Guidance version: {rec.guidance_version} (area: {rec.area})")
    lines.append("Record your decision and the reasons for it, whether or not you share information.")
    return "\n".join(lines)
