"""Guidance v2 (issue 8 §1): the new constructs, each tested directly.

ask_when on facts, per-tool risk scores, current vs historical abuse, public-interest
police sharing whoever reported, sexual violence, capacity, Clare's Law, perpetrator
disclosures, children removed, and the wording review.
"""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import PATHWAYS_DIR
from assistant.guidance import decide, load_guidance, next_questions, next_steps, validate
from assistant.guidance.engine import worth_asking
from tests.support.examples import examples

GUIDANCE = {area: load_guidance(PATHWAYS_DIR, area) for area in ("sefton", "st_helens")}
SEFTON = GUIDANCE["sefton"]
COMMON = settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def facts_for(guidance):
    def value(fid):
        spec = guidance.facts[fid]
        if spec.type == "bool":
            return st.sampled_from([True, False, None])
        if spec.type == "enum":
            return st.sampled_from([*spec.values, None])
        return st.one_of(st.none(), st.integers(spec.minimum, spec.maximum))
    return st.fixed_dictionaries({}, optional={fid: value(fid) for fid in guidance.facts})


def errors_of(folder: Path):
    return [p for p in validate(folder)[1] if p.is_error]


# ---- class 11: ask_when ---------------------------------------------------------

def test_pregnancy_is_not_asked_of_someone_50_or_over_or_where_it_is_not_possible() -> None:
    base = {"immediate_danger": False, "children_in_household": False}
    assert "pregnant_or_new_baby" in next_questions(SEFTON, base)
    assert "pregnant_or_new_baby" not in next_questions(SEFTON, {**base, "age_band": "age_50_or_over"})
    assert "pregnant_or_new_baby" not in next_questions(SEFTON, {**base, "pregnancy_possible": False})
    # unknown never drops the question
    assert "pregnant_or_new_baby" in next_questions(SEFTON, {**base, "age_band": None, "pregnancy_possible": None})
    assert "pregnant_or_new_baby" in next_questions(SEFTON, {**base, "age_band": "age_18_to_49"})


def test_a_fact_only_ask_when_reads_is_never_asked_itself() -> None:
    facts: dict = {}
    for _ in range(len(SEFTON.facts) + 1):
        questions = next_questions(SEFTON, facts)
        assert "pregnancy_possible" not in questions and "age_band" not in questions
        if not questions:
            break
        facts[questions[0]] = SEFTON.candidates[questions[0]][0]


def test_age_band_is_never_asked_and_an_adult_age_skips_the_under_18_question() -> None:
    assert "victim_under_18" not in next_questions(SEFTON, {"age_band": "age_18_to_49"})
    assert "victim_under_18" not in next_questions(SEFTON, {"age_band": "age_50_or_over"})
    # a typed age under 18 still asks the question that decides the child route (never assumed)
    assert "victim_under_18" in next_questions(SEFTON, {"age_band": "under_18"})
    assert "age_band" not in next_questions(SEFTON, {"victim_under_18": None})


def test_one_score_per_case_a_known_score_skips_the_other_tool() -> None:
    assert "merit_score" not in next_questions(SEFTON, {"immediate_danger": False, "dash_score": 9})
    assert "dash_score" not in next_questions(SEFTON, {"immediate_danger": False, "merit_score": 40})
    # "No DASH done / not sure" still leads to the MeRIT question
    assert "merit_score" in next_questions(SEFTON, {"immediate_danger": False, "dash_score": None})


def test_the_group_lists_only_questions_that_fit_the_person() -> None:
    from assistant.guidance import group_answer
    known = {"immediate_danger": False, "pregnancy_possible": False}
    steps = next_steps(SEFTON, known)
    assert "children_and_young_people" in steps
    listed = group_answer(SEFTON, "children_and_young_people", known, [], False)
    assert set(listed) == {"children_in_household", "victim_under_18"} and not any(listed.values())
    # for someone known to be 50 or over only the children question is left: asked on its own
    steps = next_steps(SEFTON, {"immediate_danger": False, "age_band": "age_50_or_over"})
    assert "children_in_household" in steps
    assert not {"children_and_young_people", "pregnant_or_new_baby", "victim_under_18", "age_band"} & set(steps)


