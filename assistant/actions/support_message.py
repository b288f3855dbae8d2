"""Kind, safe replies for someone typing about their own situation (pure Python).

The wording is in pathways/messages.yaml (victim_support, perpetrator_support); the
numbers come from the guidance's pathway contacts, so a safeguarding lead keeps both
current in pathways/.
"""
from __future__ import annotations

from assistant.conversation.messages import emergency_sentence, words
from assistant.guidance import Guidance


def _contact_lines(g: Guidance, pathway_id: str) -> list[str]:
    spec = g.pathways.get(pathway_id)
    if spec is None:
        return []
    lines = []
    for contact in spec.contacts:
        reach = contact.get("phone") or contact.get("url") or contact.get("how")
        if reach:
            lines.append(f"- {contact.get('name') or words('unnamed_contact')}: {reach}")
    return lines


def victim_support(g: Guidance) -> str:
    return words("victim_support", emergency=emergency_sentence(g),
                 contacts="\n".join(_contact_lines(g, "specialist_service")))


def perpetrator_support(g: Guidance) -> str:
    return words("perpetrator_support", contacts="\n".join(_contact_lines(g, "perpetrator_service")))
