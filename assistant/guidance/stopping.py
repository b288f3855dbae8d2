"""When to stop asking: once no unanswered question could change what to do *today*.

A receptionist needs the actions that cannot wait (urgency ``immediate`` or
``same_day`` in guidance.yaml, the "today" urgencies) and the one phone number
each needs; questions that could only refine the slower follow-up are offered
("more questions could refine this"), not asked.

The test is made on the rules, not on a guess. A pathway is in or above today's
urgency in the full answer only through a rule that fires then. So a question is
still worth asking today when it is *live* (its answer could still change the
rule's result) in

- a rule not firing now that adds a pathway at a today urgency more urgent than
  what the pathway has now (an answer could add or raise a today pathway), or
- a rule firing now that excludes a pathway some other rule could add today (an
  answer could lift the exclusion; conditions such as ``unless:`` are not
  monotonic, so a firing rule can stop firing).

Stopping then never loses an immediate or same-day pathway compared with asking
everything: tests/guidance/test_stopping.py checks it over every scenario.

Pure Python; engine/groups call ``today_relevant`` through a small hook.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Guidance, Rule

# The urgency that still means "today": it and every more urgent level (by rank in guidance.yaml).
TODAY_URGENCY = "same_day"


def today_rank(guidance: Guidance) -> int:
    """The rank of the slowest urgency that still means today (0 = most urgent)."""
    urgency = guidance.urgencies.get(TODAY_URGENCY)
    return urgency.rank if urgency is not None else 0


def _adds_today(guidance: Guidance, rule: Rule, limit: int) -> bool:
    return rule.adds is not None and rule.urgency is not None and guidance.urgencies[rule.urgency].rank <= limit


# Trying every answer to a rule's open questions is cheap for the small rules authors write;
# past this many combinations a rule is assumed able to fire (asking more, never less).
_MAX_TRIALS = 256


def _can_fire(guidance: Guidance, rule: Rule, facts: Mapping[str, Any], free: frozenset) -> bool:
    """Could some answers to the ``free`` questions make ``rule`` fire? A question
    answered "Not sure" stays unknown, so it is not free."""
    if not free:
        return False
    choices = [(fid, guidance.candidates.get(fid, ())) for fid in sorted(free)]
    total = 1
    for _, values in choices:
        total *= max(1, len(values))
    if total > _MAX_TRIALS or any(not values for _, values in choices):
        return True
    trial = dict(facts)

    def search(i: int) -> bool:
        if i == len(choices):
            return rule.check(trial) is True
        fid, values = choices[i]
        for value in values:
            trial[fid] = value
            if search(i + 1):
                return True
        trial[fid] = facts.get(fid)
        return False

    return search(0)


def today_relevant(guidance: Guidance, facts: Mapping[str, Any], asked: Iterable[str] = ()) -> set[str]:
    """Unanswered facts (not in ``asked``) whose answer could add a pathway at a today
    urgency, raise one to it, or lift an exclusion of one."""
    skip = set(asked)
    limit = today_rank(guidance)
    fired = [rule for rule in guidance.rules if rule.check(facts) is True]
    best: dict[str, int] = {}
    for rule in fired:
        if rule.adds is not None and rule.urgency is not None:
            rank = guidance.urgencies[rule.urgency].rank
            best[rule.adds] = min(rank, best.get(rule.adds, rank))
    fired_ids = {rule.id for rule in fired}
    possible_today: set[str] = set()
    relevant: set[str] = set()
    for rule in guidance.rules:
        if not _adds_today(guidance, rule, limit):
            continue
        live = rule.live(facts)
        if rule.id in fired_ids:
            possible_today.add(rule.adds)  # type: ignore[arg-type]
        elif _can_fire(guidance, rule, facts, frozenset(live - skip)):
            possible_today.add(rule.adds)  # type: ignore[arg-type]
            if guidance.urgencies[rule.urgency].rank < best.get(rule.adds, 1 << 30):  # type: ignore[index, arg-type]
                relevant |= live
    for rule in fired:
        if set(rule.excludes) & possible_today:
            relevant |= rule.live(facts)   # an answer could lift the exclusion
    return {fid for fid in relevant if fid not in skip and facts.get(fid) is None}


def keep_for_today(guidance: Guidance, facts: Mapping[str, Any], asked: Iterable[str],
                   questions: list[str]) -> list[str]:
    """``questions`` (next_questions' order: safety order) cut to those that matter today.

    The hook in groups.next_steps: the rest are what "more questions" would ask.
    """
    asked = list(asked)
    asked += sorted(_stood_for(guidance, facts, asked))
    wanted = today_relevant(guidance, facts, asked) | _yes_to_find(guidance, facts, asked)
    # A question that decides whether a wanted question fits at all (its ``ask_when:``, e.g.
    # who told you, before the victim's wishes) is wanted too: asked first, in safety order.
    for fid in list(wanted):
        when = guidance.ask_when.get(fid)
        if when is not None:
            wanted |= {f for f in when.facts if f not in asked and facts.get(f) is None}
    return [fid for fid in questions if fid in wanted]


def _stood_for(guidance: Guidance, facts: Mapping[str, Any], asked: list[str]) -> set[str]:
    """Questions a group item asks in other words, while it is not sure or not asked yet.

    A group item can stand for a threshold (``risk_score_high`` for "DASH 14 or more, or
    MeRIT Gold"): the detailed question's ``ask_when:`` then drops it once the item is no.
    When the professional was not sure of the item, asking the same thing again as a number
    only repeats the question, so it is not asked today either (it stays among the "more
    questions"). Only a question that a "no" to the item would have dropped counts: one
    whose ``ask_when:`` becomes known false with the item set to no.
    """
    done = set(asked)
    # a stand-in answered "Not sure", or not asked yet (its group will ask it first)
    unsure = {fid for gid, group in guidance.groups.items() for fid in group.facts
              if facts.get(fid) is None and (fid in done and gid in done or fid not in done)}
    dropped: set[str] = set()
    if not unsure:
        return dropped
    for fid, when in guidance.ask_when.items():
        if fid in done or facts.get(fid) is not None or not (set(when.facts) & unsure):
            continue
        trial = dict(facts)
        trial.update({item: False for item in set(when.facts) & unsure})
        if when.check(trial) is False:
            dropped.add(fid)
    return dropped


def _yes_to_find(guidance: Guidance, facts: Mapping[str, Any], asked: list[str]) -> set[str]:
    """After "Yes, one or more" to a group, its listed facts until the yes is found: an
    answer the professional gave is never dropped, whether or not it matters today."""
    done = set(asked)
    found: set[str] = set()
    for gid in asked:
        group = guidance.groups.get(gid)
        if group is None or any(facts.get(fid) is True for fid in group.facts):
            continue
        found |= {fid for fid in group.facts if fid not in done and facts.get(fid) is None}
    return found


# ---- Walking a whole triage without a conversation (tests and bench) ---------------------------

Answer = Callable[[str], Any]   # fact id -> the value the professional gives (None: "Not sure")


@dataclass
class Walk:
    """One triage as a receptionist would answer it: what was asked, and what is known at the end."""
    facts: dict[str, Any]
    prompts: list[str] = field(default_factory=list)   # each question shown (fact or group id)
    asked: list[str] = field(default_factory=list)


def walk(guidance: Guidance, opening: Mapping[str, Any], answer: Answer, everything: bool = False,
         max_prompts: int = 80, name_yes: bool = True) -> Walk:
    """Asks next_steps() until nothing is left, answering with ``answer``.

    A group is answered as a person would: "Yes" when any listed fact is yes,
    "None of these" when every listed fact is no, else "Not sure". A typed reply names
    what it knows ("yes, he choked her", "not the police"; ``name_yes``): those listed
    facts are set and whatever else still matters today is asked on its own. With ``name_yes=False`` the
    "Yes, one or more" button is pressed and each listed fact is asked on its own.
    ``everything`` asks every question that could change any part of the advice
    (the slow way, for comparison).
    """
    from .engine import next_questions
    from .groups import group_answer, next_steps, pending_in_group

    state = Walk(facts=dict(opening))
    state.asked = [f for f, v in opening.items() if v is not None]
    while len(state.prompts) < max_prompts:
        steps = next_steps(guidance, state.facts, state.asked, everything=everything)
        if not steps:
            return state
        step = steps[0]
        state.prompts.append(step)
        group = guidance.groups.get(step)
        if group is None:
            state.facts[step] = answer(step)
            state.asked.append(step)
            continue
        listed = pending_in_group(group, next_questions(guidance, state.facts, state.asked))
        values = [answer(fid) for fid in listed]
        reply: bool | None = True if any(v is True for v in values) else (
            False if values and all(v is False for v in values) else None)
        state.facts.update(group_answer(guidance, step, state.facts, state.asked, reply))
        state.asked += [fid for fid in listed if reply is not True]
        if name_yes:   # a typed reply also says what it knows ("not police, not sure about a referral")
            named = {fid: value for fid, value in zip(listed, values, strict=True) if value is not None}
            state.facts.update(named)
            state.asked += [fid for fid in named if fid not in state.asked]
        state.asked.append(step)
    raise RuntimeError(f"no end to the questions after {max_prompts} prompts: {state.prompts}")


def today_pathways(guidance: Guidance, facts: Mapping[str, Any]) -> dict[str, str]:
    """pathway id -> urgency, for the pathways at a today urgency (the ones stopping must never lose)."""
    from .engine import decide

    limit = today_rank(guidance)
    return {p.id: p.urgency for p in decide(guidance, facts).pathways if p.urgency_rank <= limit}
