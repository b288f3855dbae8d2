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
    code, out, _ = run(capsys, "decide", "pathways/scenarios/st_helens_merit_gold.yaml", "--json",
                       "--area", "st_helens")
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
    line = next(row for row in out.splitlines() if row.startswith("escalation_below_threshold"))
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


# ---- issue 8 §3: the validator catches what authors get wrong ---------------------------

@pytest.fixture
def full_copy(tmp_path: Path) -> Path:
    """A copy of pathways/ with phrasings.yaml, which `signpost validate` checks too."""
    import shutil
    target = tmp_path / "pathways"
    shutil.copytree(PROJECT_ROOT / "pathways", target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _line_of(file: Path, needle: str) -> int:
    return next(n for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_validate_rejects_a_misspelt_key_with_file_line_and_suggestion(capsys, full_copy: Path, edit) -> None:
    facts = full_copy / "facts.yaml"
    edit(facts, "    maximum: settings.dash_maximum\n", "    maximun: settings.dash_maximum\n")
    code, out, _ = run(capsys, "validate", str(full_copy))
    assert code == 1 and "INVALID" in out
    assert f"pathways/facts.yaml:{_line_of(facts, 'maximun:')}: error: unknown key `maximun`" in out
    assert "did you mean `maximum`?" in out


def test_validate_rejects_a_bad_regex_in_phrasings_with_file_line(capsys, full_copy: Path, edit) -> None:
    phrasings = full_copy / "phrasings.yaml"
    edit(phrasings, '      - "last night"\n', '      - "last (night"\n')
    code, out, _ = run(capsys, "validate", str(full_copy))
    assert code == 1 and "INVALID" in out
    assert f"pathways/phrasings.yaml:{_line_of(phrasings, 'last (night')}: error:" in out
    assert "not a valid pattern" in out


def test_validate_rejects_an_unknown_key_in_a_scenario(capsys, full_copy: Path, edit) -> None:
    scenario = full_copy / "scenarios" / "danger_now.yaml"
    edit(scenario, "expect_first: police_999", "expect_frist: police_999")
    code, out, _ = run(capsys, "validate", str(full_copy))
    assert code == 1
    assert f"pathways/scenarios/danger_now.yaml:{_line_of(scenario, 'expect_frist')}:" in out
    assert "did you mean `expect_first`?" in out


def test_validate_rejects_a_misspelt_phrasings_key(capsys, full_copy: Path, edit) -> None:
    phrasings = full_copy / "phrasings.yaml"
    edit(phrasings, "    says_not:\n", "    say_not:\n")
    code, out, _ = run(capsys, "validate", str(full_copy))
    assert code == 1 and "did you mean `says_not`?" in out


def test_validate_checks_every_yaml_file_in_the_folder(capsys, full_copy: Path) -> None:
    (full_copy / "notes.yaml").write_text("anything: at all\n")
    code, out, _ = run(capsys, "validate", str(full_copy))
    assert "pathways/notes.yaml" in out and "no schema" in out
    assert code == 0  # an unknown file is a warning: the guidance itself is fine


def test_knowledge_validate_rejects_a_misspelt_front_matter_key_and_glossary_shape(capsys, tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_text("---\nid: a\ntitle: T\nsummary: S\ntags: [x]\nsources: [y]\nlast_reviewed: 2026-01-01\n"
                       "pathways: [marac]\nsumary: typo\n---\n# T\n\nSome text.\n", encoding="utf-8")
    (tmp_path / "glossary.yaml").write_text("terms:\n  MARAC: a meeting\ntrems:\n  IDVA: an advisor\n",
                                            encoding="utf-8")
    code, out, _ = run(capsys, "knowledge", "validate", str(tmp_path))
    assert code == 1
    assert "a.md:9: error: unknown key `sumary`" in out and "did you mean `summary`?" in out
    assert "glossary.yaml:3: error: unknown key `trems`" in out and "did you mean `terms`?" in out


def test_every_yaml_file_names_its_schema_for_the_editor() -> None:
    from assistant.guidance.schema import schema_name, schema_path
    folders = [PROJECT_ROOT / "pathways", PROJECT_ROOT / "knowledge"]
    files = [f for d in folders for f in [*d.glob("*.yaml"), *d.glob("*/*.yaml")] if schema_name(f)]
    assert len(files) > 10
    for file in files:
        first = file.read_text(encoding="utf-8").splitlines()[0]
        if not first.startswith("# yaml-language-server: $schema="):
            continue  # optional for a new file: `signpost validate` checks it either way
        target = (file.parent / first.split("=", 1)[1]).resolve()
        assert target == schema_path(schema_name(file)).resolve(), file
