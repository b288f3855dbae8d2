"""Scenario files: worked examples an author keeps beside the guidance.

Each file in pathways/scenarios/ holds one case:

  name: "Recent strangulation, victim does not want police"
  area: sefton                      # optional; the default area otherwise
  facts: {recent_incident: true, victim_consents_police: false, strangulation: true}
  expect: [police_101, marac]       # must be recommended
  expect_not: [specialist_service]  # must not be recommended
  expect_first: police_999          # optional: must come first
  expect_urgency: {marac: same_day} # optional

`signpost test` checks them; `signpost diff` shows how a change moves them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .engine import decide
from .loader import load_guidance
from .model import Guidance, PathwayRec, Recommendation
from .problems import Collector, GuidanceError
from .yamlfile import YDict, read_yaml

FIELDS = {"name", "description", "area", "facts", "expect", "expect_not", "expect_first", "expect_urgency", "source"}


@dataclass
class Scenario:
    file: Path
    name: str
    facts: dict
    area: str | None = None
    expect: list[str] = field(default_factory=list)
    expect_not: list[str] = field(default_factory=list)
    expect_first: str | None = None
    expect_urgency: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    scenario: Scenario
    failures: list[str]
    recommendation: Recommendation | None

    @property
    def passed(self) -> bool:
        return not self.failures


def _ids(value: object, out: Collector, file: Path, doc: YDict, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    out.error(file, doc.line_of(key), f"`{key}:` must be a list of pathway ids", f"write `{key}: [marac, idva]`")
    return []


def load_scenarios(folder: Path) -> list[Scenario]:
    """Every scenario in folder, sorted by file name; raises GuidanceError on a malformed file."""
    out = Collector(folder.parent)
    scenarios = []
    for file in sorted(folder.glob("*.yaml")):
        doc = read_yaml(file, out)
        if not isinstance(doc, YDict):
            if doc is not None or not out.has_errors:
                out.error(file, 1, "a scenario must be a mapping with name:, facts: and expect:",
                          "copy the layout of another scenario file")
            continue
        for key in doc:
            if key not in FIELDS:
                out.error(file, doc.line_of(key), f"unknown field `{key}`",
                          "a scenario may have: " + ", ".join(sorted(FIELDS)))
        facts = doc.get("facts") if doc.get("facts") is not None else {}
        if not isinstance(facts, dict):
            out.error(file, doc.line_of("facts"), "`facts:` must be a mapping of fact to value",
                      "write `facts: {strangulation: true}`")
            continue
        urgency = doc.get("expect_urgency") or {}
        if not isinstance(urgency, dict):
            out.error(file, doc.line_of("expect_urgency"), "`expect_urgency:` must map pathway ids to urgency levels",
                      "write `expect_urgency: {marac: same_day}`")
            urgency = {}
        scenarios.append(Scenario(
            file=file, name=str(doc.get("name") or file.stem), facts=dict(facts),
            area=doc.get("area"), expect=_ids(doc.get("expect"), out, file, doc, "expect"),
            expect_not=_ids(doc.get("expect_not"), out, file, doc, "expect_not"),
            expect_first=doc.get("expect_first"), expect_urgency=dict(urgency)))
    if out.has_errors:
        raise GuidanceError(out.problems)
    return scenarios


class GuidanceByArea:
    """Loads each area's guidance once per folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._cache: dict[str | None, Guidance] = {}

    def get(self, area: str | None) -> Guidance:
        if area not in self._cache:
            self._cache[area] = load_guidance(self.folder, area)
        return self._cache[area]


