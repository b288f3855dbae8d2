"""The schema-aware YAML editor on the rule page, in headless Chromium against the real workspace.

CodeMirror is bundled by `make install` into the workspace's static/vendor/ and served by
the workspace itself; the tests type as an author types (keyboard events, not set values).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from assistant.guidance.loader import load_guidance
from assistant.workspace.app import STATIC

from .conftest import Running, axe_violations, sign_in
from .test_accessibility import tab_to

BUNDLE = STATIC / "vendor" / "codemirror.js"


@pytest.fixture(autouse=True)
def bundle_built() -> None:
    if not BUNDLE.is_file():
        pytest.fail(f"{BUNDLE} is missing: `make install` bundles the editor (npm and esbuild)")


def open_rule(page: Page, workspace: Running, index: int = 0) -> str:
    """Signs alice in, opens the editor of the index-th rule, and waits for CodeMirror; returns the rule id."""
    sign_in(page, workspace.url, "alice", "/rules")
    page.locator("ol.rules").get_by_role("link", name=re.compile("^Edit rule")).nth(index).click()
    page.wait_for_url(re.compile(r"/rules/.+/edit$"))
    # the editors are in place by the time the page is parsed (static module imports)
    page.wait_for_load_state("domcontentloaded")
    assert page.evaluate("document.documentElement.dataset.yamlEditors") == "ready"
    return page.url.rsplit("/", 2)[-2]


def editor_text(page: Page) -> str:
    """What the form sends: the (hidden) textarea the editor keeps in step."""
    return page.locator("textarea[name=text]").input_value()


def type_at_end(page: Page, text: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def checked(page: Page, action: Callable[[], None], holds: Callable[[str], bool]) -> dict:
    """Does ``action`` and returns the server's check of the first text sent for which ``holds`` is true."""
    def wanted(response) -> bool:
        if "/api/check" not in response.url or response.request.method != "POST":
            return False
        return holds(json.loads(response.request.post_data or "{}").get("text", ""))
    with page.expect_response(wanted) as answer:
        action()
    return answer.value.json()


def type_lines(page: Page, lines: list[str]) -> None:
    """Types each line and Enter, closing any completion list first (Enter would take its choice)."""
    for i, line in enumerate(lines):
        page.keyboard.type(line)
        page.keyboard.press("Escape")
        if i < len(lines) - 1 or line:
            page.keyboard.press("Enter")


def test_the_editor_replaces_the_textarea_and_is_labelled(workspace, new_page):
    page = new_page()
    rule = open_rule(page, workspace)
    editor = page.get_by_label(f"Rule {rule}")
    assert editor.get_attribute("role") == "textbox" and editor.get_attribute("contenteditable") == "true"
    assert editor.get_attribute("aria-multiline") == "true"
    assert page.locator("textarea[name=text]").is_hidden()
    # the problems list and the keys hint describe it
    described = editor.get_attribute("aria-describedby").split()
    assert "rule-check" in described
    assert "Tab and Shift+Tab leave the editor" in page.locator("#" + described[0]).inner_text()
    # the editor holds the rule's text, line by line
    assert page.locator(".cm-line").first.inner_text().startswith(f"id: {rule}")


def test_a_bad_key_gets_a_lint_marker_on_its_line_and_the_validators_words(workspace, new_page):
    page = new_page()
    open_rule(page, workspace)
    type_at_end(page, "colour: red")
    lines = editor_text(page).rstrip("\n").split("\n")
    bad_line = next(i for i, line in enumerate(lines, 1) if line.startswith("colour:"))
    # the marked range is on the typed line, and the gutter's error marker sits beside it
    marked = page.locator(".cm-line:has(.cm-lintRange-error)")
    marked.first.wait_for()
    assert marked.count() == 1 and marked.inner_text() == "colour: red"
    marker = page.locator(".cm-gutter-lint .cm-lint-marker-error")
    marker.wait_for()
    number = page.locator(".cm-lineNumbers .cm-gutterElement", has_text=re.compile(f"^{bad_line}$"))
    assert abs(marker.bounding_box()["y"] - number.bounding_box()["y"]) < 4
    # the validator's own words, where the marker is (hover) and in the list under the editor
    page.locator(".cm-lintRange-error").hover()
    tooltip = page.locator(".cm-tooltip-lint")
    tooltip.wait_for()
    listed = page.locator("#rule-problems li.error").first
    listed.wait_for()
    words = listed.inner_text()
    assert "colour" in words and "rules.yaml, line" in words and f"(line {bad_line} of this rule)" in words
    assert "Fix:" in words
    message = re.split(r"\.\s+Fix:", words.split(": ", 1)[1])[0]
    assert message in tooltip.inner_text() and "Fix:" in tooltip.inner_text()
    assert "rules.yaml, line" in tooltip.inner_text()
    # mending it takes the marker away
    def mend() -> None:
        page.keyboard.press("Control+End")
        for _ in range(len("colour: red")):
            page.keyboard.press("Backspace")
    assert checked(page, mend, lambda text: "colour" not in text)["valid"]
    expect(page.locator(".cm-lintRange-error")).to_have_count(0)
    expect(page.locator("#rule-problems li.error")).to_have_count(0)


