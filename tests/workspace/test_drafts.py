"""Editing into a draft: a bad rule shows the validator's error inline and cannot be
published; a setting's impact on the worked examples is shown; a case can be tried."""
from __future__ import annotations

import re

from assistant import PROJECT_ROOT

from .conftest import sign_in

# refreshed on every run; docs/img/workspace-impact.png (the README's) is a copy of it
SCREENSHOT = PROJECT_ROOT / "test-artefacts" / "workspace" / "workspace-impact.png"


def test_a_bad_rule_edit_shows_the_error_inline_and_cannot_be_published(workspace, new_page):
    rules_before = (workspace.pathways / "rules.yaml").read_text()
    alice = new_page()
    sign_in(alice, workspace.url, "alice", "/rules")
    alice.locator("ol.rules").get_by_role("link", name=re.compile("^Edit rule")).first.click()
    alice.wait_for_url(re.compile(r"/rules/.+/edit$"))
    alice.wait_for_load_state("load")  # the editor's script is attached before typing
    editor = alice.get_by_label(re.compile("^Rule "))  # the YAML editor (static/yaml-editor.js)
    good = alice.locator("textarea[name=text]").input_value()  # what the form sends, kept in step
    assert re.search(r"^add: \w+", good, re.M), good
    editor.fill(re.sub(r"^add: \w+", "add: no_such_pathway", good, count=1, flags=re.M))
    # checked as they type, in the validator's words: file, line, fix
    problem = alice.locator("#rule-problems li.error").first
    problem.wait_for()
    text = problem.inner_text()
    assert "rules.yaml, line" in text and "of this rule" in text and "Fix:" in text
    assert "no_such_pathway" in text
    alice.get_by_role("button", name="Save in my draft").click()
    assert "it has errors" in alice.get_by_role("alert").first.inner_text()
    assert "no_such_pathway" in alice.locator("#rule-problems").inner_text()   # shown without script too

    alice.goto(workspace.url + "/draft")
    assert "cannot be approved or published" in alice.locator("#check-result").inner_text()
    assert "no_such_pathway" in alice.locator("#draft-problems").inner_text()
    assert alice.get_by_role("button", name="Publish").count() == 0
    forced = alice.evaluate("""async () => {
        const token = document.querySelector('meta[name=csrf-token]').content;
        const r = await fetch(location.pathname + '/publish', {method: 'POST',
            headers: {'Content-Type': 'application/x-www-form-urlencoded'},
            body: 'why=try&csrf=' + encodeURIComponent(token)});
        return [r.status, await r.text()];
    }""")
    assert forced[0] == 403

    bob = new_page()
    sign_in(bob, workspace.url, "bob", alice.url.replace(workspace.url, ""))
    assert bob.get_by_role("button", name="Approve this change").count() == 0
    assert "has errors" in bob.locator("#why-not-approve").inner_text()
    assert (workspace.pathways / "rules.yaml").read_text() == rules_before


def test_a_setting_change_shows_its_impact_and_a_case_compares_draft_and_published(workspace, new_page):
    alice = new_page()
    sign_in(alice, workspace.url, "alice", "/areas")
    alice.locator("#sefton-escalation_threshold").fill("4")
    alice.get_by_role("button", name=re.compile("Save Sefton.* settings")).click()
    alice.get_by_role("heading", name="Draft by alice").wait_for()
    assert "escalation_threshold 3 → 4" in alice.locator("main").inner_text()
    impact = alice.locator("#impact")
    row = impact.locator("tr", has_text="escalation_threshold_met")
    assert "Refer to MARAC" in row.locator("td.removed").inner_text()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    impact.screenshot(path=str(SCREENSHOT))

    alice.get_by_role("link", name="Try a case with this draft").click()
    alice.get_by_label(re.compile("incidents", re.I)).first.fill("3")
    alice.get_by_role("button", name="Show the recommendations").click()
    published = alice.locator(".column.published").inner_text()
    drafted = alice.locator(".column.drafted").inner_text()
    assert "Refer to MARAC" in published and "Refer to MARAC" not in drafted


def test_a_question_and_its_buttons_are_reworded_through_the_form(workspace, new_page):
    facts_before = (workspace.pathways / "facts.yaml").read_text()
    alice = new_page()
    sign_in(alice, workspace.url, "alice", "/questions/recent_incident/edit")
    alice.get_by_label("Question").fill("Has anything happened in the last {recent_days} days?")
    alice.get_by_label(re.compile(r"^Button 1 ")).fill("Yes, it has")
    alice.get_by_role("button", name="Save in my draft").click()
    alice.get_by_role("heading", name="Draft by alice").wait_for()
    diff = alice.locator("pre.diff").inner_text()
    assert '+    question: "Has anything happened in the last {recent_days} days?"' in diff
    assert '{label: "Yes, it has", value: true}' in diff
    assert alice.locator("#check-result").inner_text().startswith("The draft passes every check")
    # the published question is unchanged until the draft is published
    alice.goto(workspace.url + "/questions")
    assert "Has anything happened" not in alice.locator("main").inner_text()
    assert (workspace.pathways / "facts.yaml").read_text() == facts_before
