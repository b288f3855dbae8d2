"""Guidance as data: pathways/ YAML, its validation and the decision engine.

Pure Python (no Rasa): the Rasa actions and the `signpost` command are thin
callers of these functions.
"""
from .engine import check_facts, coerce_facts, decide, next_questions, parse_fact_value
from .groups import group_answer, next_steps
from .loader import load_guidance, validate
from .model import FactSpec, Guidance, Option, PathwayRec, PathwaySpec, QuestionGroup, Recommendation, Rule, Urgency
from .problems import GuidanceError, Problem
from .render import card, do_first, referral_summary, render_detail, render_text
from .store import GuidanceStore

__all__ = [
    "load_guidance", "validate", "GuidanceError", "Problem", "Guidance", "FactSpec", "Option",
    "PathwaySpec", "PathwayRec", "Rule", "Urgency", "decide", "next_questions", "check_facts",
    "coerce_facts", "parse_fact_value", "Recommendation", "render_text", "render_detail", "referral_summary",
    "card", "do_first",
    "GuidanceStore", "QuestionGroup", "next_steps", "group_answer",
]
