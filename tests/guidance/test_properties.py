"""Safety invariants that must hold for ANY combination of answers (hypothesis)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import PATHWAYS_DIR
from assistant.guidance import decide, load_guidance, next_questions
from assistant.guidance.engine import worth_asking
from tests.support.examples import examples

GUIDANCE = {area: load_guidance(PATHWAYS_DIR, area) for area in ("sefton", "st_helens")}
SEFTON = GUIDANCE["sefton"]
RED_FLAGS = ["strangulation", "threats_to_kill", "weapon", "stalking", "honour_based_abuse", "suicide_risk",
             "professional_judgement_high_risk", "previous_marac_12_months", "multiple_perpetrators"]
SAFE_NEXT_STEPS = {"safeguarding_lead", "gp_follow_up"}
CURRENT_BY_NATURE = {"stalking", "honour_based_abuse", "professional_judgement_high_risk", "previous_marac_12_months"}


def fact_value(guidance, fid):
    spec = guidance.facts[fid]
    if spec.type == "bool":
        return st.sampled_from([True, False, None])
    if spec.type == "enum":
        return st.sampled_from([*spec.values, None])
    return st.one_of(st.none(), st.integers(spec.minimum, spec.maximum))


def facts_for(guidance):
    return st.fixed_dictionaries({}, optional={fid: fact_value(guidance, fid) for fid in guidance.facts})


areas = st.sampled_from(sorted(GUIDANCE))
COMMON = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@COMMON
@given(data=st.data(), area=areas)
def test_danger_now_puts_999_first_whatever_else_holds(data, area) -> None:
    guidance = GUIDANCE[area]
    facts = data.draw(facts_for(guidance))
    facts["immediate_danger"] = True
    rec = decide(guidance, facts)
    assert rec.pathways[0].id == "police_999"
    assert rec.pathways[0].urgency == "immediate"


@COMMON
@given(data=st.data(), area=areas)
def test_any_answers_still_give_a_safe_next_step(data, area) -> None:
    guidance = GUIDANCE[area]
    rec = decide(guidance, data.draw(facts_for(guidance)))
    assert rec.pathways, "never an empty recommendation"
    assert SAFE_NEXT_STEPS & set(rec.pathway_ids)


@COMMON
@given(unknown=st.sets(st.sampled_from(sorted(SEFTON.facts))))
def test_any_set_of_unknowns_gives_a_safe_next_step(unknown) -> None:
    rec = decide(SEFTON, {fid: None for fid in unknown})
    assert SAFE_NEXT_STEPS & set(rec.pathway_ids)


@COMMON
@given(data=st.data(), area=areas, flag=st.sampled_from(RED_FLAGS))
def test_adding_a_red_flag_never_lowers_urgency(data, area, flag) -> None:
    guidance = GUIDANCE[area]
    facts = data.draw(facts_for(guidance))
    before = decide(guidance, facts)
    after = decide(guidance, {**facts, flag: True})
    assert after.pathways[0].urgency_rank <= before.pathways[0].urgency_rank
    after_ranks = {p.id: p.urgency_rank for p in after.pathways}
    for p in before.pathways:
        if p.id in after_ranks:
            assert after_ranks[p.id] <= p.urgency_rank, p.id
    # a red flag (a MARAC criterion) always brings MARAC and the IDVA, unless the abuse is
    # known to be in the past (MARAC is about current risk); criteria that are current by
    # their nature (stalking, honour-based abuse, judgement, a repeat) bring them whatever is said
    if facts.get("current_risk") is not False or flag in CURRENT_BY_NATURE:
        assert {"marac", "idva"} <= set(after_ranks)


@COMMON
@given(data=st.data())
def test_next_questions_are_unanswered_and_in_safety_order(data) -> None:
    facts = data.draw(facts_for(SEFTON))
    asked = data.draw(st.sets(st.sampled_from(sorted(SEFTON.facts))))
    questions = next_questions(SEFTON, facts, asked)
    assert not set(questions) & asked
    assert all(facts.get(q) is None for q in questions)
    assert questions == sorted(questions, key=lambda f: SEFTON.facts[f].priority)


@settings(max_examples=examples(150), deadline=None)
@given(data=st.data())
def test_a_fact_not_asked_for_cannot_change_the_outcome_alone(data) -> None:
    facts = data.draw(facts_for(SEFTON))
    questions = set(next_questions(SEFTON, facts))
    base = {(p.id, p.urgency) for p in decide(SEFTON, facts).pathways}
    for fid in SEFTON.facts:
        if facts.get(fid) is not None or fid in questions or not worth_asking(SEFTON, facts, fid):
            continue  # (a question that does not fit the person, by its ask_when, is not asked)
        for value in SEFTON.candidates[fid]:
            changed = {(p.id, p.urgency) for p in decide(SEFTON, {**facts, fid: value}).pathways}
            assert changed == base, f"answering {fid}={value!r} changes the advice but it was not asked"