def test_ask_when_semantics_unknown_keeps_the_question() -> None:
    assert worth_asking(SEFTON, {}, "pregnant_or_new_baby")
    assert not worth_asking(SEFTON, {"age_band": "age_50_or_over"}, "pregnant_or_new_baby")
    assert worth_asking(SEFTON, {}, "immediate_danger")  # no ask_when: always askable


def test_ask_when_errors_name_file_line_and_fix(pathways_copy: Path, edit) -> None:
    facts = pathways_copy / "facts.yaml"
    edit(facts, "    ask_when: {all: [{unknown: merit_score}, {unless: {risk_score_high: false}}]}",
         "    ask_when: {unknown: merit_scor}")
    errors = errors_of(pathways_copy)
    e = next(e for e in errors if "merit_scor" in e.message)
    assert e.file == "pathways/facts.yaml" and e.line > 0 and e.fix


def test_ask_when_may_not_depend_on_its_own_fact(pathways_copy: Path, edit) -> None:
    edit(pathways_copy / "facts.yaml",
         "    ask_when: {all: [{unknown: merit_score}, {unless: {risk_score_high: false}}]}",
         "    ask_when: {unknown: dash_score}")
    assert any("depends on `dash_score` itself" in e.message for e in errors_of(pathways_copy))


def test_ask_when_may_use_rule_definitions() -> None:
    # capacity_doubt's ask_when uses `meets: under_18`, a definition in rules.yaml
    assert "capacity_doubt" in SEFTON.ask_when
    assert not worth_asking(SEFTON, {"age_band": "under_18"}, "capacity_doubt")
    assert not worth_asking(SEFTON, {"victim_under_18": True}, "capacity_doubt")


# ---- class 2: the score says which tool produced it --------------------------------

def test_dash_14_is_high_risk_in_every_area_and_no_area_changes_it() -> None:
    for guidance in GUIDANCE.values():
        assert guidance.settings["dash_high"] == 14 and guidance.settings["dash_maximum"] == 24
        assert "marac" in decide(guidance, {"dash_score": 14}).pathway_ids
        assert "marac" not in decide(guidance, {"dash_score": 13, "current_risk": False}).pathway_ids
    for area_file in (PATHWAYS_DIR / "areas").glob("*.yaml"):
        text = area_file.read_text(encoding="utf-8")
        assert "dash_high:" not in text and "dash_maximum:" not in text, area_file.name


def test_questions_and_buttons_name_the_tool() -> None:
    for guidance in GUIDANCE.values():
        dash, merit = guidance.facts["dash_score"], guidance.facts["merit_score"]
        assert "DASH" in dash.question and all("DASH" in o.label for o in dash.options)
        assert "MeRIT" in merit.question and all("MeRIT" in o.label for o in merit.options)
        assert dash.maximum == 24


def test_a_merit_score_is_checked_against_merit_not_dash() -> None:
    st_helens = GUIDANCE["st_helens"]
    assert "marac" in decide(st_helens, {"merit_score": 72}).pathway_ids
    assert "marac" not in decide(st_helens, {"merit_score": 50, "current_risk": False}).pathway_ids
    try:
        decide(st_helens, {"dash_score": 72})
    except ValueError as exc:
        assert "between 0 and 24" in str(exc)
    else:
        raise AssertionError("a MeRIT-sized number is not a DASH score")


def test_an_area_that_does_not_list_merit_never_asks_for_it(pathways_copy: Path, edit) -> None:
    edit(pathways_copy / "areas" / "st_helens.yaml", "  risk_tools: [dash, merit]", "  risk_tools: [dash]")
    guidance = load_guidance(pathways_copy, "st_helens")
    assert "merit_score" not in next_questions(guidance, {"immediate_danger": False})
    assert "marac" not in decide(guidance, {"merit_score": 90, "current_risk": False}).pathway_ids
    assert "dash_score" in next_questions(guidance, {"immediate_danger": False})


def test_contains_is_for_list_settings_only(pathways_copy: Path, edit) -> None:
    edit(pathways_copy / "rules.yaml", "    when: {stalking: true}\n", "    when: {stalking: {contains: true}}\n")
    e = next(e for e in errors_of(pathways_copy) if "contains" in e.message)
    assert e.file == "pathways/rules.yaml"


# ---- class 1: current versus historical ---------------------------------------------

