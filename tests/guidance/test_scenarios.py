"""The scenario files themselves: enough of them, covering every pathway and criterion."""
from __future__ import annotations

from assistant import PATHWAYS_DIR
from assistant.guidance.scenarios import load_scenarios, run_all

MARAC_RULES = {"marac_dash_high", "marac_professional_judgement", "marac_escalation", "marac_repeat",
               "marac_repeat_victim_multiple_perpetrators", "marac_separation_control_violence"}


def test_every_scenario_passes() -> None:
    outcomes = run_all(PATHWAYS_DIR)
    failures = {o.scenario.file.name: o.failures for o in outcomes if not o.passed}
    assert not failures


def test_at_least_forty_scenarios() -> None:
    assert len(load_scenarios(PATHWAYS_DIR / "scenarios")) >= 40


def test_every_pathway_is_expected_somewhere(guidance) -> None:
    expected = set()
    for scenario in load_scenarios(PATHWAYS_DIR / "scenarios"):
        expected.update(scenario.expect)
    assert set(guidance.pathways) <= expected


def test_every_marac_criterion_and_every_rule_fires_in_some_scenario(guidance) -> None:
    fired = set()
    for outcome in run_all(PATHWAYS_DIR):
        for pathway in outcome.recommendation.pathways:
            fired.update(pathway.rules)
    assert MARAC_RULES <= fired
    adding_rules = {r.id for r in guidance.rules if r.adds}
    assert adding_rules <= fired, sorted(adding_rules - fired)


def test_scenarios_include_negations_and_unknowns() -> None:
    scenarios = load_scenarios(PATHWAYS_DIR / "scenarios")
    assert sum(bool(s.expect_not) for s in scenarios) >= 15
    assert any(None in s.facts.values() for s in scenarios)
    assert any(not s.facts for s in scenarios)