def run_scenario(scenario: Scenario, guidances: GuidanceByArea) -> Outcome:
    try:
        guidance = guidances.get(scenario.area)
        rec = decide(guidance, scenario.facts)
    except (ValueError, GuidanceError) as exc:
        return Outcome(scenario, [f"cannot decide: {exc}"], None)
    failures = []
    ids = rec.pathway_ids
    known = set(guidance.pathways)
    for pid in scenario.expect + scenario.expect_not + list(scenario.expect_urgency):
        if pid not in known:
            failures.append(f"'{pid}' is not a pathway id")
    failures += [f"missing {pid}" for pid in scenario.expect if pid in known and pid not in ids]
    failures += [f"unexpected {pid}" for pid in scenario.expect_not if pid in ids]
    if scenario.expect_first and (not ids or ids[0] != scenario.expect_first):
        failures.append(f"first is {ids[0] if ids else 'nothing'}, expected {scenario.expect_first}")
    for pid, urgency in scenario.expect_urgency.items():
        found = rec.get(pid)
        if found is not None and found.urgency != urgency:
            failures.append(f"{pid} is {found.urgency}, expected {urgency}")
        elif found is None and pid in known and pid not in scenario.expect:
            failures.append(f"missing {pid} (expected {urgency})")
    return Outcome(scenario, failures, rec)


def run_all(folder: Path) -> list[Outcome]:
    guidances = GuidanceByArea(folder)
    guidances.get(None)  # fail early, with the guidance's own problems, if it is invalid
    return [run_scenario(s, guidances) for s in load_scenarios(folder / "scenarios")]


@dataclass(frozen=True)
class ScenarioChange:
    """How one scenario's recommendations differ between an old and a new copy of the guidance.

    ``added`` and ``moved`` follow the new recommendation's order, ``removed`` the old one's;
    ``moved`` pairs (before, after) for a pathway whose urgency changed. ``error`` is the first
    line of why the scenario could not be decided on one side (then the lists are empty).
    """

    scenario: Scenario
    added: tuple[PathwayRec, ...] = ()
    removed: tuple[PathwayRec, ...] = ()
    moved: tuple[tuple[PathwayRec, PathwayRec], ...] = ()
    error: str | None = None

    @property
    def key(self) -> str:
        """The scenario's file name without .yaml, as authors refer to it."""
        return self.scenario.file.stem

    @property
    def changed(self) -> bool:
        return bool(self.error or self.added or self.removed or self.moved)


def scenarios_of_both(old_dir: Path, new_dir: Path) -> list[Scenario]:
    """Every scenario in either copy's scenarios/ folder, by file name; the new copy's wins a name
    both hold. Raises GuidanceError on a malformed scenario file."""
    scenarios = {s.file.name: s for s in load_scenarios(old_dir / "scenarios")}
    scenarios.update({s.file.name: s for s in load_scenarios(new_dir / "scenarios")})
    return [scenarios[name] for name in sorted(scenarios)]


def compare_scenarios(
    old: Callable[[str | None], Guidance],
    new: Callable[[str | None], Guidance],
    scenarios: Iterable[Scenario],
) -> list[ScenarioChange]:
    """The one comparison behind `signpost diff` and the workspace's impact view: for each
    scenario, what the new guidance recommends that the old did not, what it no longer
    recommends, and whose urgency it changes. ``old`` and ``new`` give an area's guidance
    (e.g. ``GuidanceByArea(folder).get``); a scenario either side cannot decide becomes a
    change with ``error`` set, not an exception. One result per scenario, in the given order.
    """
    changes = []
    for scenario in scenarios:
        try:
            before = decide(old(scenario.area), scenario.facts).pathways
            after = decide(new(scenario.area), scenario.facts).pathways
        except (ValueError, GuidanceError) as exc:
            changes.append(ScenarioChange(scenario, error=str(exc).splitlines()[0]))
            continue
        b = {p.id: p for p in before}
        a = {p.id: p for p in after}
        changes.append(ScenarioChange(
            scenario,
            added=tuple(p for p in after if p.id not in b),
            removed=tuple(p for p in before if p.id not in a),
            moved=tuple((b[p.id], p) for p in after if p.id in b and p.urgency != b[p.id].urgency),
        ))
    return changes
