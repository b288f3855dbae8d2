"""Question groups: several yes/no facts asked as one question to shorten the triage.

An author declares a group in facts.yaml (``groups:``). When at least
``MIN_PENDING`` of a group's facts are among the questions that could still
change the advice, the conversation asks the group once ("Have any of these
happened?") instead: "None of these" answers every listed fact with no, "Not
sure" marks them all asked-but-unknown, and "Yes, one or more" asks only the
listed facts that still matter, one by one. Nothing is dropped: a group only
replaces questions next_questions() would ask anyway, at the place of its most
safety-critical fact.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .model import FactSpec, Guidance, QuestionGroup
from .problems import Collector
from .stopping import keep_for_today
from .yamlfile import YDict, YList

# Asking a group for a single fact would only add a step.
MIN_PENDING = 2
# Danger-now is always its own first question (safety first, never bundled).
NEVER_GROUPED = frozenset({"immediate_danger"})


def pending_in_group(group: QuestionGroup, questions: Iterable[str]) -> list[str]:
    """The group's facts among ``questions`` (what the group question would list), in group order."""
    wanted = set(questions)
    return [fid for fid in group.facts if fid in wanted]


def next_steps(guidance: Guidance, facts: Mapping[str, Any], asked: Iterable[str] = (),
               everything: bool = False) -> list[str]:
    """What to ask next, most safety-critical first: fact ids and group ids.

    Only what could still change what to do today (stopping.py), unless
    ``everything`` (the professional asked for the questions that refine the rest).

    The facts are next_questions(); a group not yet asked (its id not in
    ``asked``) replaces its facts when at least MIN_PENDING of them are pending,
    at the position of the first of them.
    """
    from .engine import next_questions  # engine imports nothing from here; avoids a cycle at load

    asked = list(asked)
    questions = next_questions(guidance, facts, asked)
    if not everything:
        questions = keep_for_today(guidance, facts, asked, questions)
    group_of = {fid: gid for gid, group in guidance.groups.items() for fid in group.facts}
    steps: list[str] = []
    covered: set[str] = set()
    for fid in questions:
        if fid in covered:
            continue
        gid = group_of.get(fid)
        if gid is not None and gid not in asked:
            pending = pending_in_group(guidance.groups[gid], questions)
            if len(pending) >= MIN_PENDING:
                steps.append(gid)
                covered.update(pending)
                continue
        steps.append(fid)
    return steps


def group_answer(guidance: Guidance, group_id: str, facts: Mapping[str, Any], asked: Iterable[str],
                 answer: bool | None) -> dict[str, Any]:
    """The facts a group answer sets: ``False`` ("None of these") -> no for every
    listed fact, ``None`` ("Not sure") -> unknown for every listed fact, ``True``
    ("Yes, one or more") -> nothing yet (each is then asked on its own).

    "Listed" means exactly what the group question lists (its facts still
    pending), so an answer never claims more than was asked nor overwrites
    something the professional already said.
    """
    from .engine import next_questions

    if answer is True:
        return {}
    pending = pending_in_group(guidance.groups[group_id], next_questions(guidance, facts, asked))
    return {fid: answer for fid in pending}


def load_groups(out: Collector, file: Path, doc: YDict | None, facts: Mapping[str, FactSpec],
                fmt: Any) -> dict[str, QuestionGroup]:
    """``groups:`` of facts.yaml, checked: known yes/no facts, each in one group, wording present."""
    if doc is None or "groups" not in doc:
        return {}
    raw = doc.get("groups")
    if not isinstance(raw, YList):
        out.error(file, doc.line_of("groups"), "`groups:` must be a list",
                  "write `groups:` and then one entry per group starting with `- id:`")
        return {}
    result: dict[str, QuestionGroup] = {}
    owner: dict[str, str] = {}
    for i, item in enumerate(raw):
        line = raw.line_of(i)
        if not isinstance(item, YDict):
            out.error(file, line, f"group {i + 1} is not a mapping", "start it with `- id: name` then its fields")
            continue
        gid = item.get("id")
        if not isinstance(gid, str) or not gid.isidentifier():
            out.error(file, line, "a group has no valid `id:`", "add `id: name_in_lower_case`")
            continue
        if gid in facts or gid in result:
            out.error(file, line, f"group id `{gid}` is already used by a fact or another group",
                      "give the group a name of its own, e.g. `red_flags`")
            continue
        texts = {}
        for key in ("question", "why"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                out.error(file, item.line_of(key) if key in item else line, f"group `{gid}` has no `{key}:`",
                          f"add `{key}:` with plain-words text")
                value = ""
            texts[key] = fmt(" ".join(value.split()))
        items = item.get("items")
        if not isinstance(items, YDict) or not items:
            out.error(file, item.line_of("items") if "items" in item else line, f"group `{gid}` lists no `items:`",
                      "add `items:` with one `fact_id: \"plain words\"` line per fact")
            continue
        checked: dict[str, str] = {}
        for fid, words in items.items():
            at = items.line_of(fid)
            spec = facts.get(fid)
            if spec is None:
                out.error(file, at, f"group `{gid}` lists unknown fact `{fid}`", "use a fact id from `facts:` above")
            elif spec.type != "bool":
                out.error(file, at, f"group `{gid}` lists `{fid}`, which is not a yes/no fact",
                          "only yes/no facts can be answered \"None of these\"; ask it on its own")
            elif fid in NEVER_GROUPED:
                out.error(file, at, f"`{fid}` cannot be in a group",
                          "danger now is always asked first on its own; remove it from the group")
            elif fid in owner:
                out.error(file, at, f"fact `{fid}` is in group `{owner[fid]}` and in group `{gid}`",
                          "keep each fact in one group only")
            elif not isinstance(words, str) or not words.strip():
                out.error(file, at, f"`{fid}` in group `{gid}` has no wording",
                          f"write `{fid}: \"plain words listed in the question\"`")
            else:
                owner[fid] = gid
                checked[fid] = fmt(" ".join(words.split()))
        if len(items) < MIN_PENDING:
            out.error(file, item.line_of("items"), f"group `{gid}` lists fewer than {MIN_PENDING} facts",
                      "a group needs at least two facts; ask a single fact on its own")
        labels = {key: item.get(key) for key in ("yes_label", "none_label", "unsure_label") if item.get(key)}
        for key, value in labels.items():
            if not isinstance(value, str):
                out.error(file, item.line_of(key), f"`{key}:` of group `{gid}` must be text", "put the text in quotes")
        text_labels: dict[str, str] = {k: v for k, v in labels.items() if isinstance(v, str)}
        result[gid] = QuestionGroup(id=gid, question=texts["question"], why=texts["why"], items=checked,
                                    line=line, **text_labels)
    return result
