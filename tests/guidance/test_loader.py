"""Loading pathways/: the real guidance, and each kind of mistake an author can make."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.guidance import GuidanceError, load_guidance, validate
from assistant.guidance.vocabulary import FACT_TYPES, PATHWAY_IDS

from .conftest import line_containing

Edit = Callable[[Path, str, str], None]


def errors_of(folder: Path) -> list:
    with pytest.raises(GuidanceError) as caught:
        load_guidance(folder)
    errors = [p for p in caught.value.problems if p.is_error]
    assert errors
    return errors


def test_real_guidance_loads_with_every_vocabulary_name(guidance) -> None:
    assert re.fullmatch(r"\d{4}\.\d+\.\d+\+[0-9a-f]{8}", guidance.version)
    assert guidance.area == "sefton"
    assert set(FACT_TYPES) <= set(guidance.facts)
    assert set(PATHWAY_IDS) <= set(guidance.pathways)
    for fid, ftype in FACT_TYPES.items():
        assert guidance.facts[fid].type == ftype


def test_every_fact_has_plain_question_why_and_a_not_sure_option(guidance) -> None:
    for spec in guidance.facts.values():
        assert "?" in spec.question and spec.why
        assert "{" not in spec.question + spec.why, "settings placeholders must be filled in"
        values = [o.value for o in spec.options]
        assert None in values, spec.id
        if spec.type == "bool":
            assert True in values and False in values


def test_facts_are_in_safety_order_danger_first(guidance) -> None:
    ids = list(guidance.facts)
    assert ids[0] == "immediate_danger"
    assert [guidance.facts[f].priority for f in ids] == sorted(guidance.facts[f].priority for f in ids)


def test_area_settings_are_exposed(guidance) -> None:
    for key in ("recent_days", "dash_high", "escalation_threshold", "iris", "risk_tool"):
        assert key in guidance.settings
    assert guidance.settings["dash_high"] == 14 and guidance.settings["escalation_threshold"] == 3


def test_second_area_overrides_settings_and_contacts_but_shares_rules(guidance) -> None:
    other = load_guidance(area="st_helens")
    # DASH 14+ is national; St Helens adds MeRIT with its own Gold threshold
    assert other.settings["dash_high"] == 14 and other.settings["merit_high"] == 72 and other.settings["iris"] is False
    assert [r.id for r in other.rules] == [r.id for r in guidance.rules]
    assert other.version != guidance.version
    assert "72" in [o.label for o in other.facts["merit_score"].options][0]
    assert "MARAC referral brings in the IDVA" in other.pathways["idva"].how_to_refer
    assert "Sefton Multi Agency Referral Form" in guidance.pathways["childrens_social_care"].how_to_refer


def test_every_pathway_has_verified_sourced_contacts(guidance) -> None:
    for pathway in guidance.pathways.values():
        assert pathway.contacts, pathway.id
        for contact in pathway.contacts:
            dt.date.fromisoformat(contact["last_verified"])
            assert contact["source"]


def test_every_rule_cites_a_source_and_gives_a_reason(guidance) -> None:
    for rule in guidance.rules:
        assert rule.source and rule.reason, rule.id
    local = [r.id for r in guidance.rules if r.local]
    assert "marac_repeat_victim_multiple_perpetrators" in local
    assert "children_and_suicide_risk_joined_up" in local


def test_unknown_area_is_a_clear_error() -> None:
    with pytest.raises(GuidanceError, match="no area called 'atlantis'"):
        load_guidance(area="atlantis")


def test_empty_folder(tmp_path: Path) -> None:
    errors = errors_of(tmp_path)
    assert "no YAML files" in errors[0].message


def test_missing_folder(tmp_path: Path) -> None:
    assert "does not exist" in errors_of(tmp_path / "nowhere")[0].message


def test_malformed_yaml_names_file_and_line(pathways_copy: Path, edit: Edit) -> None:
    rules = pathways_copy / "rules.yaml"
    edit(rules, "    add: police_999\n", "    add: [police_999\n")
    errors = errors_of(pathways_copy)
    assert errors[0].file == "pathways/rules.yaml"
    assert "not valid YAML" in errors[0].message
    assert abs(errors[0].line - line_containing(rules, "add: [police_999")) <= 2


def test_duplicate_rule_id(pathways_copy: Path, edit: Edit) -> None:
    rules = pathways_copy / "rules.yaml"
    edit(rules, "  - id: marac_red_flag_weapon\n", "  - id: marac_red_flag_stalking\n")
    dup = next(e for e in errors_of(pathways_copy) if "used twice" in e.message)
    assert dup.file == "pathways/rules.yaml" and dup.fix
    first = line_containing(rules, "- id: marac_red_flag_stalking")
    assert f"first on line {first}" in dup.message and dup.line > first


def test_unknown_pathway_in_a_rule(pathways_copy: Path, edit: Edit) -> None:
    rules = pathways_copy / "rules.yaml"
    edit(rules, "    add: perpetrator_service\n", "    add: perp_service\n")
    errors = errors_of(pathways_copy)
    e = next(e for e in errors if "perp_service" in e.message)
    assert e.line == line_containing(rules, "add: perp_service")
    assert "catalogue.yaml" in e.fix


def test_unknown_fact_in_a_rule(pathways_copy: Path, edit: Edit) -> None:
    rules = pathways_copy / "rules.yaml"
    edit(rules, "    when: {stalking: true}\n", "    when: {staking: true}\n")
    e = next(e for e in errors_of(pathways_copy) if "staking" in e.message)
    assert e.line == line_containing(rules, "staking")


def test_wrong_type_in_a_rule(pathways_copy: Path, edit: Edit) -> None:
    rules = pathways_copy / "rules.yaml"
    edit(rules, "    when: {stalking: true}\n", "    when: {stalking: 3}\n")
    e = next(e for e in errors_of(pathways_copy) if "yes/no fact" in e.message)
    assert e.line == line_containing(rules, "stalking: 3")


def test_rule_that_can_never_fire(pathways_copy: Path, edit: Edit) -> None:
    rules = pathways_copy / "rules.yaml"
    edit(rules, "    when: {stalking: true}\n", "    when: {all: [{stalking: true}, {stalking: false}]}\n")
    e = next(e for e in errors_of(pathways_copy) if "can never fire" in e.message)
    assert "marac_red_flag_stalking" in e.message and e.fix


def test_pathway_no_rule_reaches(pathways_copy: Path, edit: Edit) -> None:
    rules = pathways_copy / "rules.yaml"
    edit(rules, "    add: clares_law\n", "    add: safeguarding_lead\n")  # the one rule that adds it
    e = next(e for e in errors_of(pathways_copy) if "no rule adds" in e.message)
    assert "clares_law" in e.message and e.file == "pathways/catalogue.yaml"


def test_missing_contact(pathways_copy: Path) -> None:
    catalogue = pathways_copy / "catalogue.yaml"
    text = catalogue.read_text()
    start = text.index("    contacts:\n      - name: \"Respect Phoneline")
    end = text.index("  - id: clares_law")
    catalogue.write_text(text[:start] + "\n" + text[end:])  # perpetrator_service loses its only contact
    e = next(e for e in errors_of(pathways_copy) if "perpetrator_service" in e.message)
    assert "no contact" in e.message and e.line == line_containing(catalogue, "- id: perpetrator_service")


def test_contact_without_source_or_date(pathways_copy: Path, edit: Edit) -> None:
    catalogue = pathways_copy / "catalogue.yaml"
    edit(catalogue, '        source: "karmanirvana.org.uk"\n', "")
    edit(catalogue, "        phone: \"0808 802 4040\"\n        last_verified: 2026-11-26\n",
         "        phone: \"0808 802 4040\"\n")
    messages = [e.message for e in errors_of(pathways_copy)]
    assert any("Karma Nirvana" in m and "source" in m for m in messages)
    assert any("Respect" in m and "last_verified" in m for m in messages)


def test_old_contact_is_a_warning_not_an_error(pathways_copy: Path) -> None:
    guidances, problems = validate(pathways_copy, today=dt.date(2030, 1, 1))
    assert guidances and not [p for p in problems if p.is_error]
    stale = [p for p in problems if "last verified" in p.message]
    assert stale and all(p.severity == "warning" and p.line > 0 for p in stale)


def test_missing_vocabulary_fact(pathways_copy: Path, edit: Edit) -> None:
    edit(pathways_copy / "facts.yaml", "  - id: sexual_violence\n", "  - id: sexual_violence_x\n")
    assert any("`sexual_violence` of the shared vocabulary is missing" in e.message for e in errors_of(pathways_copy))


def test_duplicate_key_is_reported_not_silently_overwritten(pathways_copy: Path, edit: Edit) -> None:
    edit(pathways_copy / "rules.yaml", "    urgency: immediate\n    reason: \"Someone",
         "    urgency: immediate\n    urgency: routine\n    reason: \"Someone")
    assert any("appears twice" in e.message for e in errors_of(pathways_copy))


def test_fact_option_of_the_wrong_type(pathways_copy: Path, edit: Edit) -> None:
    facts = pathways_copy / "facts.yaml"
    edit(facts, '      - {label: "Below {dash_high} on DASH", value: 0}',
         '      - {label: "Below {dash_high} on DASH", value: low}')
    e = next(e for e in errors_of(pathways_copy) if "Below" in e.message)
    assert e.line == line_containing(facts, "value: low")


def test_unknown_setting_reference(pathways_copy: Path, edit: Edit) -> None:
    edit(pathways_copy / "rules.yaml", "settings.escalation_threshold}\n    add: marac",
         "settings.escalation_limit}\n    add: marac")
    assert any("settings.escalation_limit" in e.message for e in errors_of(pathways_copy))


def test_excluding_999_is_refused(pathways_copy: Path, edit: Edit) -> None:
    edit(pathways_copy / "rules.yaml", "exclude: [adult_safeguarding]", "exclude: [adult_safeguarding, police_999]")
    assert any("must never be taken away" in e.message for e in errors_of(pathways_copy))


def test_no_safe_fallback_is_refused(pathways_copy: Path, edit: Edit) -> None:
    rules = pathways_copy / "rules.yaml"
    edit(rules, "    when: {always: true}\n", "    when: {known: immediate_danger}\n")
    edit(rules, "        - unknown: immediate_danger\n", "        - known: immediate_danger\n")
    assert any("recommends no safe next step" in e.message for e in errors_of(pathways_copy))


def test_problems_in_several_files_are_all_reported(pathways_copy: Path, edit: Edit) -> None:
    edit(pathways_copy / "rules.yaml", "    when: {stalking: true}\n", "    when: {staking: true}\n")
    edit(pathways_copy / "areas" / "sefton.yaml", "  iris: true", "  iris: true\n  iris: false")
    files = {e.file for e in errors_of(pathways_copy)}
    assert {"pathways/rules.yaml", "pathways/areas/sefton.yaml"} <= files


def test_blaming_words_are_flagged(pathways_copy: Path, edit: Edit) -> None:
    edit(pathways_copy / "rules.yaml", "The person is not ready for a referral right now.",
         "The person refused to accept a referral.")
    _, problems = validate(pathways_copy)
    assert any("blaming" in p.message and p.severity == "warning" for p in problems)


def test_content_hash_changes_with_the_text(pathways_copy: Path, edit: Edit) -> None:
    before = load_guidance(pathways_copy).version
    edit(pathways_copy / "catalogue.yaml", "Call 999 now.", "Call 999 straight away.")
    after = load_guidance(pathways_copy).version
    assert before.split("+")[0] == after.split("+")[0] and before != after


def test_danger_now_must_put_999_first(pathways_copy: Path, edit: Edit) -> None:
    catalogue = pathways_copy / "catalogue.yaml"
    text = catalogue.read_text()
    start, end = text.index("  - id: police_999"), text.index("  - id: police_101")
    after_mental = text.index("  - id: perpetrator_service")
    moved = text[:start] + text[end:after_mental] + text[start:end] + text[after_mental:]
    catalogue.write_text(moved)  # 999 now listed after mental health crisis, which can also be immediate
    e = next(e for e in errors_of(pathways_copy) if "danger now" in e.message)
    assert "police_999" in e.message and e.fix


def test_fact_option_naming_a_missing_setting_points_at_facts_yaml(pathways_copy: Path, edit: Edit) -> None:
    facts = pathways_copy / "facts.yaml"
    edit(facts, "value: settings.escalation_threshold}", "value: settings.escalation_limit}")
    e = next(e for e in errors_of(pathways_copy) if "settings.escalation_limit" in e.message)
    assert e.file == "pathways/facts.yaml" and e.line == line_containing(facts, "escalation_limit")


def test_an_area_contact_can_replace_the_national_one(pathways_copy: Path, edit: Edit) -> None:
    sefton = pathways_copy / "areas" / "sefton.yaml"
    # Sefton ships with its 101 contact replacing the national one; undo that to see both.
    edit(sefton, "    national_contacts: false", "    national_contacts: true")
    both = [c["name"] for c in load_guidance(pathways_copy).pathways["police_101"].contacts]
    assert len(both) > 1 and any("Merseyside" in n for n in both)
    edit(sefton, "    national_contacts: true", "    national_contacts: false")
    replaced = [c["name"] for c in load_guidance(pathways_copy).pathways["police_101"].contacts]
    assert replaced == [n for n in both if "Merseyside" in n]


def test_hiding_national_contacts_needs_a_local_one(pathways_copy: Path, edit: Edit) -> None:
    edit(pathways_copy / "areas" / "sefton.yaml", "pathways:\n",
         "pathways:\n  clares_law:\n    national_contacts: false\n")
    assert any("hides the national contacts" in p.message for p in errors_of(pathways_copy))


# ---- shapes come from the JSON Schemas in pathways/schema/ (issue 8 §3) ---------------

def test_a_misspelt_bound_is_an_error_not_a_silently_missing_maximum(pathways_copy: Path, edit: Edit) -> None:
    facts = pathways_copy / "facts.yaml"
    edit(facts, "    maximum: settings.dash_maximum\n", "    maximun: settings.dash_maximum\n")
    e = next(e for e in errors_of(pathways_copy) if "maximun" in e.message)
    assert e.file == "pathways/facts.yaml" and e.line == line_containing(facts, "maximun:")
    assert "fact `dash_score`" in e.message and e.fix == "did you mean `maximum`?"


def test_a_misshapen_file_never_half_loads(pathways_copy: Path, edit: Edit) -> None:
    edit(pathways_copy / "rules.yaml", "    reason: \"Someone is in danger", "    reasn: \"Someone is in danger")
    guidances, problems = validate(pathways_copy)
    assert guidances == {}
    assert [p for p in problems if p.is_error and "reasn" in p.message]


def test_the_store_keeps_the_last_good_version_after_a_misspelt_key(pathways_copy: Path, edit: Edit) -> None:
    import os

    from assistant.guidance import GuidanceStore
    store = GuidanceStore(pathways_copy)
    good = store.get()
    facts = pathways_copy / "facts.yaml"
    edit(facts, "    maximum: settings.dash_maximum\n", "    maximun: settings.dash_maximum\n")
    st = facts.stat()
    os.utime(facts, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    assert store.get() is good
    assert any("maximun" in p.message for p in store.last_problems)


def test_an_area_override_with_a_misspelt_field(pathways_copy: Path, edit: Edit) -> None:
    sefton = pathways_copy / "areas" / "sefton.yaml"
    edit(sefton, "  marac:\n    how_to_refer:", "  marac:\n    how_to_refr:")
    e = next(e for e in errors_of(pathways_copy) if "how_to_refr" in e.message)
    assert e.file == "pathways/areas/sefton.yaml" and e.line == line_containing(sefton, "how_to_refr")
    assert e.fix == "did you mean `how_to_refer`?"


def test_a_contact_with_no_way_to_reach_it(pathways_copy: Path, edit: Edit) -> None:
    edit(pathways_copy / "catalogue.yaml", '        phone: "0808 802 4040"\n', "")
    e = next(e for e in errors_of(pathways_copy) if "reach" in e.message)
    assert "Respect" in e.message and "phone:" in e.fix


def test_a_wrong_type_names_the_key_and_what_to_write(pathways_copy: Path, edit: Edit) -> None:
    guidance_file = pathways_copy / "guidance.yaml"
    edit(guidance_file, "contact_max_age_days: 365", "contact_max_age_days: a year")
    e = next(e for e in errors_of(pathways_copy) if "contact_max_age_days" in e.message)
    assert e.line == line_containing(guidance_file, "contact_max_age_days: a year") and "whole number" in e.message


def test_an_unknown_pathway_in_a_rule_gets_a_suggestion(pathways_copy: Path, edit: Edit) -> None:
    edit(pathways_copy / "rules.yaml", "    add: perpetrator_service\n", "    add: perpetrator_servce\n")
    e = next(e for e in errors_of(pathways_copy) if "perpetrator_servce" in e.message)
    assert "did you mean `perpetrator_service`?" in e.fix


def test_a_fact_without_a_not_sure_option(pathways_copy: Path) -> None:
    facts = pathways_copy / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace('      - {label: "Not sure", value: null}\n', "", 1), encoding="utf-8")
    e = next(e for e in errors_of(pathways_copy) if "Not sure" in e.message)
    assert "immediate_danger" in e.message and "value: null" in e.fix
    assert e.line == line_containing(facts, "    options:")
