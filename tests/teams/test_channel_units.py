"""The channel's parts without a web server: credentials, the output channel's
choice of messages, token caching and the connector's retries."""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Iterator

import pytest

from channels.teams import auth
from channels.teams.activities import read_message
from channels.teams.auth import TokenClient
from channels.teams.channel import TeamsInput, TeamsOutput
from channels.teams.connector import ConnectorClient

from .fake_microsoft import ACCESS_TOKEN, APP_ID, APP_PASSWORD, FakeMicrosoft


@pytest.fixture
def fake() -> Iterator[FakeMicrosoft]:
    microsoft = FakeMicrosoft().start()
    yield microsoft
    microsoft.stop()


# ---- credentials ----

def test_credentials_default_to_microsofts_endpoints_and_authentication_on():
    channel = TeamsInput.from_credentials({"app_id": APP_ID, "app_password": APP_PASSWORD})
    assert channel.name() == "teams"
    assert channel.validate_jwt is True
    assert channel.authenticator.openid_metadata_url == auth.OPENID_METADATA_URL
    assert channel.connector.tokens.token_url == auth.TOKEN_URL


def test_a_single_tenant_bot_gets_tokens_from_its_tenant():
    channel = TeamsInput.from_credentials({"app_id": APP_ID, "app_password": APP_PASSWORD, "tenant_id": "tenant-9"})
    assert channel.connector.tokens.token_url == "https://login.microsoftonline.com/tenant-9/oauth2/v2.0/token"


def test_endpoints_can_be_pointed_elsewhere():
    channel = TeamsInput.from_credentials({"app_id": APP_ID, "app_password": APP_PASSWORD,
                                           "token_url": "http://127.0.0.1:1/token",
                                           "openid_metadata_url": "http://127.0.0.1:1/openid"})
    assert channel.connector.tokens.token_url == "http://127.0.0.1:1/token"
    assert channel.authenticator.openid_metadata_url == "http://127.0.0.1:1/openid"


def test_authentication_is_only_off_when_explicitly_asked_and_then_warns(caplog):
    with pytest.raises(ValueError, match="validate_jwt: false"):
        TeamsInput.from_credentials({"app_password": "x"})
    with pytest.raises(ValueError, match="true or false"):
        TeamsInput.from_credentials({"app_id": APP_ID, "validate_jwt": "maybe"})
    with caplog.at_level(logging.WARNING):
        channel = TeamsInput.from_credentials({"validate_jwt": "false"})
    assert channel.validate_jwt is False
    assert "authentication is OFF" in caplog.text


def test_missing_credentials_are_a_clear_error():
    with pytest.raises(Exception, match="credentials"):
        TeamsInput.from_credentials(None)


# ---- the output channel ----

class RecordingConnector:
    def __init__(self) -> None:
        self.posts: list[tuple[str, dict]] = []

    async def post(self, url: str, activity: dict) -> bool:
        self.posts.append((url, activity))
        return True


def _send(*messages: dict) -> list[dict]:
    connector = RecordingConnector()
    inbound = read_message({"type": "message", "id": "1", "serviceUrl": "https://smba.trafficmanager.net/uk/",
                            "from": {"id": "29:user"}, "recipient": {"id": "28:bot"},
                            "conversation": {"id": "a:chat"}, "text": "hi"})
    output = TeamsOutput(inbound, connector)  # type: ignore[arg-type]

    async def run() -> None:
        for message in messages:
            await output.send_response("teams-x", dict(message))
    asyncio.run(run())
    return [activity for _, activity in connector.posts]


def _recommendation() -> dict:
    return {"recommendation": {"pathways": [{"id": "idva", "title": "Refer to an IDVA", "urgency": "same_day",
                                             "urgency_label": "Today", "reasons": ["r"], "contacts": []}],
                               "guidance_version": "v1", "facts": {}}}


