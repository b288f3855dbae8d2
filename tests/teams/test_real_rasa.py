"""The Teams channel inside the real Rasa server and action server.

Rasa loads ``TeamsInput`` from a credentials file as a deployment would; a
loopback fake of Microsoft stands in for the Bot Connector, its signing keys
and its token endpoint. A professional greets the bot, describes a disclosure,
presses "Show the advice now" on the question card and gets the
recommendation as Adaptive Cards, each opening with the 999 line.
"""
from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.stack import Stack, free_port, start_stack

from .card_schema import assert_adaptive_card, submit_actions
from .fake_microsoft import APP_ID, APP_PASSWORD, PSEUDONYM_KEY, TENANT_ID, FakeMicrosoft, message_activity
from .rasa_turns import teams_sender, wait_for_turns

pytestmark = pytest.mark.stack

CONVERSATION = "a:real-rasa-conversation"
USER = "29:1user-aad-id"  # message_activity's default user


@pytest.fixture(scope="module")
def teams_stack(fake: FakeMicrosoft, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("teams_stack")
    credentials = workdir / "credentials.yml"
    credentials.write_text(
        "rest:\nchannels.teams.channel.TeamsInput:\n"
        f'  app_id: "{APP_ID}"\n  app_password: "{APP_PASSWORD}"\n'
        f'  tenant_id: "{TENANT_ID}"\n  pseudonym_key: "{PSEUDONYM_KEY}"\n'
        f'  token_url: "{fake.token_url}"\n  openid_metadata_url: "{fake.openid_url}"\n'
        '  service_url_hosts: "127.0.0.1"\n'
    )
    stack = start_stack(
        rasa_port=free_port(), actions_port=free_port(), with_web=False,
        tracker_db=workdir / "tracker.db", log_dir=workdir / "logs", credentials=credentials,
    )
    try:
        yield stack
    finally:
        stack.stop()


_turns = {"count": 0}


def _say(stack: Stack, fake: FakeMicrosoft, text: str, payload: str | None = None,
         replies: int = 1) -> list[dict[str, Any]]:
    """Posts one Teams message activity; returns the reply activities its whole turn caused."""
    since = len(fake.replies_in(CONVERSATION))
    activity = message_activity(fake, text, conversation_id=CONVERSATION,
                                value={"signpost_payload": payload} if payload else None)
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/teams/webhook", data=json.dumps(activity).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {fake.request_token()}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
    _turns["count"] += 1
    wait_for_turns(stack, teams_sender(CONVERSATION, USER), _turns["count"])
    got = [r.body for r in fake.replies_in(CONVERSATION)[since:] if r.body.get("type") == "message"]
    assert len(got) >= replies, got
    return got


def _cards(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cards = [a["content"] for body in bodies for a in body.get("attachments", [])]
    for card in cards:
        assert_adaptive_card(card)
    return cards


def test_a_triage_in_teams_ends_with_the_recommendation_cards(teams_stack: Stack, fake: FakeMicrosoft) -> None:
    _say(teams_stack, fake, "hello")
    bodies = _say(teams_stack, fake, "Patient disclosed her partner hit her last night, two kids at home",
                  replies=2)
    for body in bodies:
        assert body["conversation"]["id"] == CONVERSATION
    show = [action for card in _cards(bodies) for action in submit_actions(card)
            if action["data"]["signpost_payload"] == "/show_advice"]
    assert show, "the question card has no 'Show the advice now' button"

    bodies = _say(teams_stack, fake, show[0]["data"]["msteams"]["text"], payload="/show_advice", replies=1)
    recommendation = [card for card in _cards(bodies) if "999" in json.dumps(card)]
    assert recommendation, "no recommendation card"
    text = json.dumps(recommendation)
    assert "Children" in text or "children" in text   # two kids at home -> children's social care
    assert "guidance" in text.lower()                  # the guidance version is shown