def test_completion_offers_the_guidances_fact_ids_and_pathway_ids(workspace, new_page):
    guidance = load_guidance(workspace.pathways)
    fact = next(f for f in guidance.facts.values() if f.type == "bool")
    page = new_page()
    open_rule(page, workspace)
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    pathway, urgency = next(iter(guidance.pathways)), next(iter(guidance.urgencies))
    type_lines(page, ["id: typed_rule", "reason: typed", "source: typed"])
    page.keyboard.type(f"add: {pathway[:3]}")
    options = page.locator(".cm-tooltip-autocomplete li .cm-completionLabel")
    options.first.wait_for()
    assert pathway in options.all_inner_texts()
    page.keyboard.type(pathway[3:])
    type_lines(page, ["", f"urgency: {urgency}", "when:"])
    if not editor_text(page).endswith("  "):  # whether Enter indented the line under `when:`
        page.keyboard.type("  ")
    page.keyboard.type(fact.id[:4])
    options.first.wait_for()
    labels = options.all_inner_texts()
    assert fact.id in labels, labels
    # the chosen fact is written with its colon; its values are offered next
    for _ in range(len(labels)):
        if page.locator(".cm-tooltip-autocomplete li[aria-selected] .cm-completionLabel").inner_text() == fact.id:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert re.search(rf"^\s+{fact.id}: $", editor_text(page), re.M), editor_text(page)
    page.keyboard.press("Control+Space")
    options.first.wait_for()
    assert {"true", "false"} <= set(options.all_inner_texts())
    answer = checked(page, lambda: page.keyboard.type("true"), lambda text: f"{fact.id}: true" in text)
    assert answer["valid"], answer


def suggestions(page: Page, text: str) -> list[str]:
    """The completions offered (Ctrl+Space) at the end of ``text`` in the editor."""
    page.get_by_label(re.compile("^Rule ")).fill(text)
    expect(page.locator("textarea[name=text]")).to_have_value(text)  # the editor has taken the text in
    page.keyboard.press("Control+End")
    page.keyboard.press("Control+Space")
    labels = page.locator(".cm-tooltip-autocomplete li .cm-completionLabel")
    labels.first.wait_for()
    found = labels.all_inner_texts()
    page.keyboard.press("Escape")
    expect(labels).to_have_count(0)
    return found


def test_completion_follows_the_condition_language_in_nested_and_flow_yaml(workspace, new_page):
    guidance = load_guidance(workspace.pathways)
    yes_no = next(f.id for f in guidance.facts.values() if f.type == "bool")
    number = next(f.id for f in guidance.facts.values() if f.type == "int")
    page = new_page()
    open_rule(page, workspace)
    assert yes_no in suggestions(page, f"id: t\nwhen:\n  any:\n    - {yes_no[:3]}")
    # a second key in the same list item
    assert yes_no in suggestions(page, f"id: t\nwhen:\n  all:\n    - {yes_no}: true\n      {yes_no[:3]}")
    # a number fact's comparison words, in a flow mapping, then the area's number settings as values
    assert {"at_least", "at_most"} <= set(suggestions(page, f"id: t\nwhen:\n  {number}: {{"))
    assert any(v.startswith("settings.") for v in suggestions(page, f"id: t\nwhen:\n  {number}: {{at_least: "))
    assert "serious_crime" in suggestions(page, "id: t\nwhen:\n  meets: ")
    assert set(guidance.pathways) <= set(suggestions(page, "id: t\nexclude: ["))
    # the rule's own keys at the top, the required ones marked
    top = suggestions(page, "id: t\n")
    assert {"when", "add", "urgency", "reason", "source", "local"} <= set(top)


