"""Question groups: when a group replaces its facts, what its answers set, and how authors' mistakes are caught."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.guidance import group_answer, load_guidance, next_questions, next_steps, validate
from tests.support.examples import examples

from .conftest import line_containing

Edit = Callable[[Path, str, str], None]
# Every MARAC criterion, asked as one question (a score or a count as its threshold).
RED_FLAGS = ["strangulation", "threats_to_kill", "weapon", "suicide_risk", "stalking",
             "honour_based_abuse", "risk_score_high", "repeat_incidents", "previous_marac_12_months",
             "multiple_perpetrators", "professional_judgement_high_risk"]


def errors(folder: Path) -> list[str]:
    _, problems = validate(folder)
    return [p.message for p in problems if p.is_error]


def test_real_groups_are_loaded_with_their_wording(guidance) -> None:
    red = guidance.groups["red_flags"]
    assert list(red.facts) == RED_FLAGS
    assert red.question and red.why and all(red.items.values())
    assert (red.yes_label, red.none_label, red.unsure_label) == ("Yes, one or more", "None of these", "Not sure")
    assert guidance.groups["wishes"].unsure_label == "Not sure / not asked yet"


def test_danger_now_is_always_asked_first_on_its_own(guidance) -> None:
    assert next_steps(guidance, {})[0] == "immediate_danger"
    assert all("immediate_danger" not in group.facts for group in guidance.groups.values())


def test_a_group_replaces_two_or_more_pending_facts_at_its_first_facts_place(guidance) -> None:
    facts = {"immediate_danger": False}
    questions = next_questions(guidance, facts, ["immediate_danger"])
    steps = next_steps(guidance, facts, ["immediate_danger"])
    assert "red_flags" in steps and not set(RED_FLAGS) & set(steps)
    assert "recent_incident" in steps                      # not in any group: asked on its own
    # the group stands where strangulation (its most critical fact) stood
    before = [q for q in questions[:questions.index("strangulation")] if q not in guidance.groups]
    assert steps.index("red_flags") <= len(before)
    assert len(steps) < len(questions)


def test_a_group_with_one_pending_fact_asks_that_fact(guidance) -> None:
    facts = {"immediate_danger": False, **{f: False for f in RED_FLAGS if f != "honour_based_abuse"}}
    steps = next_steps(guidance, facts, list(facts))
    assert "honour_based_abuse" in steps and "red_flags" not in steps


def test_after_yes_one_or_more_the_pending_facts_are_asked_one_by_one(guidance) -> None:
    facts = {"immediate_danger": False}
    asked = ["immediate_danger", "red_flags"]
    assert group_answer(guidance, "red_flags", facts, asked[:1], True) == {}
    steps = next_steps(guidance, facts, asked)
    assert "red_flags" not in steps
    assert set(RED_FLAGS) <= set(steps)


def test_none_of_these_and_not_sure_set_exactly_the_listed_facts(guidance) -> None:
    facts = {"immediate_danger": False, "strangulation": True}     # already said in free text
    asked = ["immediate_danger", "strangulation"]
    none = group_answer(guidance, "red_flags", facts, asked, False)
    assert "strangulation" not in none                            # never overwrites an answer
    assert none and set(none) <= set(RED_FLAGS) and set(none.values()) == {False}
    assert set(none) == {f for f in RED_FLAGS if f in next_questions(guidance, facts, asked)}
    unsure = group_answer(guidance, "red_flags", facts, asked, None)
    assert set(unsure) == set(none) and set(unsure.values()) == {None}


def test_not_sure_to_a_group_asks_none_of_its_facts_again(guidance) -> None:
    facts = {"immediate_danger": False}
    asked = ["immediate_danger"]
    facts.update(group_answer(guidance, "red_flags", facts, asked, None))
    asked += [*facts, "red_flags"]
    steps = next_steps(guidance, facts, asked)
    assert not set(RED_FLAGS) & set(steps) and "red_flags" not in steps


def _walk(guidance, answer_of) -> list[str]:
    """Every step of a triage answering each step with answer_of(step)."""
    facts, asked, steps = {}, [], []
    for _ in range(60):
        remaining = next_steps(guidance, facts, asked)
        if not remaining:
            return steps
        step = remaining[0]
        steps.append(step)
        if step in guidance.groups:
            facts.update(group_answer(guidance, step, facts, asked, answer_of(step)))
        else:
            facts[step] = answer_of(step)
        asked += [f for f in facts if f not in asked] + [step]
    raise AssertionError(f"no end after 60 steps: {steps}")


def test_a_triage_answered_not_sure_throughout_is_about_half_as_long(guidance) -> None:
    steps = _walk(guidance, lambda step: None)
    facts_only = len(next_questions(guidance, {}))
    assert steps[0] == "immediate_danger"
    assert len(steps) <= facts_only // 2 + 2


@settings(max_examples=examples(40), deadline=None)
@given(st.dictionaries(st.sampled_from(RED_FLAGS + ["children_in_household", "victim_consents_police"]),
                       st.sampled_from([True, False, None])))
def test_grouping_never_loses_a_yes(truth: dict) -> None:
    """Answering groups truthfully finds every "yes" that asking fact by fact would find."""
    g = _GUIDANCE

    def answer(step: str):
        if step in g.groups:
            values = [truth.get(f) for f in g.groups[step].facts]
            if any(v is True for v in values):
                return True
            return False if values and all(v is False for v in values) else None
        return truth.get(step, False if step == "immediate_danger" else None)

    facts, asked = {}, []
    for _ in range(80):
        remaining = next_steps(g, facts, asked, everything=True)   # grouping alone, without the stopping rule
        if not remaining:
            break
        step = remaining[0]
        if step in g.groups:
            got = group_answer(g, step, facts, asked, answer(step))
            if answer(step) is False:
                assert all(truth.get(f) is False for f in got)   # "None of these" only when all are no
            facts.update(got)
        else:
            facts[step] = answer(step)
        asked += [f for f in facts if f not in asked] + [step]
    one_by_one, seen = {}, []
    for _ in range(80):
        remaining = next_questions(g, one_by_one, seen)
        if not remaining:
            break
        one_by_one[remaining[0]] = (truth.get(remaining[0], False if remaining[0] == "immediate_danger" else None))
        seen.append(remaining[0])
    for f, v in truth.items():
        if v is True and f in one_by_one:
            assert facts.get(f) is True                            # every true red flag is still found


_GUIDANCE = load_guidance()


def test_group_with_unknown_fact_is_an_error(pathways_copy: Path, edit: Edit) -> None:
    edit(pathways_copy / "facts.yaml", "      weapon: \"a weapon", "      weapons: \"a weapon")
    assert any("unknown fact `weapons`" in m for m in errors(pathways_copy))


def test_fact_in_two_groups_is_an_error(pathways_copy: Path, edit: Edit) -> None:
    edit(pathways_copy / "facts.yaml", "      injury: \"the abuse caused an injury\"",
         "      strangulation: \"strangling\"\n      injury: \"the abuse caused an injury\"")
    assert any("`strangulation` is in group `red_flags` and in group `other_needs`" in m
               for m in errors(pathways_copy))


def test_group_without_question_or_item_wording_is_an_error(pathways_copy: Path, edit: Edit) -> None:
    file = pathways_copy / "facts.yaml"
    edit(file, "    question: \"Has any of these happened, even once, or does any apply?\"\n", "")
    edit(file, "      stalking: \"stalking or harassment: constant calls or messages, being followed or tracked\"",
         "      stalking: \"\"")
    found = errors(pathways_copy)
    assert any("group `red_flags` has no `question:`" in m for m in found)
    assert any("`stalking` in group `red_flags` has no wording" in m for m in found)


def test_danger_now_or_a_number_fact_cannot_be_grouped(pathways_copy: Path, edit: Edit) -> None:
    edit(pathways_copy / "facts.yaml", "      injury: \"the abuse caused an injury\"",
         "      injury: \"the abuse caused an injury\"\n      immediate_danger: \"danger now\"\n"
         "      dash_score: \"a high score\"")
    found = errors(pathways_copy)
    assert any("`immediate_danger` cannot be in a group" in m for m in found)
    assert any("`dash_score`, which is not a yes/no fact" in m for m in found)


def test_group_id_clashing_with_a_fact_is_an_error_with_its_line(pathways_copy: Path, edit: Edit) -> None:
    file = pathways_copy / "facts.yaml"
    edit(file, "  - id: other_needs\n", "  - id: injury\n")
    _, problems = validate(pathways_copy)
    clash = [p for p in problems if p.is_error and "group id `injury`" in p.message]
    assert clash and clash[0].line > line_containing(file, "groups:")


@settings(max_examples=examples(60), deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(_GUIDANCE.facts)), st.none(), max_size=12),
       st.lists(st.sampled_from(sorted(_GUIDANCE.groups)), max_size=3))
def test_next_steps_covers_exactly_next_questions(unsure: dict, groups_asked: list) -> None:
    """Every question that could change the advice is asked, alone or inside its group; nothing else is."""
    g = _GUIDANCE
    asked = [*unsure, *groups_asked]
    questions = next_questions(g, unsure, asked)
    steps = next_steps(g, unsure, asked, everything=True)   # grouping alone, without the stopping rule
    covered = set()
    for step in steps:
        if step in g.groups:
            assert step not in groups_asked
            pending = [f for f in g.groups[step].facts if f in questions]
            assert len(pending) >= 2
            covered.update(pending)
        else:
            covered.add(step)
    assert covered == set(questions)
    if questions:   # the most safety-critical question comes first, alone or in its group
        group = g.groups.get(steps[0])
        assert questions[0] in group.facts if group else steps[0] == questions[0]
