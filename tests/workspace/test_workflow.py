"""The workspace's rules without a browser: review, stale drafts, rollback, exact edits, accounts, the limiter."""
from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from assistant.guidance import load_guidance
from assistant.workspace import view
from assistant.workspace.accounts import AccountError, Accounts, Author
from assistant.workspace.drafts import Change
from assistant.workspace.edits import bump_version, item_end, item_text, replace_item, set_value
from assistant.workspace.oidc import OidcNotAvailable, oidc_settings
from assistant.workspace.security import FIRST_WAIT_SECONDS, SignInLimiter
from assistant.workspace.workspace import Refused, Workspace, contact_text

from .conftest import copy_pathways

AUTHOR, REVIEWER, OTHER = Author("alice", "author"), Author("bob", "reviewer"), Author("carol", "reviewer")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(copy_pathways(tmp_path / "pathways"), None, tmp_path / "state")


def change_idva_number(ws: Workspace, who: Author, number: str):
    contact = next(c for c in view.contacts(ws.pathways) if c.file == "areas/sefton.yaml" and c.pathway == "idva")
    draft = ws.draft_for(who)
    text = ws.text(contact.file, draft)
    new = contact_text(text, contact, "phone", number, dt.date(2026, 11, 30))
    return ws.edit(who, contact.file, new, Change("contact", contact.file, f"idva number {number}"))


def test_a_contact_edit_changes_only_its_own_lines(ws):
    before = (ws.pathways / "areas" / "sefton.yaml").read_text().splitlines()
    draft = change_idva_number(ws, AUTHOR, "0151 555 0100")
    after = draft.files["areas/sefton.yaml"].splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=False) if a != b]  # the lengths are asserted next
    assert len(before) == len(after) and len(changed) == 2
    assert changed[0][1].strip() == 'phone: "0151 555 0100"'
    assert changed[1][1].strip() == "last_verified: 2026-11-30"
    assert ws.report(draft).valid


def test_publishing_needs_a_second_reviewer(ws):
    draft = change_idva_number(ws, AUTHOR, "0151 555 0100")
    assert ws.needs_review(draft)
    with pytest.raises(Refused, match="reviewer other than the author"):
        ws.publish(draft, AUTHOR, "new number")
    with pytest.raises(Refused, match="Only a reviewer"):
        ws.approve(draft, AUTHOR)


def test_an_area_may_let_contact_only_changes_skip_the_second_review(ws):
    area = ws.pathways / "areas" / "sefton.yaml"
    lines = area.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("settings:"))
    lines.insert(at + 1, "  contact_changes_need_review: false\n")
    area.write_text("".join(lines))
    draft = change_idva_number(ws, AUTHOR, "0151 555 0100")
    assert not ws.needs_review(draft)
    sha = ws.publish(draft, AUTHOR, "new number")
    assert "Approved-by: not needed" in ws.history.entry(sha).body
    assert "contact_changes_need_review: false" in area.read_text()
    assert load_guidance(ws.pathways).pathways["idva"].contacts[0]["phone"] == "0151 555 0100"
    # a setting is not a contact: it still needs a second reviewer
    from assistant.workspace.workspace import setting_text
    sefton = next(a for a in view.areas(ws.pathways) if a.id == "sefton")
    new = setting_text(area.read_text(), sefton, "escalation_threshold", 4)
    draft = ws.edit(AUTHOR, "areas/sefton.yaml", new, Change("setting", "areas/sefton.yaml", "threshold 4"))
    assert ws.needs_review(draft)


def test_an_edit_after_approval_needs_approving_again(ws):
    draft = change_idva_number(ws, OTHER, "0151 555 0100")
    with pytest.raises(Refused, match="cannot approve your own change"):
        ws.approve(draft, OTHER)
    ws.approve(draft, REVIEWER)
    assert ws.drafts.get(draft.id).approved_by == "bob"
    draft = change_idva_number(ws, OTHER, "0151 555 0101")
    assert draft.approved_by is None
    with pytest.raises(Refused, match="must approve"):
        ws.publish(draft, OTHER, "why")


def test_a_draft_started_before_another_publish_to_the_same_file_is_refused(ws):
    first = change_idva_number(ws, AUTHOR, "0151 555 0100")
    second = change_idva_number(ws, OTHER, "0151 555 0199")
    ws.approve(first, OTHER)
    ws.publish(first, AUTHOR, "first")
    ws.approve(second, REVIEWER)
    with pytest.raises(Refused, match="after this draft was started"):
        ws.publish(ws.drafts.get(second.id), OTHER, "second")   # never overwrites the first on a guess
    assert "0151 555 0100" in (ws.pathways / "areas" / "sefton.yaml").read_text()


