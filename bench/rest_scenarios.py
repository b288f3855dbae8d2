"""Triage scenarios shared by the end-to-end tests and bench.conversation.

Each: (id, opening message, button answers, typed answers, pathways that must
be recommended, pathways that must not). Expected pathways are written by hand
from what the guidance means, not computed by the engine under test.
"""
from __future__ import annotations

NO_DANGER = {"immediate_danger": False}

SCENARIOS = [
    ("danger-now", "patient disclosed her partner hit her, he is outside right now",
     {}, {}, ["police_999"], []),
    ("strangulation-typo", "pt says OH stangled her last night", NO_DANGER, {}, ["marac", "idva"], []),
    ("children", "lady at reception said her husband hit her, 2 kids at home", NO_DANGER, {},
     ["childrens_social_care"], []),
    ("pregnant-typo", "patient disclosed DV, she is pregnat", NO_DANGER, {}, ["childrens_social_care"], []),
    ("under-18", "a 16 year old told the nurse her boyfriend hits her", NO_DANGER, {},
     ["childrens_social_care"], []),
    ("suicide", "she says she wants to kill herself because of what her husband does", NO_DANGER, {},
     ["mental_health_crisis", "marac"], []),
    ("care-needs", "older lady with dementia, her husband hits her", NO_DANGER, {}, ["adult_safeguarding"], []),
    ("perpetrator", "a man came in and admitted he hits his partner", NO_DANGER, {}, ["perpetrator_service"], []),
    ("forced-marriage", "pt told me her family are forcing her to marry abroad", NO_DANGER, {},
     ["forced_marriage_unit", "marac"], []),
    ("dash-high", "patient disclosed abuse from her partner, DASH score 16", NO_DANGER, {}, ["marac"], []),
    ("repeat-incidents", "her mum rang, OH has hit her again, third time this year", NO_DANGER, {}, ["marac"], []),
    ("previous-marac", "she was referred to MARAC in the spring and he has hit her again", NO_DANGER, {},
     ["marac"], []),
    ("clares-law", "she is worried her new partner has a history of violence", NO_DANGER, {}, ["clares_law"], []),
    ("low-risk-consents", "patient disclosed her partner shouts at her, no kids, not pregnant",
     {**NO_DANGER, "victim_consents_referral": True}, {}, ["specialist_service"],
     ["marac", "childrens_social_care"]),
    ("low-risk-declines", "pt disclosed emotional abuse, no kids, she doesn't want anything done",
     {**NO_DANGER, "victim_consents_referral": False}, {}, ["gp_follow_up"],
     ["marac", "childrens_social_care", "police_999"]),
    ("typed-answers-with-typos", "recepionist, woman said husbnad hits her",
     {}, {"immediate_danger": "nope", "strangulation": "yess", "children_in_household": "no"},
     ["marac"], ["police_999", "childrens_social_care"]),
    ("negations-in-opening", "no kids, not pregnant, he hasn't threatened to kill her, pt says bf controls her money",
     NO_DANGER, {}, ["gp_follow_up"], ["childrens_social_care"]),
    ("third-party-police-101", "her sister phoned, the pt's partner punched her yesterday",
     {**NO_DANGER, "victim_consents_police": True}, {}, ["police_101"], ["police_999"]),
    ("typed-not-sure", "patient disclosed her partner pushed her",
     {}, {"immediate_danger": "not sure", "strangulation": "dunno"}, ["gp_follow_up"], []),
]
