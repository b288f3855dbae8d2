"""The clinical hazard log (docs/safety/hazard-log.yaml) and the tests that back it.

`signpost safety` prints every hazard with the status of the tests its mitigation
names; `--no-run` only checks the tests exist. Test ids are found by parsing the
test files (ast), not by importing them, so the check is fast and needs no server.
"""
from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant import PROJECT_ROOT

HAZARD_LOG = PROJECT_ROOT / "docs" / "safety" / "hazard-log.yaml"
TESTS_DIR = PROJECT_ROOT / "tests"
SEVERITIES = ("minor", "significant", "considerable", "major", "catastrophic")
LIKELIHOODS = ("very_low", "low", "medium", "high", "very_high")
STATUSES = ("open", "mitigated", "accepted")
REQUIRED = ("id", "title", "cause", "effect", "severity", "likelihood", "mitigation", "tests", "status")

# The DCB0160 risk matrix: likelihood (row) x severity (column) -> 1 acceptable ... 5 unacceptable
_MATRIX = (
    (1, 1, 2, 2, 3),   # very_low
    (1, 2, 2, 3, 4),   # low
    (2, 2, 3, 3, 4),   # medium
    (2, 3, 3, 4, 5),   # high
    (2, 3, 4, 5, 5),   # very_high
)


@dataclass
class Hazard:
    id: str
    title: str
    cause: str
    effect: str
    severity: str
    likelihood: str
    mitigation: list[str]
    tests: list[str]
    status: str
    line: int = 0

    @property
    def risk(self) -> int:
        return _MATRIX[LIKELIHOODS.index(self.likelihood)][SEVERITIES.index(self.severity)]


@dataclass
class HazardLog:
    hazards: list[Hazard]
    problems: list[str] = field(default_factory=list)


def load_hazard_log(path: Path = HAZARD_LOG) -> HazardLog:
    """The hazards, and every problem with the log's shape (as 'file:line: message')."""
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    problems: list[str] = []
    lines = {m.group(1): n for n, line in enumerate(text.splitlines(), 1)
             if (m := re.match(r"\s*- id:\s*(\S+)", line))}
    hazards: list[Hazard] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("hazards") or []):
        where = f"{path.name}:{lines.get(str(raw.get('id')), 0)}" if isinstance(raw, dict) else path.name
        if not isinstance(raw, dict):
            problems.append(f"{where}: hazard {i + 1} is not a mapping")
            continue
        missing = [k for k in REQUIRED if not raw.get(k)]
        unknown = [k for k in raw if k not in REQUIRED]
        if missing:
            problems.append(f"{where}: hazard {raw.get('id', i + 1)} has no {', '.join(missing)}")
        if unknown:
            problems.append(f"{where}: hazard {raw.get('id', i + 1)} has unknown keys {', '.join(unknown)}")
        if missing:
            continue
        if raw["id"] in seen:
            problems.append(f"{where}: hazard id {raw['id']} is used twice")
        seen.add(raw["id"])
        for key, allowed in (("severity", SEVERITIES), ("likelihood", LIKELIHOODS), ("status", STATUSES)):
            if raw[key] not in allowed:
                problems.append(f"{where}: {key} {raw[key]!r} of {raw['id']} is not one of {', '.join(allowed)}")
        if any(raw[k] not in a for k, a in (("severity", SEVERITIES), ("likelihood", LIKELIHOODS))):
            continue
        mitigation = raw["mitigation"] if isinstance(raw["mitigation"], list) else [str(raw["mitigation"])]
        tests = raw["tests"] if isinstance(raw["tests"], list) else [str(raw["tests"])]
        hazards.append(Hazard(str(raw["id"]), str(raw["title"]), str(raw["cause"]), str(raw["effect"]),
                              raw["severity"], raw["likelihood"], [str(m) for m in mitigation],
                              [str(t) for t in tests], raw["status"], lines.get(str(raw["id"]), 0)))
    if not hazards and not problems:
        problems.append(f"{path.name}: the log lists no hazards")
    return HazardLog(hazards, problems)


def _tests_in(file: Path) -> Iterable[str]:
    """The node ids pytest would collect from one file: test functions and Test* class methods."""
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    rel = file.relative_to(PROJECT_ROOT).as_posix()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            yield f"{rel}::{node.name}"
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("test"):
                    yield f"{rel}::{node.name}::{item.name}"


def existing_tests(tests_dir: Path = TESTS_DIR) -> set[str]:
    result: set[str] = set()
    for file in tests_dir.rglob("test_*.py"):
        result.update(_tests_in(file))
    return result


def missing_tests(log: HazardLog, known: set[str] | None = None) -> dict[str, list[str]]:
    """Per hazard, the named tests that do not exist (a parametrised id's base must exist)."""
    known = existing_tests() if known is None else known
    result: dict[str, list[str]] = {}
    for hazard in log.hazards:
        gone = [t for t in hazard.tests if t.split("[", 1)[0] not in known]
        if gone:
            result[hazard.id] = gone
    return result


_OUTCOME = re.compile(r"^(PASSED|FAILED|ERROR|XFAIL|XPASS|SKIPPED) (\S+::\S+)")


def run_tests(test_ids: list[str]) -> dict[str, str]:
    """pytest's outcome for each id (parametrised cases folded: the worst one counts)."""
    if not test_ids:
        return {}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", *test_ids],
                          cwd=PROJECT_ROOT, capture_output=True, text=True)
    rank = {"PASSED": 0, "XFAIL": 0, "SKIPPED": 1, "XPASS": 2, "FAILED": 3, "ERROR": 3}
    outcome: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        m = _OUTCOME.match(line)
        if not m:
            continue
        base = m.group(2).split("[", 1)[0]
        word = m.group(1).lower()
        if base not in outcome or rank[m.group(1)] > rank[outcome[base].upper()]:
            outcome[base] = word
    return outcome


def report(log: HazardLog, statuses: dict[str, str], missing: dict[str, list[str]]) -> str:
    lines = []
    for h in log.hazards:
        lines.append(f"{h.id}  {h.title}")
        lines.append(f"    severity {h.severity}, likelihood {h.likelihood}: risk {h.risk}/5; status {h.status}")
        for m in h.mitigation:
            lines.append(f"    mitigation: {m}")
        for t in h.tests:
            state = "MISSING" if t in missing.get(h.id, []) else statuses.get(t.split("[", 1)[0], "exists")
            lines.append(f"    [{state}] {t}")
        lines.append("")
    return "\n".join(lines)


def cmd_safety(args: argparse.Namespace) -> int:
    log = load_hazard_log(Path(args.log))
    for problem in log.problems:
        print(problem)
    missing = missing_tests(log)
    ids = sorted({t for h in log.hazards for t in h.tests if t not in missing.get(h.id, [])})
    statuses = {} if args.no_run else run_tests(ids)
    print(report(log, statuses, missing))
    failed = [t for t, s in statuses.items() if s in ("failed", "error")]
    not_run = [] if args.no_run else [t for t in ids if t.split("[", 1)[0] not in statuses]
    print(f"{len(log.hazards)} hazards, {len(ids)} tests named: {sum(map(len, missing.values()))} missing"
          + ("" if args.no_run else f", {len(failed)} failing, {len(not_run)} not run (skipped or not collected)"))
    return 1 if log.problems or missing or failed else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("safety", help="print the hazard log with the status of each hazard's tests")
    p.add_argument("--no-run", action="store_true", help="only check the named tests exist (fast)")
    p.add_argument("--log", default=str(HAZARD_LOG), help="the hazard log (default: docs/safety/hazard-log.yaml)")
    p.set_defaults(handler=cmd_safety)
