"""The channel's parts without a web server: credentials, the output channel's
choice of messages, token caching and the connector's retries."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from channels.teams import auth
from channels.teams.activities import read_message, sender_key
from channels.teams.auth import TokenClient
from channels.teams.channel import TeamsInput, TeamsOutput
from channels.teams.connector import ConnectorClient, backoff_delay, retry_after_seconds

from .fake_microsoft import ACCESS_TOKEN, APP_ID, APP_PASSWORD, PSEUDONYM_KEY, TENANT_ID, FakeMicrosoft


@pytest.fixture
def fake() -> Iterator[FakeMicrosoft]:
    microsoft = FakeMicrosoft().start()
    yield microsoft
    microsoft.stop()


# ---- credentials ----

BASE = {"app_id": APP_ID, "app_password": APP_PASSWORD, "tenant_id": TENANT_ID, "pseudonym_key": PSEUDONYM_KEY}


def _credentials(**changes):
    credentials = {**BASE, **changes}
    return {k: v for k, v in credentials.items() if v is not None}


def test_credentials_default_to_microsofts_endpoints_and_authentication_on():
    channel = TeamsInput.from_credentials(_credentials())
    assert channel.name() == "teams"
    assert channel.validate_jwt is True
    assert channel.authenticator.openid_metadata_url == auth.OPENID_METADATA_URL
    assert channel.service_url_hosts == ("smba.trafficmanager.net", "*.botframework.com")


def test_a_bot_gets_tokens_from_its_own_tenant():
    channel = TeamsInput.from_credentials(_credentials(tenant_id="tenant-9"))
    assert channel.connector.tokens.token_url == "https://login.microsoftonline.com/tenant-9/oauth2/v2.0/token"


def test_without_a_tenant_the_channel_refuses_to_start():
    # Before: a missing tenant silently used the multi-tenant token URL.
    for tenant in (None, "", "  "):
        with pytest.raises(ValueError, match="tenant_id"):
            TeamsInput.from_credentials(_credentials(tenant_id=tenant))


def test_the_pseudonym_key_is_its_own_secret_and_required():
    # Before: Teams ids were hashed with the app password, so rotating it reset every conversation.
    for key in (None, "", "short"):
        with pytest.raises(ValueError, match="pseudonym_key"):
            TeamsInput.from_credentials(_credentials(pseudonym_key=key))
    with pytest.raises(ValueError, match="not be the app password"):
        TeamsInput.from_credentials(_credentials(app_password=PSEUDONYM_KEY))
    inbound = read_message({"type": "message", "id": "1", "channelId": "msteams",
                            "serviceUrl": "https://smba.trafficmanager.net/uk/",
                            "from": {"id": "29:user"}, "recipient": {"id": "28:bot"},
                            "conversation": {"id": "a:chat"}, "text": "hi"})
    before = TeamsInput.from_credentials(_credentials())
    rotated = TeamsInput.from_credentials(_credentials(app_password="a-new-client-secret"))
    assert sender_key(inbound, before.pseudonym_key) == sender_key(inbound, rotated.pseudonym_key)


def test_endpoints_hosts_and_areas_can_be_configured():
    channel = TeamsInput.from_credentials(_credentials(
        token_url="http://127.0.0.1:1/token", openid_metadata_url="http://127.0.0.1:1/openid",
        service_url_hosts="127.0.0.1, smba.trafficmanager.net", area="sefton",
        team_areas={"19:team-a": "st_helens"}))
    assert channel.connector.tokens.token_url == "http://127.0.0.1:1/token"
    assert channel.authenticator.openid_metadata_url == "http://127.0.0.1:1/openid"
    assert channel.service_url_hosts == ("127.0.0.1", "smba.trafficmanager.net")
    assert (channel.area, channel.team_areas) == ("sefton", {"19:team-a": "st_helens"})
    with pytest.raises(ValueError, match="no file in pathways/areas"):
        TeamsInput.from_credentials(_credentials(team_areas={"19:team-a": "atlantis"}))


def test_authentication_is_only_off_when_explicitly_asked_and_then_warns(caplog):
    with pytest.raises(ValueError, match="validate_jwt: false"):
        TeamsInput.from_credentials(_credentials(app_id=None))
    with pytest.raises(ValueError, match="true or false"):
        TeamsInput.from_credentials(_credentials(validate_jwt="maybe"))
    with caplog.at_level(logging.WARNING):
        channel = TeamsInput.from_credentials({"validate_jwt": "false", "tenant_id": TENANT_ID,
                                               "pseudonym_key": PSEUDONYM_KEY})
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
    inbound = read_message({"type": "message", "id": "1", "channelId": "msteams",
                            "serviceUrl": "https://smba.trafficmanager.net/uk/",
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


class Sleeps:
    """Records the waits instead of waiting (the backoff is what is tested)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def test_throttling_and_busy_answers_are_retried_with_growing_jittered_waits(fake):
    sleeps = Sleeps()
    client = ConnectorClient(TokenClient(APP_ID, APP_PASSWORD, fake.token_url), sleep=sleeps, rand=lambda: 1.0)
    url = f"{fake.service_url}v3/conversations/c2/activities"
    # Microsoft: retry 412, 429, 502 and 504 (and 500/503 are transient too).
    for status in (429, 412, 502, 504):
        fake.fail_next = [status, status, status]
        assert asyncio.run(client.post(url, {"conversation": {"id": "c2"}})) is True, status
    assert len(fake.replies_in("c2")) == 4
    # Exponential: each wait at least double the last within one reply (here with the jitter at its top).
    assert sleeps.waits[:3] == [0.5, 1.0, 2.0]
    jittered = Sleeps()
    client = ConnectorClient(TokenClient(APP_ID, APP_PASSWORD, fake.token_url), sleep=jittered, rand=lambda: 0.0)
    fake.fail_next = [503, 503]
    assert asyncio.run(client.post(url, {"conversation": {"id": "c2"}})) is True
    assert jittered.waits == [0.25, 0.5]  # jitter takes up to half off, never to zero