def test_a_recommendation_is_sent_as_a_card_not_twice_as_text():
    [activity] = _send({"text": "First: Refer to an IDVA (Today).", "custom": _recommendation()})
    assert "text" not in activity
    assert activity["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert activity["summary"] == "Recommended next steps"


def test_a_knowledge_answer_with_text_is_sent_as_that_text_only():
    answer = {"answer": {"question": "q", "answered": True, "answers": [{"title": "t", "passage": "p"}]}}
    [activity] = _send({"text": "p\n\nFrom \u201ct\u201d", "custom": answer})
    assert activity["text"] == "p\n\nFrom \u201ct\u201d" and "attachments" not in activity
    [card] = _send({"custom": answer})
    assert card["attachments"]


def test_buttons_become_a_question_card_and_unknown_custom_messages_are_not_sent(caplog):
    with caplog.at_level(logging.INFO):
        activities = _send({"text": "Is anyone in danger now?", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
                           {"custom": {"something": "else"}})
    assert "unknown shape was not sent (keys: ['something'])" in caplog.text
    assert len(activities) == 1
    assert activities[0]["attachments"][0]["content"]["body"][0]["inlines"][0]["text"] == "Is anyone in danger now?"


def test_a_multi_paragraph_text_stays_one_message():
    [activity] = _send({"text": "Line one\n\nLine two"})
    assert activity["text"] == "Line one\n\nLine two"


# ---- tokens and the connector ----

def test_the_access_token_is_fetched_once_and_reused(fake):
    client = ConnectorClient(TokenClient(APP_ID, APP_PASSWORD, fake.token_url))
    url = f"{fake.service_url}v3/conversations/c1/activities"

    async def run() -> list[bool]:
        return [await client.post(url, {"conversation": {"id": "c1"}, "n": n}) for n in range(3)]
    assert asyncio.run(run()) == [True, True, True]
    assert len(fake.token_requests) == 1
    assert fake.token_requests[0]["scope"] == [auth.TOKEN_SCOPE]
    assert [r.authorization for r in fake.replies_in("c1")] == [f"Bearer {ACCESS_TOKEN}"] * 3


def test_a_busy_connector_is_retried_once_and_a_refused_token_is_renewed(fake, monkeypatch):
    monkeypatch.setattr("channels.teams.connector.RETRY_DELAY", 0.01)
    client = ConnectorClient(TokenClient(APP_ID, APP_PASSWORD, fake.token_url))
    url = f"{fake.service_url}v3/conversations/c2/activities"
    fake.fail_next = [503]
    assert asyncio.run(client.post(url, {"conversation": {"id": "c2"}})) is True
    fake.fail_next = [401]
    assert asyncio.run(client.post(url, {"conversation": {"id": "c2"}})) is True
    assert len(fake.token_requests) == 2  # the refused token was replaced
    fake.fail_next = [503, 503]
    assert asyncio.run(client.post(url, {"conversation": {"id": "c2"}})) is False
    fake.fail_next = [400]
    assert asyncio.run(client.post(url, {"conversation": {"id": "c2"}})) is False
    assert len(fake.replies_in("c2")) == 2


def test_a_wrong_password_means_no_reply_and_a_log_line_without_content(fake, caplog):
    client = ConnectorClient(TokenClient(APP_ID, "wrong", fake.token_url))
    with caplog.at_level(logging.ERROR):
        ok = asyncio.run(client.post(f"{fake.service_url}v3/conversations/c3/activities",
                                     {"conversation": {"id": "c3"}, "text": "private words"}))
    assert ok is False
    assert "token endpoint answered 401" in caplog.text
    assert "private words" not in caplog.text
    assert fake.replies_in("c3") == []


def test_without_an_app_id_replies_carry_no_token(fake):
    # The Bot Framework Emulator, locally, with validate_jwt: false.
    client = ConnectorClient(TokenClient("", "", fake.token_url))
    assert asyncio.run(client.post(f"{fake.service_url}v3/conversations/c4/activities",
                                   {"conversation": {"id": "c4"}})) is True
    assert fake.replies_in("c4")[0].authorization == ""
    assert fake.token_requests == []



def test_the_documented_credentials_block_loads_with_rasas_reader(monkeypatch):
    from rasa.shared.utils.io import read_config_file

    from channels.teams.channel import __file__ as channel_file

    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("TEAMS_APP_PASSWORD", APP_PASSWORD)
    monkeypatch.setenv("TEAMS_TENANT_ID", "tenant-9")
    example = read_config_file(str(Path(channel_file).with_name("credentials.example.yml")))
    [(name, credentials)] = example.items()
    assert name == "channels.teams.channel.TeamsInput"
    channel = TeamsInput.from_credentials(credentials)
    assert (channel.app_id, channel.app_password, channel.validate_jwt) == (APP_ID, APP_PASSWORD, True)
    assert channel.connector.tokens.token_url == "https://login.microsoftonline.com/tenant-9/oauth2/v2.0/token"
