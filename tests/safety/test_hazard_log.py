"""The clinical hazard log: every hazard names tests, and every named test exists."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant import PROJECT_ROOT
from assistant.cli import main
from assistant.safety import existing_tests, load_hazard_log, missing_tests, run_tests

# The hazards issue 8 requires, each found by words in its title.
REQUIRED_HAZARDS = {
    "missed 999": "999",
    "high risk that never reaches MARAC": "MARAC",
    "over-referral for historical abuse": "historical",
    "wrong area or wrong risk tool": "risk tool",
    "a stale contact": "stale",
    "victim-blaming wording": "blaming",
    "personal data stored": "personal data",
    "a victim or a perpetrator using the bot": "perpetrator uses",
    "a guidance edit that breaks triage": "guidance edit",
    "an answer lost when a server is down": "server is down",
    "a wrong pre-fill the user does not notice": "pre-fill",
}


@pytest.fixture(scope="module")
def log():
    return load_hazard_log()


def test_the_hazard_log_is_well_formed(log) -> None:
    assert log.problems == []
    assert len({h.id for h in log.hazards}) == len(log.hazards) >= len(REQUIRED_HAZARDS)


def test_every_hazard_names_at_least_one_test(log) -> None:
    assert [h.id for h in log.hazards if not h.tests] == []


def test_every_named_test_exists(log) -> None:
    assert missing_tests(log) == {}


def test_the_log_covers_every_hazard_the_safety_case_requires(log) -> None:
    titles = [h.title.lower() for h in log.hazards]
    absent = [name for name, words in REQUIRED_HAZARDS.items() if not any(words.lower() in t for t in titles)]
    assert absent == []


def test_a_hazard_naming_a_missing_test_or_no_test_is_caught(tmp_path: Path) -> None:
    bad = tmp_path / "hazard-log.yaml"
    bad.write_text(
        "hazards:\n"
        "  - id: HAZ-X\n    title: t\n    cause: c\n    effect: e\n    severity: major\n    likelihood: low\n"
        "    mitigation: [m]\n    tests: [tests/guidance/test_loader.py::test_that_does_not_exist]\n    status: open\n"
        "  - id: HAZ-Y\n    title: t\n    cause: c\n    effect: e\n    severity: major\n    likelihood: low\n"
        "    mitigation: [m]\n    tests: []\n    status: open\n", encoding="utf-8")
    broken = load_hazard_log(bad)
    assert missing_tests(broken) == {"HAZ-X": ["tests/guidance/test_loader.py::test_that_does_not_exist"]}
    assert any("HAZ-Y" in p and "tests" in p for p in broken.problems)


def test_test_ids_are_found_as_pytest_collects_them() -> None:
    """The fast parse of test files agrees with pytest's own collection (checked on two files)."""
    files = ["tests/guidance/test_loader.py", "tests/safety/test_hazard_log.py"]
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    collected = {line.split("[", 1)[0] for line in proc.stdout.splitlines() if "::" in line}
    parsed = {t for t in existing_tests() if t.split("::", 1)[0] in files}
    assert collected and collected == parsed


def test_signpost_safety_prints_each_hazard_with_its_test_status(capsys) -> None:
    code = main(["safety", "--no-run"])
    out = capsys.readouterr().out
    assert code == 0
    for hazard in load_hazard_log().hazards:
        assert hazard.id in out
    assert "[exists] tests/guidance/test_loader.py::test_danger_now_must_put_999_first" in out
    assert "0 missing" in out


def test_signpost_safety_runs_the_named_tests() -> None:
    passed = "tests/guidance/test_engine.py::test_parse_fact_value"
    assert run_tests([passed]) == {passed: "passed"}


def test_the_safety_case_summary_lists_every_hazard_with_its_computed_risk(log) -> None:
    text = (PROJECT_ROOT / "docs" / "safety" / "README.md").read_text(encoding="utf-8")
    rows = {cells[1]: cells for line in text.splitlines()
            if line.startswith("| HAZ-") and (cells := [c.strip() for c in line.split("|")])}
    assert set(rows) == {h.id for h in log.hazards}
    for h in log.hazards:
        assert rows[h.id][-2] == str(h.risk), h.id
