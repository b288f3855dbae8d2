"""The conversation's own words live in pathways/messages.yaml: every one the code says is
there, every one there is said, a broken edit is refused with file:line and the last good
version kept, and 999 still goes out when the file cannot be read at all."""
from __future__ import annotations

import ast
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from assistant import PATHWAYS_DIR, PROJECT_ROOT
from assistant.actions.action_default_ask_affirmation import CHECK_MESSAGE
from assistant.cli import main
from assistant.conversation import messages
from assistant.conversation.messages import (
    EMERGENCY_FALLBACK,
    MessagesError,
    danger_message,
    load_messages,
    question_message,
    read_messages,
    words,
)
from assistant.guidance import load_guidance
from assistant.guidance.schema import other_files, schema_path

CODE_DIRS = [PROJECT_ROOT / "assistant", PROJECT_ROOT / "channels"]
SAYING = {"words", "button"}   # the two ways code takes a message from messages.yaml


def _calls_by_key() -> tuple[set[str], list[str]]:
    """The message keys named in code (first argument of words()/button()), and where a call
    names none literally."""
    used: set[str] = set()
    unnamed: list[str] = []
    for folder in CODE_DIRS:
        for file in folder.rglob("*.py"):
            tree = ast.parse(file.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                if name not in SAYING:
                    continue
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    used.add(first.value)
                else:
                    unnamed.append(f"{file.relative_to(PROJECT_ROOT)}:{node.lineno}")
    return used, unnamed


def _yaml_keys() -> list[str]:
    return list(yaml.safe_load((PATHWAYS_DIR / "messages.yaml").read_text(encoding="utf-8")))


def test_every_key_the_code_uses_is_in_messages_yaml_and_every_key_there_is_used() -> None:
    used, unnamed = _calls_by_key()
    # The one call naming its key from a table: the fallback's "did you mean ...?" guesses.
    assert [where.split(":")[0] for where in unnamed] == ["assistant/actions/action_default_ask_affirmation.py"]
    used |= set(CHECK_MESSAGE.values())
    keys = set(_yaml_keys())
    assert used - keys == set(), "said in code but missing from messages.yaml"
    assert keys - used == set(), "in messages.yaml but never said"
    schema = json.loads(schema_path("messages").read_text(encoding="utf-8"))
    assert set(schema["required"]) == set(schema["properties"]) == keys


def test_every_key_has_a_comment_saying_where_it_is_said() -> None:
    lines = (PATHWAYS_DIR / "messages.yaml").read_text(encoding="utf-8").splitlines()
    for key in _yaml_keys():
        above = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:")) - 1
        # a comment right above it, or above the run of keys it belongs to (the three buttons)
        while above >= 0 and (re.match(r"^\w+:", lines[above]) or lines[above].startswith("  ")):
            above -= 1
        assert above >= 0 and lines[above].startswith("# "), key


def test_the_real_messages_file_validates() -> None:
    problems = [p for p in other_files(PATHWAYS_DIR) if p.file.endswith("messages.yaml")]
    assert problems == []
    assert read_messages(PATHWAYS_DIR / "messages.yaml").texts["bad_button"].startswith("Sorry")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A private pathways/ folder whose messages.yaml a test may break."""
    target = tmp_path / "pathways"
    shutil.copytree(PATHWAYS_DIR, target, ignore=shutil.ignore_patterns("scenarios", "__pycache__"))
    return target


def _line_of(file: Path, start: str) -> int:
    return next(n for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(start))


def _drop_key(file: Path, key: str) -> None:
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    file.write_text("".join(line for line in lines if not line.startswith(f"{key}:")), encoding="utf-8")


def _replace(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {file.name}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_missing_message_fails_validation_with_file_and_line(copy: Path, capsys) -> None:
    file = copy / "messages.yaml"
    _drop_key(file, "bad_button")
    first_key = _line_of(file, "opening_note:")
    with pytest.raises(MessagesError) as refused:
        read_messages(file)
    assert [(p.file, p.line) for p in refused.value.problems] == [("pathways/messages.yaml", first_key)]
    assert "`bad_button:`" in refused.value.problems[0].message
    # and `signpost validate` says the same, as for every other guidance file
    code = main(["validate", str(copy)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"pathways/messages.yaml:{first_key}: error: the file has no `bad_button:`" in out
    assert "fix: add `bad_button:`" in out


def test_a_misspelt_key_gets_a_did_you_mean(copy: Path) -> None:
    file = copy / "messages.yaml"
    _replace(file, "why_general:", "why_genral:")
    problems = other_files(copy)
    line = _line_of(file, "why_genral:")
    assert any(p.line == line and "unknown key `why_genral`" in p.message and "why_general" in p.fix
               for p in problems), problems


@pytest.mark.parametrize(("key", "old", "new", "says"), [
    ("danger_in_form", "right now. {emergency} Keep", "right now. Keep", "{emergency}"),
    ("victim_support", "{contacts}\n", "\n", "{contacts}"),
    ("fallback", "call 999. Otherwise you", "get help. Otherwise you", "999"),
    ("advice_area", "{area} (version", "{place} (version", "{area}"),
    ("bad_button", "the question;", "the {question};", "no { }"),
])
def test_an_edit_that_loses_what_the_bot_fills_in_or_the_999_is_refused(copy: Path, key: str, old: str,
                                                                         new: str, says: str) -> None:
    file = copy / "messages.yaml"
    _replace(file, old, new)
    with pytest.raises(MessagesError) as refused:
        read_messages(file)
    line = _line_of(file, f"{key}:")
    assert any(p.line == line and f"`{key}:`" in p.message and says in p.message + p.fix
               for p in refused.value.problems), refused.value.problems


def test_an_edit_is_said_from_the_next_message_and_a_broken_one_keeps_the_last_good(
        copy: Path, monkeypatch, caplog) -> None:
    file = copy / "messages.yaml"
    monkeypatch.setattr(messages, "MESSAGES_FILE", file)
    assert words("bad_button") == "Sorry, that answer didn't fit the question; please pick one of the buttons."
    _replace(file, "please pick one of the buttons.", "please choose one of the buttons.")
    os.utime(file, (1, 1))   # a different mtime, as a real save would give
    assert words("bad_button").endswith("please choose one of the buttons.")
    _drop_key(file, "bad_button")
    os.utime(file, (2, 2))
    with caplog.at_level(logging.ERROR, logger="signpost.reloading"):
        assert words("bad_button").endswith("please choose one of the buttons.")
    refusals = [r.getMessage() for r in caplog.records if r.name == "signpost.reloading"]
    assert any(f"messages: edit refused at pathways/messages.yaml:{_line_of(file, 'opening_note:')}" in m
               and "still serving version" in m for m in refusals), refusals


def test_a_restart_with_a_broken_file_serves_the_copy_kept_on_disk(copy: Path, monkeypatch) -> None:
    file = copy / "messages.yaml"
    load_messages(file)                      # accepted: a copy is kept in the state folder
    messages._stores.clear()                 # as after a restart
    _replace(file, "why_general:", "why_genral:")
    assert load_messages(file).texts["why_general"].startswith("I only ask")


@pytest.fixture
def unreadable(tmp_path: Path, monkeypatch) -> Iterator[None]:
    """No messages.yaml and no last good copy: the file cannot be read at all."""
    monkeypatch.setattr(messages, "MESSAGES_FILE", tmp_path / "gone" / "messages.yaml")
    monkeypatch.setenv("SIGNPOST_STATE_DIR", str(tmp_path / "state"))
    yield


def test_when_the_file_cannot_be_read_at_all_999_still_goes_out(unreadable) -> None:
    g = load_guidance(PATHWAYS_DIR)
    assert words("opening_note") == EMERGENCY_FALLBACK
    assert "999" in danger_message(g, in_form=True).text and "999" in danger_message(None, in_form=False).text
    # buttons are never titled with the 999 sentence: the question keeps its own answers only
    question = question_message(g.facts["weapon"])
    assert question.text == g.facts["weapon"].question
    assert [b["title"] for b in question.buttons] == [o.label for o in g.facts["weapon"].options]


def test_a_contact_list_with_no_entries_leaves_no_empty_line() -> None:
    text = words("victim_support", emergency="Call 999 now.", contacts="")
    assert "\n\n" not in text and "{" not in text and "Call 999 now." in text
    listed = words("victim_support", emergency="Call 999 now.", contacts="- A: 1\n- B: 2")
    assert len(listed.splitlines()) == len(text.splitlines()) + 2


def test_a_filled_in_value_is_never_read_as_a_place() -> None:
    said = words("advice_area", area="{version}", version="1")
    assert said == "This advice uses the guidance for {version} (version 1)."


def test_teams_takes_the_safety_constants_from_the_conversation() -> None:
    from channels.teams import cards
    assert cards.EMERGENCY_FALLBACK is messages.EMERGENCY_FALLBACK
    assert cards.EMERGENCY_PATHWAY is messages.EMERGENCY_PATHWAY
    assert not hasattr(cards, "_EMERGENCY_FALLBACK") and not hasattr(cards, "NO_PATHWAY_TEXT")
