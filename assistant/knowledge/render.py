"""The readable reply for channels that cannot draw a card."""
from __future__ import annotations

import datetime as _dt

from assistant.knowledge.results import AskResult

# Reader-facing names for the pathway ids fixed in vocabulary.md. Display
# only: which pathway applies is always the guidance engine's decision.
PATHWAY_NAMES = {
    "police_999": "calling 999",
    "police_101": "reporting to the police on 101",
    "marac": "a MARAC referral",
    "idva": "a referral to the IDVA service",
    "specialist_service": "a referral to the local specialist domestic abuse service (in Sefton: SWACA)",
    "iris_advocate": "a referral to your practice's IRIS Advocate Educator",
    "childrens_social_care": "a referral to Children's Social Care / MASH",
    "adult_safeguarding": "raising an adult safeguarding concern",
    "mental_health_crisis": "urgent mental health help",
    "perpetrator_service": "a referral to a service for people who use abusive behaviour",
    "clares_law": "a Clare's Law (Domestic Violence Disclosure Scheme) application",
    "forced_marriage_unit": "contacting the Forced Marriage Unit",
    "safeguarding_lead": "talking it through with your safeguarding lead",
    "gp_follow_up": "recording safely and following up",
}

DONT_KNOW = (
    "I'm sorry, I don't know the answer to that from Signpost's guidance, and I would rather "
    "not guess. Please ask your safeguarding lead. "
    "If anyone is in danger right now, call 999."
)


def pathway_name(pathway_id: str) -> str:
    return PATHWAY_NAMES.get(pathway_id, pathway_id.replace("_", " "))


def _reviewed(iso_date: str) -> str:
    try:
        day = _dt.date.fromisoformat(iso_date)
    except ValueError:
        return iso_date
    return f"{day.day} {day.strftime('%B %Y')}"


def render_answer_text(result: AskResult) -> str:
    """Passage, title, source, review date and a related-pathway offer; or "I don't know"."""
    if not result.answered or not result.answers:
        return DONT_KNOW
    best = result.answers[0]
    lines = [best.passage, ""]
    source = best.sources[0] if best.sources else "Signpost guidance"
    lines.append(f"From \u201c{best.title}\u201d \u2014 source: {source}; reviewed {_reviewed(best.last_reviewed)}.")
    offers = [p for p in best.related_pathways if p != "safeguarding_lead"][:2]
    if offers:
        names = " or ".join(pathway_name(p) for p in offers)
        lines.append(
            f"If you are supporting someone now, I can go through a few questions with you "
            f"to check whether {names} fits."
        )
    lines.append("Local procedures vary: check with your safeguarding lead if unsure.")
    return "\n".join(lines)