def test_rollback_restores_the_files_with_a_higher_version_and_only_for_reviewers(ws):
    original = (ws.pathways / "areas" / "sefton.yaml").read_text()
    draft = change_idva_number(ws, AUTHOR, "0151 555 0100")
    ws.approve(draft, REVIEWER)
    sha = ws.publish(draft, AUTHOR, "new number")
    published_version = load_guidance(ws.pathways).version.split("+")[0]
    with pytest.raises(Refused, match="Only a reviewer"):
        ws.rollback(sha, AUTHOR)
    ws.rollback(sha, REVIEWER)
    assert (ws.pathways / "areas" / "sefton.yaml").read_text() == original
    assert load_guidance(ws.pathways).version.split("+")[0] != published_version
    assert ws.history.log()[0].author == "bob"


def test_a_rule_block_round_trips_exactly_for_every_rule(ws):
    text = (ws.pathways / "rules.yaml").read_text()
    for rule in view.rules(ws.pathways, load_guidance(ws.pathways)):
        block, column = item_text(text, rule.start, rule.end)
        assert block.startswith(f"id: {rule.id}")
        assert replace_item(text, rule.start, rule.end, block, column) == text
        assert rule.words.startswith("When ") and " → " in rule.words


def test_set_value_keeps_the_comment_and_quotes():
    text = 'a:\n  dash_high: 14   # SafeLives threshold\n  url: "https://x.org/#top"  # note\n'
    assert set_value(text, 2, "dash_high", "15") == (
        'a:\n  dash_high: 15   # SafeLives threshold\n  url: "https://x.org/#top"  # note\n')
    assert set_value(text, 3, "url", '"https://y.org"').splitlines()[2] == '  url: "https://y.org"  # note'


def test_the_version_only_goes_up():
    text = 'version: "2026.11.2"  # raise it\n'
    assert bump_version(text, dt.date(2026, 11, 5)) == ('version: "2026.11.3"  # raise it\n', "2026.11.3")
    assert bump_version(text, dt.date(2027, 1, 5))[1] == "2027.1.1"
    assert bump_version(text, dt.date(2026, 10, 5))[1] == "2026.11.3"


def test_item_end_leaves_the_next_sections_comment_out():
    text = "rules:\n  - id: a\n    add: x\n\n  # ---- next\n  - id: b\n    add: y\nother: 1\n"
    assert item_end(text, 2, 6) == 3
    assert item_end(text, 6, None) == 7


def test_accounts_hash_passwords_and_keep_the_file_private(tmp_path):
    accounts = Accounts(tmp_path)
    accounts.add("alice", "author", "a-long-password")
    assert accounts.verify("alice", "a-long-password") == Author("alice", "author")
    assert accounts.verify("alice", "wrong-password") is None
    assert accounts.verify("nobody", "a-long-password") is None
    assert "a-long-password" not in accounts.file.read_text()
    assert "$argon2id$" in accounts.file.read_text()
    assert stat.S_IMODE(accounts.file.stat().st_mode) == 0o600
    with pytest.raises(AccountError):
        accounts.add("bob", "author", "short")
    with pytest.raises(AccountError):
        accounts.add("bob", "admin", "a-long-password")


def test_the_limiter_waits_after_five_wrong_passwords_and_doubles():
    now = [1000.0]
    limiter = SignInLimiter(clock=lambda: now[0])
    for _ in range(4):
        limiter.failed("name:bob")
    assert limiter.wait_seconds("name:bob") == 0
    limiter.failed("name:bob")
    assert limiter.wait_seconds("name:bob") == FIRST_WAIT_SECONDS
    now[0] += FIRST_WAIT_SECONDS
    assert limiter.wait_seconds("name:bob") == 0
    limiter.failed("name:bob")
    assert limiter.wait_seconds("name:bob") == 2 * FIRST_WAIT_SECONDS
    limiter.succeeded("name:bob")
    assert limiter.wait_seconds("name:bob") == 0


def test_openid_connect_settings_refuse_to_start_rather_than_fall_back():
    assert oidc_settings({}) is None
    with pytest.raises(OidcNotAvailable):
        oidc_settings({"SIGNPOST_WORKSPACE_OIDC_ISSUER": "https://login.example/tenant/v2.0"})


def test_an_inline_mapping_label_is_changed_in_place():
    from assistant.workspace.edits import set_inline_value
    text = '    options:\n      - {label: "Yes", value: true}\n      - {label: Not sure, value: null}\n'
    out = set_inline_value(text, 2, "label", '"Yes, it has"')
    assert out.splitlines()[1] == '      - {label: "Yes, it has", value: true}'
    assert set_inline_value(text, 3, "label", '"Unsure"').splitlines()[2] == '      - {label: "Unsure", value: null}'


def test_a_question_folded_over_several_lines_is_left_to_the_file(ws):
    from assistant.workspace.workspace import question_text
    question = view.questions(ws.pathways)[0]
    text = (ws.pathways / "facts.yaml").read_text()
    lines = text.splitlines(keepends=True)
    lines[question.line - 1] = '    question: "Is anyone\n'
    lines.insert(question.line, '      in danger?"\n')
    with pytest.raises(Refused, match="several lines"):
        question_text("".join(lines), question, "New?", question.why, [o.label for o in question.options])
