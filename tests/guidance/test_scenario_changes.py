"""compare_scenarios: the one comparison of two copies of the guidance over the scenarios
(`signpost diff` prints it; the workspace shows it before a publish)."""
from __future__ import annotations

from pathlib import Path

from assistant import PATHWAYS_DIR
from assistant.guidance.scenarios import GuidanceByArea, Scenario, compare_scenarios, scenarios_of_both


def _compare(old: Path, new: Path):
    changes = compare_scenarios(GuidanceByArea(old).get, GuidanceByArea(new).get, scenarios_of_both(old, new))
    return {c.key: c for c in changes}


def test_the_same_guidance_changes_nothing() -> None:
    changes = _compare(PATHWAYS_DIR, PATHWAYS_DIR)
    assert len(changes) == len(list((PATHWAYS_DIR / "scenarios").glob("*.yaml")))
    assert not [key for key, c in changes.items() if c.changed]


def test_a_lower_threshold_adds_pathways_with_their_urgency(pathways_copy: Path, edit) -> None:
    edit(pathways_copy / "areas" / "sefton.yaml", "  escalation_threshold: 3", "  escalation_threshold: 2")
    change = _compare(PATHWAYS_DIR, pathways_copy)["escalation_below_threshold"]
    assert change.changed and change.error is None
    added = {p.id: p.urgency for p in change.added}
    assert added["marac"] == "same_day" and added["idva"] == "same_day"
    assert not change.removed


def test_an_urgency_edit_is_a_move_with_both_sides(pathways_copy: Path, edit) -> None:
    edit(pathways_copy / "rules.yaml", "    when: {stalking: true}\n    add: marac\n    urgency: same_day",
         "    when: {stalking: true}\n    add: marac\n    urgency: immediate")
    changes = _compare(PATHWAYS_DIR, pathways_copy)
    moved = [(b.urgency, a.urgency) for b, a in changes["red_flag_stalking"].moved if a.id == "marac"]
    assert moved == [("same_day", "immediate")]


def test_a_scenario_that_cannot_be_decided_is_reported_not_raised(tmp_path: Path) -> None:
    broken = Scenario(file=tmp_path / "bad.yaml", name="bad", facts={"no_such_fact": True})
    guidance = GuidanceByArea(PATHWAYS_DIR).get
    [change] = compare_scenarios(guidance, guidance, [broken])
    assert change.changed and change.error and "\n" not in change.error
    assert change.key == "bad"


def test_the_new_copy_wins_a_scenario_name_both_hold(pathways_copy: Path) -> None:
    file = pathways_copy / "scenarios" / "danger_now.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace("name:", "name: renamed", 1), encoding="utf-8")
    names = {s.file.stem: s.name for s in scenarios_of_both(PATHWAYS_DIR, pathways_copy)}
    assert names["danger_now"].startswith("renamed")
