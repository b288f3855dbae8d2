"""Free-text pre-fill: what a message clearly states, and nothing more."""
from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.extraction import PhrasingsError, extract_facts, load_phrasings, parse_phrasings
from assistant.extraction.evaluate import DEV_SET, HOLDOUT_SET, score
from assistant.extraction.evaluate import load_cases as load_dev_set
from assistant.guidance import check_facts, load_guidance
from tests.support.examples import examples

GUIDANCE = load_guidance()


def facts_of(text: str) -> dict:
    return {fact: e.value for fact, e in extract_facts(text, GUIDANCE).items()}


@pytest.mark.parametrize("text, expected", [
    ("no kids", {"children_in_household": False}),
    ("she doesn't want the police", {"victim_consents_police": False}),
    ("she doesnt want the police", {"victim_consents_police": False}),
    ("he hasn't threatened to kill her", {"threats_to_kill": False}),
    ("not pregnant", {"pregnant_or_new_baby": False}),
    ("no weapons involved", {"weapon": False}),
])
def test_negations_state_false(text, expected):
    assert facts_of(text) == expected


def test_never_hit_fills_no_violence_fact():
    assert facts_of("he's never hit her") == {}


@pytest.mark.parametrize("text, fact, value", [
    ("third time this year", "incidents_last_12_months", 3),
    ("it's happened 5 times in the last 12 months", "incidents_last_12_months", 5),
    ("DASH score 15", "dash_score", 15),
    ("she scored 16 on the DASH", "dash_score", 16),
])
def test_numbers(text, fact, value):
    assert facts_of(text)[fact] == value


def test_abbreviations_and_typos():
    found = facts_of("pt says OH stangled her, she is pregnat")
    assert found["strangulation"] is True
    assert found["pregnant_or_new_baby"] is True
    assert found["disclosure_source"] == "victim"


def test_oh_as_interjection_is_not_a_partner():
    assert "strangulation" not in facts_of("oh no, nothing like that")


def test_third_party_report():
    assert facts_of("her mum rang the surgery")["disclosure_source"] == "third_party"


def test_perpetrator_disclosure():
    assert facts_of("a man admitted he hits his partner")["disclosure_source"] == "perpetrator"


def test_uncertainty_fills_nothing():
    assert "weapon" not in facts_of("not sure if he has a knife")
    assert facts_of("I don't know if there are children") == {}


def test_contradiction_fills_nothing_unless_corrected():
    assert "children_in_household" not in facts_of("no kids, the kids were there")
    assert facts_of("no kids. actually sorry, there are two kids")["children_in_household"] is True


def test_ages():
    assert facts_of("a 16 year old told the nurse")["victim_under_18"] is True
    assert facts_of("she is 19")["victim_under_18"] is False
    assert "victim_under_18" not in facts_of("her 3 year old son saw it")


def test_button_payloads_are_not_free_text():
    assert extract_facts('/inform{"children_in_household": true}', GUIDANCE) == {}


def test_evidence_quotes_the_words_that_stated_it():
    found = extract_facts("pt says her bf choked her", GUIDANCE)
    assert "chok" in found["strangulation"].evidence


def test_dev_set_is_large_enough_and_precise():
    cases = load_dev_set(DEV_SET)
    assert len(cases) >= 60
    result = score(cases, GUIDANCE)
    # wrong pre-fills are worse than none: precision matters most
    assert result["precision"] >= 0.95, result["wrong"]
    assert result["recall"] >= 0.85, result["missed"]


def test_held_out_set_generalises():
    result = score(load_dev_set(HOLDOUT_SET), GUIDANCE)
    assert result["precision"] >= 0.9, result["wrong"]
    assert result["recall"] >= 0.8, result["missed"]


def test_every_phrased_fact_is_a_guidance_fact():
    assert set(load_phrasings().facts) <= set(GUIDANCE.facts)


def test_an_author_can_teach_a_new_phrasing_without_retraining(tmp_path):
    data = yaml.safe_load((load_phrasings.__globals__["PHRASINGS_FILE"]).read_text())
    data["facts"]["weapon"]["says"].append("crowbar")
    path = tmp_path / "phrasings.yaml"
    path.write_text(yaml.safe_dump(data))
    assert "weapon" not in facts_of("he waved a crowbar at her")
    taught = extract_facts("he waved a crowbar at her", GUIDANCE, load_phrasings(path))
    assert taught["weapon"].value is True


def test_a_broken_phrase_names_the_fact():
    with pytest.raises(PhrasingsError, match="weapon"):
        parse_phrasings({"facts": {"weapon": {"says": ["(unclosed"]}}})


@settings(max_examples=examples(200), deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_valid_facts_or_none(text):
    found = {fact: e.value for fact, e in extract_facts(text, GUIDANCE).items()}
    assert check_facts(GUIDANCE, found) == found


def test_authors_can_try_a_message_from_the_command_line(capsys):
    from assistant.extraction.__main__ import main
    assert main(["pt says OH choked her, no kids"]) == 0
    out = capsys.readouterr().out
    assert "strangulation = True" in out and "children_in_household = False" in out


def test_a_broken_edit_keeps_the_last_good_phrasings(tmp_path):
    import os
    path = tmp_path / "phrasings.yaml"
    path.write_text(yaml.safe_dump({"facts": {"weapon": {"says": ["crowbar"]}}}))
    good = load_phrasings(path)
    path.write_text("facts: {weapon: {says: ['(unclosed']}}\n")
    os.utime(path, (1, 1))       # a different mtime, as a real save would give
    assert load_phrasings(path) is good
