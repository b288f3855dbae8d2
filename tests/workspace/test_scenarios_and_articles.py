"""Worked examples and knowledge articles in the browser: an article edit reaches the running bot's
knowledge answer without a restart, a worked example edit shows in the impact report, and broken
YAML shows the validator's words inline and cannot be published."""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.stack import Stack, free_port, start_stack
from bench.rest_driver import Conversation, say

from .conftest import copy_knowledge, copy_pathways, sign_in

QUESTION = "what is an IDVA?"
OLD_SENTENCE = "IDVAs are accredited specialists, independent of the police and social care"
NEW_SENTENCE = "IDVAs are trained, accredited specialists, independent of the police, the NHS and social care"


@pytest.fixture
def bot_on_copies(tmp_path: Path) -> Iterator[tuple[Stack, Path, Path]]:
    """The real Rasa and action servers, reading temporary copies of pathways/ and knowledge/."""
    pathways, knowledge = copy_pathways(tmp_path / "pathways"), copy_knowledge(tmp_path / "knowledge")
    stack = start_stack(rasa_port=free_port(), actions_port=free_port(), with_web=False,
                        tracker_db=tmp_path / "tracker.db", log_dir=tmp_path / "logs",
                        extra_env={"SIGNPOST_PATHWAYS_DIR": str(pathways), "SIGNPOST_KNOWLEDGE_DIR": str(knowledge),
                                   "SIGNPOST_STATE_DIR": str(tmp_path / "last-good")})
    try:
        yield stack, pathways, knowledge
    finally:
        stack.stop()


def knowledge_answer(stack: Stack) -> str:
    conv = Conversation(f"ws-{uuid.uuid4().hex[:10]}")
    say(stack.send, conv, QUESTION)
    return " ".join(conv.texts().split())


def editor_text(page) -> str:
    """What the form sends (the YAML editor keeps its textarea in step)."""
    return page.locator("textarea[name=text]").input_value()


def test_an_article_edit_reaches_the_running_bots_answer_without_a_restart(bot_on_copies, start_workspace,
                                                                            new_page):
    stack, pathways, knowledge = bot_on_copies
    assert OLD_SENTENCE in knowledge_answer(stack)
    workspace = start_workspace(pathways, knowledge)

    alice = new_page()
    sign_in(alice, workspace.url, "alice", "/knowledge")
    alice.get_by_role("link", name="Edit article What an IDVA is and how to refer").click()
    alice.get_by_role("heading", name="Edit article idva").wait_for()
    alice.wait_for_load_state("load")
    editor = alice.get_by_label("Article idva")
    assert alice.locator("textarea[name=text]").get_attribute("data-yaml-editor") == "article"
    editor.fill(editor_text(alice).replace(OLD_SENTENCE, NEW_SENTENCE))
    alice.locator("#rule-check p.ok").wait_for()                  # checked as she typed: no problems
    alice.get_by_role("button", name="Save in my draft").click()
    alice.get_by_role("heading", name="Draft by alice").wait_for()
    assert alice.locator("#check-result").inner_text().startswith("The draft passes every check")
    assert NEW_SENTENCE in alice.locator("pre.diff").inner_text()
    assert "article idva edited" in alice.locator("main").inner_text()
    assert OLD_SENTENCE in knowledge_answer(stack)                 # a draft never reaches the bot
    draft_url = alice.url

    bob = new_page()
    sign_in(bob, workspace.url, "bob", "/drafts")
    bob.get_by_role("link", name=re.compile("Draft by alice")).click()
    bob.get_by_role("button", name="Approve this change").click()
    assert "Approved" in bob.get_by_role("status").first.inner_text()

    alice.goto(draft_url)
    alice.get_by_label("Why this change (kept in the history)").fill("Say who IDVAs are independent of")
    alice.get_by_role("button", name="Publish").click()
    alice.get_by_text("The bot uses it from its next message").wait_for()
    assert "Knowledge-commit:" in alice.locator("pre.why").inner_text()
    assert NEW_SENTENCE in alice.locator("pre.diff").inner_text()
    assert NEW_SENTENCE in (knowledge / "idva.md").read_text()

    answer = knowledge_answer(stack)                               # the same bot, not restarted
    assert NEW_SENTENCE in answer and OLD_SENTENCE not in answer


