"""Kind, safe replies for someone typing about their own situation (pure Python).

The wording is fixed here; the numbers come from the guidance's pathway
contacts, so a safeguarding lead keeps them current in pathways/.
"""
from __future__ import annotations

from assistant.conversation.messages import emergency_sentence
from assistant.guidance import Guidance


def _contact_lines(g: Guidance, pathway_id: str) -> list[str]:
    spec = g.pathways.get(pathway_id)
    if spec is None:
        return []
    lines = []
    for contact in spec.contacts:
        reach = contact.get("phone") or contact.get("url") or contact.get("how")
        if reach:
            lines.append(f"- {contact.get('name', 'Contact')}: {reach}")
    return lines


def victim_support(g: Guidance) -> str:
    lines = [
        "Thank you for telling me. I'm so sorry this is happening to you, and it is not your fault.",
        "If you are in danger now: " + emergency_sentence(g),
        "These services are free and confidential, and you can talk to them about what you want to happen:",
        *_contact_lines(g, "specialist_service"),
        "Your GP practice can also help, and you can ask to speak to someone on your own.",
        "I'm a tool written for professionals, so a person on one of those lines can help you far better than I can.",
    ]
    return "\n".join(lines)


def perpetrator_support(g: Guidance) -> str:
    lines = [
        "Thank you for being honest about this; asking for help to change is an important step.",
        "If anyone is in danger now, call 999.",
        "This service is for people worried about how they behave towards a partner or family member:",
        *_contact_lines(g, "perpetrator_service"),
        "Your GP can also talk with you about support. I'm a tool written for professionals, "
        "so please reach out to them directly.",
    ]
    return "\n".join(lines)