def test_a_valid_edit_is_saved_in_the_draft(workspace, new_page):
    page = new_page()
    rule = open_rule(page, workspace)
    answer = checked(page, lambda: type_at_end(page, "note: checked in the YAML editor"),
                     lambda text: "note: checked in the YAML editor" in text)
    assert answer["valid"], answer
    expect(page.locator(".cm-lintRange-error")).to_have_count(0)
    page.get_by_role("button", name="Save in my draft").click()
    page.get_by_role("heading", name="Draft by alice").wait_for()
    assert "note: checked in the YAML editor" in page.locator("pre.diff").inner_text()
    assert f"rule {rule} edited" in page.content()


def test_keyboard_alone_reaches_the_editor_types_and_tabs_on_to_save(workspace, new_page):
    page = new_page()
    open_rule(page, workspace)
    page.locator("h1").click()  # start from the page, not the editor
    tab_to(page, "el.classList.contains('cm-content')")
    page.keyboard.press("Control+End")
    page.keyboard.type("note: typed by keyboard")
    # Tab leaves the editor (it is not taken for indenting) and the next stop is Save
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Save in my draft"
    assert "note: typed by keyboard" in editor_text(page)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.classList.contains('cm-content')")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Draft by alice").wait_for()
    assert "note: typed by keyboard" in page.locator("pre.diff").inner_text()


def test_the_editor_page_has_no_wcag_21_aa_violations(workspace, new_page):
    page = new_page()
    open_rule(page, workspace)
    assert axe_violations(page) == []
    type_at_end(page, "colour: red")
    page.locator("#rule-problems li.error").first.wait_for()
    page.locator(".cm-lintRange-error").first.wait_for()
    page.locator(".cm-lintRange-error").hover()
    page.locator(".cm-tooltip-lint").wait_for()
    assert axe_violations(page) == []
    page.keyboard.press("Control+End")
    page.keyboard.type("\nwhe")
    page.locator(".cm-tooltip-autocomplete").wait_for()
    assert axe_violations(page) == []


@pytest.fixture
def strict_page(browser) -> Iterator[Page]:
    """A page under the workspace's own CSP (no bypass), recording every request it makes."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_editor_is_served_by_the_workspace_under_its_csp(workspace, strict_page):
    page = strict_page
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    answers: dict[str, int] = {}
    page.on("response", lambda r: answers.__setitem__(r.url, r.status))
    open_rule(page, workspace)
    type_at_end(page, "colour: red")
    page.locator(".cm-lintRange-error").first.wait_for()
    assert answers.get(f"{workspace.url}/static/vendor/codemirror.js") == 200
    assert answers.get(f"{workspace.url}/api/editor/shape/rule") == 200
    outside = [url for url in requested if not url.startswith(workspace.url + "/")]
    assert not outside, outside
    assert not refused, refused
    # CodeMirror's own styles applied under style-src 'self' (constructed style sheets)
    assert page.evaluate("getComputedStyle(document.querySelector('.cm-gutters')).display") == "flex"


def test_without_the_bundle_the_plain_textarea_is_still_checked_as_they_type(workspace, new_page):
    page = new_page()
    page.route("**/static/vendor/codemirror.js", lambda route: route.fulfill(status=404, body="missing"))
    sign_in(page, workspace.url, "alice", "/rules")
    page.locator("ol.rules").get_by_role("link", name=re.compile("^Edit rule")).first.click()
    page.wait_for_url(re.compile(r"/rules/.+/edit$"))
    textarea = page.get_by_label(re.compile("^Rule "))
    textarea.wait_for()
    page.wait_for_load_state("load")
    assert textarea.evaluate("el => el.tagName") == "TEXTAREA" and textarea.is_visible()
    assert page.evaluate("document.documentElement.dataset.yamlEditors") == "plain"
    textarea.press("Control+End")
    textarea.type("colour: red")
    page.locator("#rule-problems li.error", has_text="colour").wait_for()


def test_without_script_the_textarea_is_the_editor(workspace, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, workspace.url, "alice", "/rules")
        page.locator("ol.rules").get_by_role("link", name=re.compile("^Edit rule")).first.click()
        textarea = page.get_by_label(re.compile("^Rule "))
        assert textarea.evaluate("el => el.tagName") == "TEXTAREA" and textarea.is_visible()
        textarea.fill(textarea.input_value() + "colour: red\n")
        page.get_by_role("button", name="Save in my draft").click()
        assert "it has errors" in page.get_by_role("alert").first.inner_text()
        assert "colour" in page.locator("#rule-problems").inner_text()
    finally:
        context.close()
