"""The `signpost` guidance commands, as an author runs them."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import PROJECT_ROOT
from assistant.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_validate_the_real_guidance(capsys) -> None:
    code, out, _ = run(capsys, "validate", "pathways/")
    assert code == 0 and "OK: guidance" in out


def test_validate_reports_errors_with_file_line_and_fix(capsys, pathways_copy: Path, edit) -> None:
    edit(pathways_copy / "rules.yaml", "    when: {stalking: true}\n", "    when: {stalking: maybe}\n")
    code, out, _ = run(capsys, "validate", str(pathways_copy))
    assert code == 1
    assert "pathways/rules.yaml:" in out and "fix:" in out and "INVALID" in out


def test_validate_an_empty_folder(capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "validate", str(tmp_path))
    assert code == 1 and "no YAML files" in out


def test_decide_json_from_stdin(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"immediate_danger": true, "children_in_household": true}'))
    code, out, _ = run(capsys, "decide", "-", "--json")
    assert code == 0
    body = json.loads(out)["recommendation"]
    assert body["pathways"][0]["id"] == "police_999"
    assert "childrens_social_care" in [p["id"] for p in body["pathways"]]
    assert body["guidance_version"].startswith("2026.")


def test_decide_yaml_file_as_text(capsys, tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text("suicide_risk: yes\nimmediate_danger: no\n")
    code, out, _ = run(capsys, "decide", str(facts))
    assert code == 0 and "urgent mental health help" in out and "safeguarding lead" in out


def test_decide_accepts_a_scenario_file_and_another_area(capsys) -> None:
    code, out, _ = run(capsys, "decide", "pathways/scenarios/st_helens_merit_gold.yaml", "--json", "--area", "st_helens")
    assert code == 0 and json.loads(out)["recommendation"]["area"] == "st_helens"


@pytest.mark.parametrize("content,needle", [
    ("strangulation: [", "not valid YAML"),
    ("- a list", "must be a mapping"),
    ("danger: true", "unknown fact 'danger'"),
    ("dash_score: lots", "whole number"),
])
def test_decide_bad_input_is_a_clear_error(capsys, tmp_path: Path, content: str, needle: str) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(content)
    code, _, err = run(capsys, "decide", str(facts))
    assert code == 1 and needle in err


def test_decide_missing_file(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "decide", str(tmp_path / "absent.yaml"))
    assert code == 1 and "cannot read" in err


def test_test_prints_a_table_and_passes(capsys) -> None:
    code, out, _ = run(capsys, "test")
    assert code == 0
    assert out.splitlines()[0].split()[:2] == ["scenario", "result"]
    assert "0 failed" in out


def test_test_fails_on_a_wrong_expectation(capsys, pathways_copy: Path, edit) -> None:
    edit(pathways_copy / "scenarios" / "danger_now.yaml", "expect_first: police_999", "expect_first: marac")
    code, out, _ = run(capsys, "test", str(pathways_copy))
    assert code == 1 and "FAIL" in out and "expected marac" in out


def test_test_with_a_malformed_scenario(capsys, pathways_copy: Path) -> None:
    (pathways_copy / "scenarios" / "broken.yaml").write_text("facts: [\n")
    code, out, _ = run(capsys, "test", str(pathways_copy))
    assert code == 1 and "broken.yaml" in out


def test_test_without_scenarios(capsys, pathways_copy: Path) -> None:
    for file in (pathways_copy / "scenarios").glob("*.yaml"):
        file.unlink()
    code, out, _ = run(capsys, "test", str(pathways_copy))
    assert code == 1 and "no scenarios" in out


def test_diff_shows_what_a_change_adds_and_removes(capsys, pathways_copy: Path, edit) -> None:
    # an author lowers the escalation threshold from 3 to 2 incidents
    edit(pathways_copy / "areas" / "sefton.yaml", "  escalation_threshold: 3", "  escalation_threshold: 2")
    code, out, _ = run(capsys, "diff", "pathways", str(pathways_copy))
    assert code == 0
    line = next(l for l in out.splitlines() if l.startswith("escalation_below_threshold"))
    assert "+marac (same_day)" in line and "+idva (same_day)" in line
    assert "scenarios change" in out
    assert "escalation_threshold 3 -> 2" in out


def test_diff_names_edited_rules(capsys, pathways_copy: Path, edit) -> None:
    edit(pathways_copy / "rules.yaml", "    when: {stalking: true}\n    add: marac\n    urgency: same_day",
         "    when: {stalking: true}\n    add: marac\n    urgency: immediate")
    code, out, _ = run(capsys, "diff", "pathways", str(pathways_copy))
    assert code == 0
    assert "rules edited: marac_red_flag_stalking" in out
    assert "red_flag_stalking" in out and "marac: same_day -> immediate" in out


def test_diff_of_identical_guidance(capsys) -> None:
    code, out, _ = run(capsys, "diff", "pathways", "pathways")
    assert code == 0 and "0 of" in out


def test_diff_with_invalid_new_guidance(capsys, pathways_copy: Path, edit) -> None:
    edit(pathways_copy / "rules.yaml", "    add: marac\n", "    add: marac_x\n")
    code, out, _ = run(capsys, "diff", "pathways", str(pathways_copy))
    assert code == 1 and "new guidance" in out


def test_console_script_exit_status() -> None:
    signpost = Path(sys.executable).with_name("signpost")
    ok = subprocess.run([str(signpost), "validate", "pathways/"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run([str(signpost), "validate", "/nonexistent/guidance"], cwd=PROJECT_ROOT,
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "does not exist" in bad.stdout