CURRENT_BY_NATURE = {"dash_score", "merit_score", "professional_judgement_high_risk", "incidents_last_12_months",
                     "previous_marac_12_months", "honour_based_abuse", "stalking",
                     "risk_score_high", "repeat_incidents"}   # a score and a 12-month count, as yes/no group items


@COMMON
@given(data=st.data())
def test_abuse_known_to_be_historical_reaches_marac_only_on_a_current_criterion(data) -> None:
    facts = data.draw(facts_for(SEFTON))
    facts["current_risk"] = False
    for fid in CURRENT_BY_NATURE:
        facts[fid] = None
    rec = decide(SEFTON, facts)
    assert "marac" not in rec.pathway_ids
    assert "idva" not in rec.pathway_ids


def test_historical_abuse_keeps_the_referral_asked_for() -> None:
    rec = decide(SEFTON, {"strangulation": True, "threats_to_kill": True, "current_risk": False,
                          "victim_consents_referral": True})
    assert {"specialist_service", "iris_advocate"} <= set(rec.pathway_ids)
    assert "mental health review" in " ".join(rec.get("gp_follow_up").reasons)


def test_current_risk_is_asked_only_when_it_changes_the_answer() -> None:
    quiet = {fid: False for fid in SEFTON.facts if SEFTON.facts[fid].type == "bool"}
    quiet.pop("current_risk")
    assert "current_risk" not in next_questions(SEFTON, {**quiet, "dash_score": 3, "merit_score": 3,
                                                         "incidents_last_12_months": 0})
    flagged = {"immediate_danger": False, "strangulation": True, "recent_incident": False}
    assert "current_risk" in next_questions(SEFTON, flagged)
    # a recent incident already says the risk is current
    assert "current_risk" not in next_questions(SEFTON, {**flagged, "recent_incident": True})


# ---- classes 3, 4, 5: police reports and public interest ------------------------------

@COMMON
@given(data=st.data(), source=st.sampled_from(["third_party", "perpetrator"]),
       crime=st.sampled_from(["strangulation", "weapon", "threats_to_kill", "sexual_violence"]))
def test_serious_crime_reaches_the_police_whoever_reported(data, source, crime) -> None:
    facts = data.draw(facts_for(SEFTON))
    facts.update({"disclosure_source": source, crime: True, "current_risk": True})
    rec = decide(SEFTON, facts)
    assert "police_101" in rec.pathway_ids or "police_999" in rec.pathway_ids


def test_the_public_interest_reason_says_record_the_decision() -> None:
    rec = decide(SEFTON, {"disclosure_source": "third_party", "weapon": True})
    assert "public_interest_serious_crime" in rec.get("police_101").rules
    assert "record your decision" in " ".join(rec.get("police_101").reasons)


def test_sexual_violence_is_serious_crime_with_a_same_day_lead_and_a_sarc() -> None:
    rec = decide(SEFTON, {"sexual_violence": True, "victim_consents_police": False})
    assert rec.get("police_101").urgency == "same_day"
    assert rec.get("safeguarding_lead").urgency == "same_day"
    assert "consider a MARAC referral" in " ".join(rec.get("safeguarding_lead").reasons)
    assert rec.get("sarc_isva") is not None
    local = [c for c in SEFTON.pathways["sarc_isva"].contacts if "Merseyside" in c["name"]]
    assert local and "UNCONFIRMED" in local[0]["how"]


# ---- class 6 and 10: capacity, age and wording ----------------------------------------

def reasons(rec) -> str:
    return " ".join(r for p in rec.pathways for r in p.reasons)


def test_respect_the_decision_wording_only_for_an_adult_not_in_doubt() -> None:
    adult = decide(SEFTON, {"victim_consents_referral": False, "victim_under_18": False, "capacity_doubt": False})
    assert "presumed able to make this decision" in reasons(adult)
    for facts in ({"victim_under_18": True}, {"capacity_doubt": True}):
        rec = decide(SEFTON, {"victim_consents_referral": False, **facts})
        assert "presumed able" not in reasons(rec), facts
        assert "do not settle it" in reasons(rec)
        assert rec.get("safeguarding_lead").urgency == "same_day"
    typed_age = decide(SEFTON, {"victim_consents_referral": False, "age_band": "under_18"})
    assert "presumed able" not in reasons(typed_age)
    # the age band only withholds wording: it is still never asked
    assert "age_band" not in next_questions(SEFTON, {"victim_consents_referral": False})


