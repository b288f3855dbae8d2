"""Worked examples and knowledge articles through the workspace, without a browser: drafts, checks
(the validator's own words), the impact report, publishing into both folders and rolling back."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.knowledge.articles import parse_article
from assistant.workspace import items
from assistant.workspace.accounts import Author
from assistant.workspace.drafts import Change
from assistant.workspace.workspace import Refused, Workspace

from .conftest import copy_knowledge, copy_pathways

AUTHOR, REVIEWER = Author("alice", "author"), Author("bob", "reviewer")
OLD_SENTENCE = "IDVAs are accredited specialists"
NEW_SENTENCE = "IDVAs are trained and accredited specialists"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(copy_pathways(tmp_path / "pathways"), copy_knowledge(tmp_path / "knowledge"), tmp_path / "state")


def edit(ws: Workspace, who: Author, rel: str, text: str, kind: str):
    return ws.edit(who, rel, text, Change(kind, rel, f"{kind} {rel} edited"))


def test_an_article_edit_is_published_into_the_knowledge_folder_and_rolled_back(ws):
    rel = items.article_rel("idva")
    original = ws.text(rel)
    draft = edit(ws, AUTHOR, rel, original.replace(OLD_SENTENCE, NEW_SENTENCE), "article")
    assert ws.report(draft).valid and ws.needs_review(draft)
    assert OLD_SENTENCE in (ws.knowledge / "idva.md").read_text()         # a draft never reaches the files
    ws.approve(draft, REVIEWER)
    sha = ws.publish(draft, AUTHOR, "clearer wording")
    assert NEW_SENTENCE in parse_article(ws.knowledge / "idva.md").body
    assert "Knowledge-commit:" in ws.history.entry(sha).body
    assert NEW_SENTENCE in ws.diff(sha) and "b/knowledge/idva.md" in ws.diff(sha)
    ws.rollback(sha, REVIEWER)
    assert (ws.knowledge / "idva.md").read_text() == original


def test_a_broken_article_names_its_file_and_line_and_cannot_be_approved_or_published(ws):
    rel = items.article_rel("idva")
    broken = ws.text(rel).replace("title: What an IDVA is", "title: [What an IDVA is")
    draft = edit(ws, AUTHOR, rel, broken, "article")
    report = ws.report(draft, with_impact=False)
    assert not report.valid
    error = report.errors[0]
    # the unclosed [ on line 3 is found where the YAML reader stops: line 4, as the validator says
    assert (error.file, error.line) == ("knowledge/idva.md", 4) and "not valid YAML" in error.message
    with pytest.raises(Refused, match="has errors"):
        ws.approve(draft, REVIEWER)


def test_a_new_article_and_a_new_worked_example_are_added_files(ws):
    article = items.new_article_text("stalking-at-work").replace("words people type", "stalking, work")
    draft = edit(ws, AUTHOR, items.article_rel("stalking-at-work"), article, "article")
    scenario = items.new_scenario_text()
    draft = edit(ws, AUTHOR, items.scenario_rel("a_new_case"), scenario, "scenario")
    report = ws.report(draft)
    assert report.valid, report.problems
    row = next(r for r in report.impact if r.scenario == "a_new_case")
    assert row.note.startswith("new worked example")
    ws.approve(draft, REVIEWER)
    ws.publish(draft, AUTHOR, "two new items")
    assert parse_article(ws.knowledge / "stalking-at-work.md").title.startswith("The question")
    assert (ws.pathways / "scenarios" / "a_new_case.yaml").read_text() == scenario


def test_a_worked_example_edit_shows_in_the_impact_report_and_a_broken_one_blocks(ws):
    rel = items.scenario_rel("children_in_household")
    text = ws.text(rel)
    edited = text.replace("facts: {children_in_household: true}", "facts: {children_in_household: false}")
    draft = edit(ws, AUTHOR, rel, edited, "scenario")
    report = ws.report(draft)
    row = next(r for r in report.impact if r.scenario == "children_in_household")
    assert "Children" in " ".join(row.removed) and row.note.startswith("worked example edited; it fails")
    assert any(p.severity == "warning" and p.file == rel and "fails" in p.message for p in report.problems)
    assert report.valid  # a failing expectation is the author's call, not an error
    draft = edit(ws, AUTHOR, rel, text.replace("expect:", "expekt:"), "scenario")
    report = ws.report(draft, with_impact=False)
    assert [(p.file, p.line) for p in report.errors] == [(rel, 5)] and "expect" in report.errors[0].fix
    assert "errors" in (ws.why_not_approve(draft, REVIEWER) or "")


def test_a_new_name_is_checked_before_a_file_is_made():
    assert items.name_problem("scenario", "New Case", lambda: False)
    assert items.name_problem("article", "../etc", lambda: False)
    assert items.name_problem("scenario", "new", lambda: False)
    assert "already" in (items.name_problem("article", "idva", lambda: True) or "")
    assert items.name_problem("scenario", "a_case", lambda: False) is None
