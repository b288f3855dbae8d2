"""`signpost validate | decide | test | diff`: the guidance author's commands.

Exit status: 0 when all is well, 1 when the guidance, the facts or a scenario
has a problem (printed with file, line and fix), 2 for wrong usage.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from assistant import PATHWAYS_DIR

from .engine import decide
from .loader import load_guidance, validate
from .model import Guidance, Rule
from .problems import GuidanceError, Problem
from .render import referral_summary, render_detail
from .scenarios import GuidanceByArea, ScenarioChange, compare_scenarios, run_all, scenarios_of_both
from .schema import other_files


def _print_problems(problems: list[Problem], stream: TextIO) -> None:
    for problem in problems:
        print(problem, file=stream)


def _errors_and_warnings(problems: list[Problem]) -> tuple[int, int]:
    errors = sum(p.is_error for p in problems)
    return errors, len(problems) - errors


def cmd_validate(args: argparse.Namespace) -> int:
    guidances, problems = validate(Path(args.dir))
    problems = problems + other_files(Path(args.dir))  # phrasings, scenarios: every file in the folder
    errors, warnings = _errors_and_warnings(problems)
    _print_problems(sorted(problems, key=lambda p: not p.is_error), sys.stdout)  # errors first
    if errors:
        print(f"\nINVALID: {errors} error(s), {warnings} warning(s). "
              "Nothing was loaded; the bot keeps the last good version.")
        return 1
    if not guidances:
        print(f"\nINVALID: no area could be loaded; {warnings} warning(s).")
        return 1
    any_guidance = next(iter(guidances.values()))
    print(f"OK: guidance {any_guidance.version.split('+')[0]}, areas: {', '.join(sorted(guidances))}; "
          f"{len(any_guidance.rules)} rules, {len(any_guidance.pathways)} pathways, {len(any_guidance.facts)} facts; "
          f"{warnings} warning(s).")
    return 0


def _read_facts(source: str) -> Any:
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if isinstance(data, dict) and isinstance(data.get("facts"), dict):
        data = data["facts"]  # a scenario file works too
    if data is None:
        data = {}
    return data


def cmd_decide(args: argparse.Namespace) -> int:
    try:
        facts = _read_facts(args.facts)
    except OSError as exc:
        print(f"error: cannot read {args.facts}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except yaml.YAMLError as exc:
        print(f"error: {args.facts} is not valid YAML or JSON: {exc}", file=sys.stderr)
        return 1
    if not isinstance(facts, dict):
        print("error: the facts must be a mapping of fact name to value, e.g. `strangulation: true`", file=sys.stderr)
        return 1
    try:
        guidance = load_guidance(Path(args.dir), args.area)
    except GuidanceError as exc:
        _print_problems([p for p in exc.problems if p.is_error], sys.stderr)
        print("error: the guidance is invalid; run `signpost validate`", file=sys.stderr)
        return 1
    try:
        rec = decide(guidance, facts)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rec.to_json(), indent=2, ensure_ascii=False))
    elif args.summary:
        print(referral_summary(rec))
    else:
        print(render_detail(rec))   # an author reads the whole advice
    return 0


def _table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
    return "\n".join([fmt(header), fmt(tuple("-" * w for w in widths)), *(fmt(r) for r in rows)])


def cmd_test(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    try:
        outcomes = run_all(folder)
    except GuidanceError as exc:
        _print_problems([p for p in exc.problems if p.is_error], sys.stdout)
        print("\nerror: fix the problems above first (`signpost validate` lists them)")
        return 1
    if not outcomes:
        print(f"error: no scenarios found in {folder / 'scenarios'}; add files such as danger_now.yaml")
        return 1
    rows = [(o.scenario.file.stem, "pass" if o.passed else "FAIL",
             ", ".join(o.recommendation.pathway_ids) if o.passed and o.recommendation else "; ".join(o.failures))
            for o in outcomes]
    print(_table(rows, ("scenario", "result", "pathways / what went wrong")))
    failed = sum(not o.passed for o in outcomes)
    print(f"\n{len(outcomes) - failed} passed, {failed} failed, {len(outcomes)} scenarios.")
    return 1 if failed else 0


def cmd_diff(args: argparse.Namespace) -> int:
    old_dir, new_dir = Path(args.old), Path(args.new)
    old, new = GuidanceByArea(old_dir), GuidanceByArea(new_dir)
    for label, side in (("old", old), ("new", new)):
        try:
            side.get(None)
        except GuidanceError as exc:
            _print_problems([p for p in exc.problems if p.is_error], sys.stdout)
            print(f"\nerror: the {label} guidance ({side.folder}) is invalid")
            return 1
    try:
        scenarios = scenarios_of_both(old_dir, new_dir)
    except GuidanceError as exc:
        _print_problems([p for p in exc.problems if p.is_error], sys.stdout)
        return 1
    print(f"old: {old.get(None).version}   new: {new.get(None).version}")
    changes = compare_scenarios(old.get, new.get, scenarios)
    rows = [(c.key, _effect(c), _describe_change(c)) for c in changes if c.changed or args.all]
    changed = sum(c.changed for c in changes)
    if rows:
        print(_table(rows, ("scenario", "effect", "added (+) / removed (-) / urgency")))
    print(f"\n{changed} of {len(scenarios)} scenarios change.")
    for line in _guidance_changes(old.get(None), new.get(None)):
        print(line)
    return 0


def _effect(change: ScenarioChange) -> str:
    if change.error:
        return "cannot compare"
    return "changed" if change.changed else "same"


def _describe_change(change: ScenarioChange) -> str:
    if change.error:
        return change.error
    parts = [f"+{p.id} ({p.urgency})" for p in change.added]
    parts += [f"-{p.id}" for p in change.removed]
    parts += [f"{after.id}: {before.urgency} -> {after.urgency}" for before, after in change.moved]
    return ", ".join(parts)


def _guidance_changes(old: Guidance, new: Guidance) -> list[str]:
    """What the author changed, besides its effect on the scenarios."""
    def shape(rule: Rule) -> tuple:
        return (rule.adds, rule.urgency, rule.excludes, rule.reason, rule.source, rule.local, rule.facts_used)
    before = {r.id: shape(r) for r in old.rules}
    after = {r.id: shape(r) for r in new.rules}
    lines = []
    for label, names in (("rules added", [r for r in after if r not in before]),
                         ("rules removed", [r for r in before if r not in after]),
                         ("rules edited", [r for r in after if r in before and after[r] != before[r]])):
        if names:
            lines.append(f"{label}: {', '.join(names)}")
    settings = sorted(k for k in set(old.settings) | set(new.settings) if old.settings.get(k) != new.settings.get(k))
    if settings:
        lines.append(f"settings changed ({new.area}): " + ", ".join(
            f"{k} {old.settings.get(k)!r} -> {new.settings.get(k)!r}" for k in settings))
    return lines


def register(subparsers: argparse._SubParsersAction) -> None:
    default = str(PATHWAYS_DIR)
    p = subparsers.add_parser("validate", help="check the guidance folder; exit 1 on errors")
    p.add_argument("dir", nargs="?", default=default, help="the guidance folder (default: pathways/)")
    p.set_defaults(handler=cmd_validate)

    p = subparsers.add_parser("decide", help="the recommendation for a YAML/JSON file of facts ('-' reads stdin)")
    p.add_argument("facts", help="a YAML or JSON mapping of fact -> value, or '-' for standard input")
    p.add_argument("--json", action="store_true", help="print the recommendation object (as sent to the bot)")
    p.add_argument("--summary", action="store_true", help="print the copyable referral summary")
    p.add_argument("--dir", default=default, help="the guidance folder (default: pathways/)")
    p.add_argument("--area", default=None, help="the area (default: the folder's default area)")
    p.set_defaults(handler=cmd_decide)

    p = subparsers.add_parser("test", help="run the scenarios in DIR/scenarios and print a table")
    p.add_argument("dir", nargs="?", default=default, help="the guidance folder (default: pathways/)")
    p.set_defaults(handler=cmd_test)

    p = subparsers.add_parser("diff", help="which recommendations a change adds or removes, per scenario")
    p.add_argument("old", help="the guidance folder before the change")
    p.add_argument("new", help="the guidance folder after the change")
    p.add_argument("--all", action="store_true", help="list unchanged scenarios too")
    p.set_defaults(handler=cmd_diff)

    # the clinical safety case's hazard log sits beside the authors' checks
    from assistant.safety import register as register_safety
    register_safety(subparsers)