def test_sexual_or_financial_abuse_of_an_adult_who_may_lack_capacity() -> None:
    for abuse in ("sexual_violence", "financial_abuse"):
        rec = decide(SEFTON, {"capacity_doubt": True, abuse: True, "victim_under_18": False})
        assert {"adult_safeguarding", "police_101"} <= set(rec.pathway_ids), abuse


def test_no_reason_calls_declining_simply_their_choice() -> None:
    text = (PATHWAYS_DIR / "rules.yaml").read_text(encoding="utf-8") + \
        (PATHWAYS_DIR / "catalogue.yaml").read_text(encoding="utf-8")
    assert "That is their choice" not in text
    rec = decide(SEFTON, {"threats_to_kill": True, "victim_consents_referral": False})
    assert "marac" in rec.pathway_ids and "their choice" not in reasons(rec).replace("simply a free choice", "")


def test_forced_marriage_keeps_one_chance_and_police_and_fmu_before_travel() -> None:
    rec = decide(SEFTON, {"honour_based_abuse": True, "victim_consents_police": False})
    assert {"forced_marriage_unit", "police_101", "marac"} <= set(rec.pathway_ids)
    assert "before any travel" in " ".join(rec.get("police_101").reasons)
    assert "one chance" in " ".join(rec.get("forced_marriage_unit").reasons)


# ---- class 7: Clare's Law -------------------------------------------------------------

@COMMON
@given(data=st.data())
def test_clares_law_only_for_a_concern_about_a_partner(data) -> None:
    facts = data.draw(facts_for(SEFTON))
    rec = decide(SEFTON, facts)
    assert ("clares_law" in rec.pathway_ids) == (facts.get("partner_history_concern") is True)


# ---- class 8: perpetrator disclosures -------------------------------------------------

@COMMON
@given(data=st.data(), area=st.sampled_from(sorted(GUIDANCE)))
def test_a_perpetrator_never_gets_the_victims_services(data, area) -> None:
    guidance = GUIDANCE[area]
    facts = data.draw(facts_for(guidance))
    facts["disclosure_source"] = "perpetrator"
    rec = decide(guidance, facts)
    assert not {"specialist_service", "iris_advocate"} & set(rec.pathway_ids)
    assert "perpetrator_service" in rec.pathway_ids
    assert "victim_consents_referral" not in next_questions(guidance, facts)
    assert "victim_consents_police" not in next_questions(guidance, facts)


def test_the_victims_wishes_rules_never_speak_of_a_perpetrator() -> None:
    rec = decide(SEFTON, {"disclosure_source": "perpetrator", "victim_consents_referral": False,
                          "victim_consents_police": False})
    fired = {r for p in rec.pathways for r in p.rules}
    assert not fired & {"police_declined_lead", "referral_declined_lead", "referral_declined_keep_offering",
                        "referral_declined_under_18_or_capacity"}


def test_victim_questions_say_whose_wishes_they_are() -> None:
    for fid in ("victim_consents_referral", "victim_consents_police"):
        assert "person experiencing abuse" in SEFTON.facts[fid].question
    assert "person experiencing abuse" in SEFTON.groups["wishes"].question


# ---- class 9: children removed --------------------------------------------------------

def test_children_removed_is_joined_with_suicide_risk() -> None:
    rec = decide(SEFTON, {"children_removed": True, "suicide_risk": True})
    assert rec.get("childrens_social_care").urgency == "same_day"
    assert rec.get("mental_health_crisis") is not None
    assert "children_removed_and_suicide_risk" in rec.get("childrens_social_care").rules
    alone = decide(SEFTON, {"children_removed": True})
    assert "parent" in " ".join(alone.get("childrens_social_care").reasons)
    assert "suicide_risk" in next_questions(SEFTON, {"immediate_danger": False, "children_removed": True})


# ---- sources ---------------------------------------------------------------------------

def test_every_rule_cites_a_source() -> None:
    for rule in SEFTON.rules:
        assert len(rule.source) > 15, rule.id
