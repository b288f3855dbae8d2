"""The shared vocabulary (../shared/vocabulary.md): names every part relies on.

The guidance may add facts and pathways but must define every one of these,
with these types, so the conversation, the cards and the tests keep working.
"""
from __future__ import annotations

FACT_TYPES: dict[str, str] = {
    "immediate_danger": "bool",
    "recent_incident": "bool",
    "disclosure_source": "enum",
    "victim_consents_referral": "bool",
    "victim_consents_police": "bool",
    "children_in_household": "bool",
    "pregnant_or_new_baby": "bool",
    "victim_under_18": "bool",
    "care_and_support_needs": "bool",
    "multiple_disadvantage": "bool",
    "dash_score": "int",
    "strangulation": "bool",
    "threats_to_kill": "bool",
    "weapon": "bool",
    "stalking": "bool",
    "sexual_violence": "bool",
    "separation": "bool",
    "escalation": "bool",
    "very_frightened": "bool",
    "coercive_control": "bool",
    "honour_based_abuse": "bool",
    "injury": "bool",
    "incidents_last_12_months": "int",
    "previous_marac_12_months": "bool",
    "multiple_perpetrators": "bool",
    "suicide_risk": "bool",
    "professional_judgement_high_risk": "bool",
}
DISCLOSURE_SOURCES = ("victim", "third_party", "perpetrator")

PATHWAY_IDS: tuple[str, ...] = (
    "police_999", "police_101", "marac", "idva", "specialist_service", "iris_advocate",
    "childrens_social_care", "adult_safeguarding", "mental_health_crisis",
    "perpetrator_service", "clares_law", "forced_marriage_unit", "safeguarding_lead",
    "gp_follow_up",
)