def test_retry_after_is_honoured_in_seconds_and_as_a_date(fake):
    sleeps = Sleeps()
    client = ConnectorClient(TokenClient(APP_ID, APP_PASSWORD, fake.token_url), sleep=sleeps, rand=lambda: 0.0)
    url = f"{fake.service_url}v3/conversations/c5/activities"
    fake.retry_after, fake.fail_next = "7", [429]
    assert asyncio.run(client.post(url, {"conversation": {"id": "c5"}})) is True
    assert sleeps.waits == [7.0]
    assert retry_after_seconds("Wed, 21 Oct 2026 07:28:05 GMT", now=1792567680.0) == pytest.approx(5.0, abs=1)
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
    assert backoff_delay(1, 3.0, rand=lambda: 0.0) == 3.0
    # A wait longer than a conversation can bear is not waited: the reply is dropped, and logged.
    fake.retry_after, fake.fail_next = "3600", [429]
    assert asyncio.run(client.post(url, {"conversation": {"id": "c5"}})) is False
    fake.retry_after = None
    assert len(fake.replies_in("c5")) == 1


def test_retries_give_up_a_refused_token_is_renewed_and_a_bad_request_is_not_retried(fake):
    sleeps = Sleeps()
    client = ConnectorClient(TokenClient(APP_ID, APP_PASSWORD, fake.token_url), sleep=sleeps)
    url = f"{fake.service_url}v3/conversations/c6/activities"
    fake.fail_next = [401]
    assert asyncio.run(client.post(url, {"conversation": {"id": "c6"}})) is True
    assert len(fake.token_requests) == 2  # the refused token was replaced
    fake.fail_next = [503] * 10
    assert asyncio.run(client.post(url, {"conversation": {"id": "c6"}})) is False
    fake.fail_next = [400]
    refused_before = fake.refused
    assert asyncio.run(client.post(url, {"conversation": {"id": "c6"}})) is False
    assert fake.refused == refused_before + 1
    fake.fail_next = []
    assert len(fake.replies_in("c6")) == 1


# ---- signing keys ----

class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_signing_key_rotated_just_after_the_last_fetch_is_refetched_not_refused(fake):
    # Before: an unseen key within 300 s of the last fetch got 401 until the 300 s had passed.
    clock = Clock()
    checker = auth.RequestAuthenticator(APP_ID, fake.openid_url, clock=clock)

    async def check() -> dict:
        return await checker.check(f"Bearer {fake.request_token()}", "msteams", fake.service_url)
    asyncio.run(check())
    assert checker.fetches == 1
    fake.rotate_key("rotated-key")
    clock.now += 10
    assert asyncio.run(check())["aud"] == APP_ID
    assert checker.fetches == 2
    asyncio.run(check())
    assert checker.fetches == 2  # a known key is not fetched again
    # A made-up key id is still refused (after its one refetch).
    clock.now += 10
    with pytest.raises(auth.AuthError, match="unknown key"):
        asyncio.run(checker.check(f"Bearer {fake.request_token(kid='made-up')}", "msteams", fake.service_url))


def test_a_token_without_a_service_url_claim_or_an_unendorsed_channel_is_refused(fake):
    checker = auth.RequestAuthenticator(APP_ID, fake.openid_url)
    # Before: a token without the claim was accepted for any serviceUrl.
    with pytest.raises(auth.AuthError, match="no serviceUrl claim"):
        asyncio.run(checker.check(f"Bearer {fake.request_token(with_service_url=False)}", "msteams",
                                  "https://attacker.example/"))
    # Before: an empty channelId skipped the endorsement check.
    for channel in ("", "slack"):
        with pytest.raises(auth.AuthError, match="channel"):
            asyncio.run(checker.check(f"Bearer {fake.request_token()}", channel, fake.service_url))


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
    monkeypatch.setenv("TEAMS_PSEUDONYM_KEY", PSEUDONYM_KEY)
    example = read_config_file(str(Path(channel_file).with_name("credentials.example.yml")))
    [(name, credentials)] = example.items()
    assert name == "channels.teams.channel.TeamsInput"
    channel = TeamsInput.from_credentials(credentials)
    assert (channel.app_id, channel.app_password, channel.validate_jwt) == (APP_ID, APP_PASSWORD, True)
    assert channel.connector.tokens.token_url == "https://login.microsoftonline.com/tenant-9/oauth2/v2.0/token"


def test_a_card_some_teams_client_could_not_draw_is_sent_as_its_text(monkeypatch, caplog):
    import channels.teams.channel as channel_module

    monkeypatch.setattr(channel_module, "fits_teams", lambda card: False)
    with caplog.at_level(logging.ERROR):
        [activity] = _send({"text": "Is anyone in danger now?", "buttons": [{"title": "Yes", "payload": "/affirm"}]})
    assert "attachments" not in activity
    assert activity["text"] == "Is anyone in danger now?" and activity["textFormat"] == "plain"
    assert "newer Adaptive Card version" in caplog.text
