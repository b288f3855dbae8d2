"""Plain-text forms of a recommendation: for channels that cannot draw a card,
and a summary a professional can paste into a referral form."""
from __future__ import annotations

from .model import PathwayRec, Recommendation

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


def render_text(rec: Recommendation) -> str:
    """The recommendation as readable text: what to do first, then each pathway."""
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