def test_a_worked_example_edit_shows_in_the_impact_report(workspace, new_page):
    page = new_page()
    sign_in(page, workspace.url, "alice", "/scenarios")
    page.get_by_role("link", name="Edit worked example Children live in the household").click()
    page.wait_for_load_state("load")
    editor = page.get_by_label("Worked example children_in_household")
    assert page.locator("textarea[name=text]").get_attribute("data-yaml-editor") == "scenario"
    editor.fill(editor_text(page).replace("{children_in_household: true}", "{children_in_household: false}"))
    page.locator("#rule-problems li.warning").first.wait_for()     # the example no longer gets what it expects
    assert "the worked example fails" in page.locator("#rule-problems").inner_text()
    page.get_by_role("button", name="Save in my draft").click()
    page.get_by_role("heading", name="Draft by alice").wait_for()
    row = page.locator("#impact tbody tr", has=page.get_by_role("rowheader", name=re.compile("Children live in")))
    assert "worked example edited; it fails" in row.inner_text()
    assert "Children" in row.locator("td.removed").inner_text()

    # a new worked example is listed in the report too, with what it recommends
    page.goto(workspace.url + "/scenarios/new")
    page.get_by_label("File name").fill("strangled_last_night")
    page.get_by_label("Worked example text").fill(
        "name: Strangled last night\nfacts: {recent_incident: true, strangulation: true}\nexpect: [marac]\n")
    page.get_by_role("button", name="Save in my draft").click()
    page.get_by_role("heading", name="Draft by alice").wait_for()
    row = page.locator("#impact tbody tr", has=page.get_by_role("rowheader", name=re.compile("Strangled last")))
    assert "new worked example; it gets what it expects" in row.inner_text()
    assert "MARAC" in row.locator("td.added").inner_text()
    assert (workspace.pathways / "scenarios" / "strangled_last_night.yaml").exists() is False  # a draft only


@pytest.mark.parametrize("kind,list_path,link,broken", [
    ("article", "/knowledge", "Edit article What an IDVA is and how to refer",
     lambda text: text.replace("title: What an IDVA is", "title: [What an IDVA is")),
    ("scenario", "/scenarios", "Edit worked example Children live in the household",
     lambda text: text.replace("expect:", "expekt:")),
])
def test_broken_yaml_shows_the_inline_error_and_cannot_be_published(workspace, new_page, kind, list_path, link,
                                                                    broken):
    page = new_page()
    sign_in(page, workspace.url, "carol", list_path)
    page.get_by_role("link", name=link).click()
    page.wait_for_load_state("load")
    editor = page.get_by_label(re.compile(f"^{'Article' if kind == 'article' else 'Worked example'} "))
    editor.fill(broken(editor_text(page)))
    error = page.locator("#rule-problems li.error").first
    error.wait_for()
    words = error.inner_text()
    if kind == "article":
        assert "knowledge/idva.md, line 4" in words and "not valid YAML" in words
    else:
        assert "scenarios/children_in_household.yaml, line 5" in words and "did you mean `expect`?" in words
    page.get_by_role("button", name="Save in my draft").click()
    page.get_by_text("Saved in your draft, but it has errors").wait_for()
    page.goto(workspace.url + "/draft")
    page.get_by_role("heading", name="Draft by carol").wait_for()
    assert "It cannot be approved or published" in page.locator("#check-result").inner_text()
    assert page.get_by_role("button", name="Publish").count() == 0
    draft_url = page.url

    bob = new_page()
    sign_in(bob, workspace.url, "bob", draft_url.removeprefix(workspace.url))
    assert bob.get_by_role("button", name="Approve this change").count() == 0
    assert "has errors" in bob.locator("#why-not-approve").inner_text()
    refused = bob.evaluate("""async () => {
        const token = document.querySelector('meta[name=csrf-token]').content;
        const r = await fetch(location.pathname + '/approve', {method: 'POST',
            headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'csrf=' + encodeURIComponent(token)});
        return [r.status, await r.text()];
    }""")
    assert refused[0] == 403 and "has errors" in refused[1]          # the server refuses it too
