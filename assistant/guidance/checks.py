"""Cross-checks that need the whole guidance: rules that can never fire,
pathways no rule reaches, facts no rule uses, and the no-dead-ends promise."""
from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from pathlib import Path

from .model import Guidance, Rule
from .problems import Collector

EXHAUSTIVE_LIMIT = 6000
SAMPLES = 4000


def _assignments(rule: Rule, guidance: Guidance) -> tuple[Iterator[dict], bool]:
    """Answer combinations to try for one rule, and whether they are all of them."""
    names = sorted(rule.facts_used)
    choices = [guidance.candidates.get(n, ()) + (None,) for n in names]
    total = 1
    for c in choices:
        total *= len(c)
    if total <= EXHAUSTIVE_LIMIT:
        return (dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices)), True

    def sampled() -> Iterator[dict]:
        # each fact varied on its own against all-unknown and all-first backgrounds,
        # then random mixtures: cheap and finds most satisfiable conditions
        for background in ({n: None for n in names}, {n: c[0] for n, c in zip(names, choices, strict=True)},
                           {n: c[-2] if len(c) > 1 else None for n, c in zip(names, choices, strict=True)}):
            yield dict(background)
            for n, c in zip(names, choices, strict=True):
                for v in c:
                    yield {**background, n: v}
        rng = random.Random(rule.id)  # same answer every run
        for _ in range(SAMPLES):
            yield {n: rng.choice(c) for n, c in zip(names, choices, strict=True)}
    return sampled(), False


def can_fire(rule: Rule, guidance: Guidance) -> tuple[bool, bool]:
    """(fires for some answers, the search was exhaustive)."""
    combos, exhaustive = _assignments(rule, guidance)
    return any(rule.check(facts) is True for facts in combos), exhaustive


def cross_check(out: Collector, rules_file: Path, catalogue_file: Path, guidances: list[Guidance],
                fallback: tuple[str, ...]) -> None:
    if not guidances:
        return
    fires: dict[str, bool] = {}
    exhaustive_all: dict[str, bool] = {}
    for guidance in guidances:
        for rule in guidance.rules:
            if fires.get(rule.id):
                continue
            ok, exhaustive = can_fire(rule, guidance)
            fires[rule.id] = ok
            exhaustive_all[rule.id] = exhaustive_all.get(rule.id, True) and exhaustive
    first = guidances[0]
    for rule in first.rules:
        if fires.get(rule.id):
            continue
        if exhaustive_all.get(rule.id):
            out.error(rules_file, rule.line, f"rule `{rule.id}` can never fire, whatever the answers, in any area",
                      "look for conditions that contradict each other (e.g. a fact required both true and false)")
        else:
            out.warning(rules_file, rule.line, f"no combination of answers tried makes rule `{rule.id}` fire",
                        "check its conditions do not contradict each other")
    for pid, spec in first.pathways.items():
        adders = [r for r in first.rules if r.adds == pid]
        if not adders:
            out.error(catalogue_file, spec.line, f"no rule adds pathway `{pid}`",
                      f"add a rule in rules.yaml with `add: {pid}`, or remove the pathway")
        elif not any(fires.get(r.id) for r in adders):
            out.error(catalogue_file, spec.line, f"pathway `{pid}` is never reached: the rules that add it cannot fire",
                      "fix the conditions of: " + ", ".join(r.id for r in adders))
    used = set().union(*(r.facts_used for r in first.rules)) if first.rules else set()
    # a fact read only by another fact's `ask_when:` (e.g. age band) is used: it saves a question
    used |= set().union(*(w.facts for w in first.ask_when.values())) if first.ask_when else set()
    facts_file = rules_file.parent / "facts.yaml"
    for fid, fact in first.facts.items():
        if fid not in used:
            out.warning(facts_file, fact.line, f"no rule uses fact `{fid}`, so asking it changes nothing",
                        "use it in a rule, or remove it")
    _danger_first(out, rules_file, catalogue_file, guidances)
    for guidance in guidances:
        empty = {fid: None for fid in guidance.facts}
        fired = [r for r in guidance.rules if r.adds in fallback and r.check(empty) is True]
        if not fired:
            out.error(rules_file, 1, f"with nothing known, area `{guidance.area}` recommends no safe next step",
                      "keep a rule with `when: {always: true}` that adds one of: " + ", ".join(fallback))


def _danger_first(out: Collector, rules_file: Path, catalogue_file: Path, guidances: list[Guidance]) -> None:
    """Danger now must put 999 first at the most urgent level, whatever else is true."""
    from .engine import decide  # engine depends on nothing here; imported late to keep modules one-way

    if "immediate_danger" not in guidances[0].facts or "police_999" not in guidances[0].pathways:
        return  # already reported as missing vocabulary
    worst_case = {fid: guidances[0].candidates[fid][0] if guidances[0].candidates.get(fid) else None
                  for fid in guidances[0].facts}
    for guidance in guidances:
        for facts in ({"immediate_danger": True}, {**worst_case, "immediate_danger": True}):
            facts = {k: v for k, v in facts.items() if k in guidance.facts}
            first = decide(guidance, facts).pathways[0]
            if first.id != "police_999" or first.urgency_rank != 0:
                out.error(rules_file, 1, f"in area `{guidance.area}`, danger now does not put police_999 first "
                          f"at the most urgent level (first is {first.id}, {first.urgency})",
                          "keep the rule adding police_999 with the first urgency level when immediate_danger is true, "
                          "and keep police_999 first in catalogue.yaml")
                return


def check_wording(out: Collector, root: Path, avoid: list[str], guidance: Guidance) -> None:
    """Warn where a question, reason or instruction uses one of guidance.yaml's `avoid_words`."""
    lowered = [w.lower() for w in avoid]
    def scan(file: Path, line: int, text: str, what: str) -> None:
        low = text.lower()
        for word in lowered:
            if word in low:
                out.warning(file, line, f"{what} uses '{word}', which can read as blaming",
                            "rephrase in plain, non-blaming words (see `avoid_words` in guidance.yaml)")
    for rule in guidance.rules:
        scan(root / "rules.yaml", rule.line, rule.reason, f"the reason of rule `{rule.id}`")
    for spec in guidance.facts.values():
        scan(root / "facts.yaml", spec.line, spec.question, f"the question for `{spec.id}`")
    for group in guidance.groups.values():
        scan(root / "facts.yaml", group.line, " ".join([group.question, *group.items.values()]),
             f"the question for group `{group.id}`")
    for p in guidance.pathways.values():
        scan(root / "catalogue.yaml", p.line, p.what_to_do, f"what to do for `{p.id}`")
