"""The cached action-response check accepts and rejects exactly what Rasa's own does."""
from __future__ import annotations

import copy

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from assistant import rasa_speedups

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "facts", "value": {"weapon": True}}],
     "responses": [{"text": "Is anyone in danger right now?", "buttons": [{"title": "Yes", "payload": "/affirm"}]}]},
    {},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"name": "no event key"}]},
    {"events": [{"event": "slot"}]},     # a slot event without its name
    {"responses": {"text": "not a list"}},
]


def _original(result: dict) -> bool:
    jsonschema.validate(result, RemoteAction.action_response_format_spec())
    return True


@pytest.mark.parametrize("result", VALID)
def test_valid_responses_pass_both(result: dict) -> None:
    assert _original(copy.deepcopy(result))
    assert rasa_speedups._validate_action_result(None, copy.deepcopy(result))


@pytest.mark.parametrize("result", INVALID)
def test_invalid_responses_fail_both_with_the_same_error(result: dict) -> None:
    with pytest.raises(jsonschema.ValidationError) as theirs:
        _original(copy.deepcopy(result))
    with pytest.raises(jsonschema.ValidationError) as ours:
        rasa_speedups._validate_action_result(None, copy.deepcopy(result))
    assert ours.value.message.startswith(theirs.value.message)
    assert "Failed to validate Action server response" in ours.value.message
    assert list(ours.value.path) == list(theirs.value.path)


def test_install_replaces_rasas_check_once() -> None:
    rasa_speedups.install()
    rasa_speedups.install()
    assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result


def test_the_rasa_server_entry_point_installs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # The regression this guards: the hook once lived in a module another change rewrote.
    import rasa.__main__
    import rasa.server

    from assistant import rasa_server

    original = rasa_speedups._validate_action_result
    monkeypatch.setattr(RemoteAction, "_validate_action_result", lambda self, result: True)
    monkeypatch.setattr(rasa_speedups, "_installed", False)
    monkeypatch.setattr(rasa.__main__, "main", lambda: None)
    monkeypatch.setattr(rasa.server, "configure_cors", rasa.server.configure_cors)
    monkeypatch.setattr("sys.argv", ["rasa", "run"])
    rasa_server.main()
    assert RemoteAction._validate_action_result is original


def test_a_token_that_begins_with_a_dash_reaches_rasa_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # Seen in CI: a random token "-x…" made `rasa run` fail with "expected one argument".
    import argparse

    import rasa.__main__

    from assistant import rasa_server

    monkeypatch.setattr(rasa.__main__, "main", lambda: None)
    monkeypatch.setenv("SIGNPOST_API_TOKEN", "-starts-with-a-dash")
    monkeypatch.setattr("sys.argv", ["rasa", "run", "--enable-api"])
    rasa_server.main()
    import sys

    parser = argparse.ArgumentParser()
    parser.add_argument("--auth-token")
    known, _ = parser.parse_known_args(sys.argv[1:])
    assert known.auth_token == "-starts-with-a-dash"
