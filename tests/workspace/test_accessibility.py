"""Every page passes axe-core's WCAG 2.1 AA checks, and the main flow works by keyboard alone."""
from __future__ import annotations

import re

from .conftest import axe_violations, sign_in

PAGES = ["/", "/pathways", "/rules", "/questions", "/contacts", "/areas", "/knowledge", "/try", "/drafts",
         "/history", "/draft", "/questions/recent_incident/edit", "/scenarios", "/scenarios/new",
         "/scenarios/children_in_household/edit", "/knowledge/new", "/knowledge/idva/edit"]


def test_every_page_has_no_wcag_21_aa_violations(workspace, new_page):
    page = new_page()
    page.goto(workspace.url + "/signin")
    found = {"/signin": axe_violations(page)}
    sign_in(page, workspace.url, "alice")
    for path in PAGES:
        page.goto(workspace.url + path)
        found[path] = axe_violations(page)
    # pages reached from others: a contact's form, a rule's editor, a draft, a history entry, a result
    page.goto(workspace.url + "/contacts")
    page.locator("tbody tr").first.get_by_role("link", name="Edit").click()
    found["contact form"] = axe_violations(page)
    page.get_by_label("Number, address or instructions").fill("0100 000 0001")
    page.get_by_role("button", name="Save in my draft").click()
    found["draft"] = axe_violations(page)
    page.goto(workspace.url + "/rules")
    page.locator("ol.rules").get_by_role("link", name=re.compile("^Edit rule")).first.click()
    page.wait_for_url(re.compile(r"/rules/.+/edit$"))
    page.wait_for_load_state("load")  # the editor's script is attached before typing
    editor = page.get_by_label(re.compile("^Rule "))  # the YAML editor; the textarea holds what is sent
    editor.fill(page.locator("textarea[name=text]").input_value() + "oops: [\n")
    page.locator("#rule-problems li").first.wait_for()
    found["rule editor with a problem"] = axe_violations(page)
    for path, label in (("/scenarios/children_in_household/edit", "Worked example children_in_household"),
                        ("/knowledge/idva/edit", "Article idva")):
        page.goto(workspace.url + path)
        page.wait_for_load_state("load")
        page.get_by_label(label).fill(page.locator("textarea[name=text]").input_value() + "oops: [\n")
        page.locator("#rule-problems li").first.wait_for()
        found[f"{path} with a problem"] = axe_violations(page)
        page.get_by_role("button", name="Save in my draft").click()
        page.get_by_text("Saved in your draft, but it has errors").wait_for()
        found[f"{path} saved with errors"] = axe_violations(page)
    page.goto(workspace.url + "/scenarios/new")
    page.get_by_label("File name").fill("Not A Name")
    page.get_by_role("button", name="Save in my draft").click()
    page.locator("#item-errors").wait_for()
    found["new worked example, refused name"] = axe_violations(page)
    page.goto(workspace.url + "/draft")
    found["draft with a worked example and an article"] = axe_violations(page)
    page.goto(workspace.url + "/try")
    page.get_by_role("button", name="Show the recommendations").click()
    found["try result"] = axe_violations(page)
    page.goto(workspace.url + "/history")
    page.locator("ol.history a").first.click()
    found["history entry"] = axe_violations(page)
    bad = {where: v for where, v in found.items() if v}
    assert not bad, bad
    # and axe does see a violation when there is one (the check above is not vacuous)
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=unlabelled>')")
    assert any(v["id"] == "label" for v in axe_violations(page))


def tab_to(page, predicate: str, limit: int = 150) -> None:
    """Presses Tab until the focused element matches ``predicate`` (JS, given `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({predicate}); }})()"):
            return
    raise AssertionError(f"Tab never reached: {predicate}")


def test_the_main_flow_works_by_keyboard_alone(workspace, new_page):
    page = new_page()
    page.goto(workspace.url + "/contacts")
    tab_to(page, "el.id === 'name'")
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type("alice-password-1")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Contacts").wait_for()
    # the skip link comes first and moves focus to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the main content"
    tab_to(page, "el.tagName === 'A' && el.getAttribute('aria-label')"
                 " && el.getAttribute('aria-label').startsWith('Edit ')")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Edit contact").wait_for()
    tab_to(page, "el.id === 'value'")
    page.keyboard.press("Control+A")
    page.keyboard.type("0100 000 0002")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Draft by alice").wait_for()
    assert "0100 000 0002" in page.locator("pre.diff").inner_text()
    # focus is visible: the focused control gets an outline
    tab_to(page, "el.tagName === 'BUTTON'")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
