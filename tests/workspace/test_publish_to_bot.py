"""The whole path of a change: edit a contact, a second reviewer approves, publish, the
running bot recommends the new number on its next message (no restart), roll back."""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.stack import Stack, free_port, start_stack
from assistant.workspace.edits import read_version
from bench.rest_driver import Conversation, say

from .conftest import copy_pathways, sign_in

OLD_NUMBER, NEW_NUMBER = "0151 394 1400", "0151 555 0100"
CONTACT = "Sefton Council Domestic Abuse Helpline (victims, friends, family and professionals)"


@pytest.fixture
def bot_on_copy(tmp_path: Path) -> Iterator[tuple[Stack, Path]]:
    """The real Rasa server and action server, reading a temporary copy of pathways/."""
    pathways = copy_pathways(tmp_path / "pathways")
    stack = start_stack(rasa_port=free_port(), actions_port=free_port(), with_web=False,
                        tracker_db=tmp_path / "tracker.db", log_dir=tmp_path / "logs",
                        extra_env={"SIGNPOST_PATHWAYS_DIR": str(pathways)})
    try:
        yield stack, pathways
    finally:
        stack.stop()


def idva_numbers(stack: Stack) -> list[str]:
    conv = Conversation(f"ws-{uuid.uuid4().hex[:10]}")
    say(stack.send, conv, "pt says her OH choked her last night")
    say(stack.send, conv, "/show_advice")
    rec = conv.recommendation
    assert rec is not None, conv.texts()[-2000:]
    idva = next(p for p in rec["pathways"] if p["id"] == "idva")
    return [c.get("phone") for c in idva["contacts"]]


def test_a_reviewed_contact_change_reaches_the_running_bot_and_rolls_back(bot_on_copy, start_workspace, new_page):
    stack, pathways = bot_on_copy
    assert OLD_NUMBER in idva_numbers(stack)
    workspace = start_workspace(pathways)
    old_version = read_version((pathways / "guidance.yaml").read_text())

    # carol (a reviewer) changes the number and the date she checked it
    carol = new_page()
    sign_in(carol, workspace.url, "carol", "/contacts")
    row = carol.locator("tbody tr",
                        has=carol.get_by_role("rowheader", name=CONTACT, exact=True)).filter(has_text="idva")
    row.get_by_role("link", name="Edit").click()
    carol.get_by_label("Number, address or instructions").fill(NEW_NUMBER)
    carol.get_by_label("Date you checked it against its source").fill("2026-11-30")
    carol.get_by_role("button", name="Save in my draft").click()
    carol.get_by_role("heading", name="Draft by carol").wait_for()
    assert carol.locator("#check-result").inner_text().startswith("The draft passes every check")
    assert f'+      phone: "{NEW_NUMBER}"' in carol.locator("pre.diff").inner_text()
    draft_url = carol.url

    # she cannot approve her own change: no button, and the server refuses it anyway
    assert carol.get_by_role("button", name="Approve this change").count() == 0
    assert "cannot approve your own change" in carol.locator("#why-not-approve").inner_text()
    refused = carol.evaluate("""async () => {
        const token = document.querySelector('meta[name=csrf-token]').content;
        const r = await fetch(location.pathname + '/approve', {method: 'POST',
            headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'csrf=' + encodeURIComponent(token)});
        return [r.status, await r.text()];
    }""")
    assert refused[0] == 403 and "cannot approve your own change" in refused[1]
    assert "A reviewer other than the author" in carol.locator("#why-not-publish").inner_text()
    assert OLD_NUMBER in idva_numbers(stack)                      # a draft never reaches the bot

    # bob, another reviewer, approves
    bob = new_page()
    sign_in(bob, workspace.url, "bob", "/drafts")
    bob.get_by_role("link", name=re.compile("Draft by carol")).click()
    bob.get_by_role("button", name="Approve this change").click()
    assert "Approved" in bob.get_by_role("status").first.inner_text()

    # carol publishes, saying why
    carol.goto(draft_url)
    carol.get_by_label("Why this change (kept in the history)").fill("The helpline moved to a new number")
    carol.get_by_role("button", name="Publish").click()
    carol.get_by_text("The bot uses it from its next message").wait_for()
    history = carol.locator("pre.why").inner_text()
    assert "The helpline moved to a new number" in history
    assert "Author: carol" in history and "Approved-by: bob" in history
    new_version = read_version((pathways / "guidance.yaml").read_text())
    assert new_version != old_version and f"Guidance-version: {new_version}" in history
    sefton = (pathways / "areas" / "sefton.yaml").read_text()
    assert f'phone: "{NEW_NUMBER}"' in sefton and "last_verified: 2026-11-30" in sefton

    # the running bot, not restarted, gives the new number on the next conversation
    numbers = idva_numbers(stack)
    assert NEW_NUMBER in numbers and OLD_NUMBER not in numbers

    # bob rolls it back from the history, in one click
    bob.goto(carol.url)
    bob.get_by_role("button", name="Roll back this change").click()
    bob.get_by_text("Rolled back").wait_for()
    assert OLD_NUMBER in (pathways / "areas" / "sefton.yaml").read_text()
    assert read_version((pathways / "guidance.yaml").read_text()) not in (old_version, new_version)
    assert OLD_NUMBER in idva_numbers(stack)
    bob.goto(workspace.url + "/history")
    subjects = bob.locator("ol.history li").all_inner_texts()
    assert "roll back" in subjects[0] and "by bob" in subjects[0]
    assert "by carol" in subjects[1]
