"""The Teams channel over HTTP: loaded from a credentials file as ``rasa run``
loads it, fed Teams message activities signed like the Bot Connector's, and
answering into a loopback fake of Microsoft's connector and token endpoint."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.stack import free_port
from channels.input_checks import BAD_PAYLOAD, MAX_MESSAGE_CHARS, TOO_LONG

from .card_schema import assert_adaptive_card, dynamic_texts, submit_actions
from .fake_microsoft import (
    ACCESS_TOKEN,
    APP_ID,
    APP_PASSWORD,
    PSEUDONYM_KEY,
    TENANT_ID,
    FakeMicrosoft,
    message_activity,
    new_key,
)
from .harness import BUTTONS, INTRO, QUESTION

TEAM_ID = "19:team-in-st-helens@thread.tacv2"
# Made up, in the shapes a person might type: never to be logged.
PERSONAL = ("Zebedee Quartermaine", "07700 900461", "943 476 5919")

# It starts a server of ours (the channel inside Sanic, loaded as `rasa run` loads it).
pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]


class Harness:
    def __init__(self, url: str, fake: FakeMicrosoft, log_path: Path) -> None:
        self.url = url
        self.fake = fake
        self.log_path = log_path

    def post(self, activity: Any, token: str | None = "valid", raw: bytes | None = None) -> tuple[int, str]:
        headers = {"Content-Type": "application/json"}
        if token == "valid":
            token = self.fake.request_token()
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else json.dumps(activity).encode()
        request = urllib.request.Request(f"{self.url}/webhooks/teams/webhook", data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def received(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.url}/harness/received", timeout=5) as response:
            return json.loads(response.read())


@pytest.fixture(scope="module")
def harness(fake: FakeMicrosoft, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    workdir = tmp_path_factory.mktemp("teams")
    credentials = workdir / "credentials.yml"
    credentials.write_text(
        "channels.teams.channel.TeamsInput:\n"
        f"  app_id: \"{APP_ID}\"\n"
        "  app_password: ${TEAMS_TEST_PASSWORD}\n"  # substituted by Rasa from the environment
        f"  tenant_id: \"{TENANT_ID}\"\n"
        "  pseudonym_key: ${TEAMS_TEST_PSEUDONYM_KEY}\n"
        f"  token_url: \"{fake.token_url}\"\n"
        f"  openid_metadata_url: \"{fake.openid_url}\"\n"
        "  service_url_hosts: \"127.0.0.1\"\n"  # the loopback fake stands in for smba.trafficmanager.net
        "  area: sefton\n"
        "  team_areas:\n"
        f"    \"{TEAM_ID}\": st_helens\n"
    )
    port = free_port()
    log = (workdir / "harness.log").open("wb")
    env = {**os.environ, "TEAMS_TEST_PASSWORD": APP_PASSWORD, "TEAMS_TEST_PSEUDONYM_KEY": PSEUDONYM_KEY,
           "PYTHONPATH": str(ROOT),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    process = subprocess.Popen([sys.executable, "-m", "tests.teams.harness", "--port", str(port),
                                "--credentials", str(credentials)],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"the Teams harness exited:\n{(workdir / 'harness.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/webhooks/teams/", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("the Teams harness did not start within 60 s")
            time.sleep(0.2)
        yield Harness(url, fake, workdir / "harness.log")
    finally:
        process.terminate()
        try:
            process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            process.kill()  # Sanic's graceful shutdown waits for idle connections; nothing to save here
            process.wait(timeout=5)
        log.close()


def _replies(fake: FakeMicrosoft, activity: dict, count: int) -> list[Any]:
    got = fake.wait_for_replies(activity["conversation"]["id"], count)
    assert len(got) == count, f"the connector got {len(got)} replies, expected {count}"
    return got


def _agent_saw(harness: Harness, text: str, before: int, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = [r for r in harness.received()[before:] if r["text"] == text]
        if seen:
            return seen[-1]
        time.sleep(0.05)
    raise AssertionError(f"the agent never got {text!r}")


def test_a_message_is_answered_in_its_conversation_with_text_and_a_question_card(harness, fake):
    before = len(harness.received())
    activity = message_activity(fake, "<at>Signpost</at> hello", activity_id="1700000000111")
    status, _ = harness.post(activity)
    assert status == 200

    text_reply, question = _replies(fake, activity, 2)
    # Addressed to the conversation the message came from, under that message.
    conversation = activity["conversation"]["id"]
    assert text_reply.path == f"/connector/v3/conversations/{conversation}/activities/1700000000111"
    for reply in (text_reply, question):
        assert reply.authorization == f"Bearer {ACCESS_TOKEN}"
        assert reply.body["conversation"] == {"id": conversation}
        assert reply.body["replyToId"] == "1700000000111"
        assert reply.body["recipient"] == {"id": activity["from"]["id"]}
        assert reply.body["from"]["id"] == activity["recipient"]["id"]
    # Plain text: the bot's words can never become a link.
    assert text_reply.body["textFormat"] == "plain"
    assert text_reply.body["text"] == "Thank you. [Click here](https://evil.example)"
    # The question is a card whose buttons send the quick-reply payloads back.
    [attachment] = question.body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert_adaptive_card(card)
    assert QUESTION in dynamic_texts(card)
    assert [(a["title"], a["data"]["msteams"]["text"]) for a in submit_actions(card)] == \
        [(b["title"], b["payload"]) for b in BUTTONS]
    # The agent got the words without the @mention, under a pseudonymous id.
    seen = _agent_saw(harness, "hello", before)
    assert seen["input_channel"] == "teams"
    assert activity["from"]["id"] not in seen["sender_id"] and conversation not in seen["sender_id"]
    assert fake.token_requests and fake.token_requests[-1]["client_id"] == [APP_ID]


def test_a_button_press_sends_its_payload_and_the_recommendation_comes_back_as_a_card(harness, fake):
    payload = '/inform{"children_in_household": true}'
    # As Teams sends a messageBack press: the payload as text and in the card data.
    activity = message_activity(fake, payload, value={"signpost_payload": payload})
    before = len(harness.received())
    status, _ = harness.post(activity)
    assert status == 200
    card_reply, closing = _replies(fake, activity, 2)
    _agent_saw(harness, payload, before)

    card = card_reply.body["attachments"][0]["content"]
    assert_adaptive_card(card)
    texts = "\n".join(dynamic_texts(card))
    assert "call 999" in texts
    assert "Guidance version " in texts
    assert "Urgency: " in texts
    # The readable copy is the card's fallback, not a second message.
    assert "text" not in card_reply.body
    assert closing.body["text"] == 'Type "start again" for a new case.'


def test_the_same_person_in_another_conversation_is_another_case(harness, fake):
    senders = []
    for conversation in ("a:conversation-one", "a:conversation-two"):
        before = len(harness.received())
        activity = message_activity(fake, f"hello from {conversation}", conversation_id=conversation)
        harness.post(activity)
        senders.append(_agent_saw(harness, activity["text"], before)["sender_id"])
        _replies(fake, activity, 2)
    assert senders[0] != senders[1]


def test_when_the_agent_fails_the_person_still_gets_a_safe_next_step(harness, fake):
    activity = message_activity(fake, "boom")
    assert harness.post(activity)[0] == 200
    [reply] = _replies(fake, activity, 1)
    assert "call 999" in reply.body["text"]
    assert "safeguarding lead" in reply.body["text"]


def test_a_message_without_words_gets_a_clear_answer_not_silence(harness, fake):
    before_agent = len(harness.received())
    activity = message_activity(fake, "", attachments=[{"contentType": "image/png", "contentUrl": "x"}])
    assert harness.post(activity)[0] == 200
    [reply] = _replies(fake, activity, 1)
    assert "only read typed messages" in reply.body["text"]
    assert len(harness.received()) == before_agent


def test_a_message_over_the_size_limit_is_answered_by_the_channel_not_passed_on(harness, fake):
    before_agent = len(harness.received())
    activity = message_activity(fake, "word " * (MAX_MESSAGE_CHARS // 5 + 1))
    assert harness.post(activity)[0] == 200
    [reply] = _replies(fake, activity, 1)
    assert reply.body["text"] == TOO_LONG
    assert len(harness.received()) == before_agent


def test_a_payload_that_is_not_one_of_ours_is_never_passed_on(harness, fake):
    # A forged button press carrying typed words: Rasa would log and store it.
    payload = f'/inform{{"immediate_danger": "{PERSONAL[0]}"}}'
    before_agent = len(harness.received())
    activity = message_activity(fake, payload, value={"signpost_payload": payload})
    assert harness.post(activity)[0] == 200
    [reply] = _replies(fake, activity, 1)
    assert reply.body["text"] == BAD_PAYLOAD
    assert len(harness.received()) == before_agent


def test_typed_words_that_start_with_a_slash_are_read_as_typed_words(harness, fake):
    before = len(harness.received())
    activity = message_activity(fake, "/ he threatened her")
    assert harness.post(activity)[0] == 200
    _agent_saw(harness, "he threatened her", before)
    _replies(fake, activity, 2)


@pytest.mark.parametrize("case", ["no header", "not bearer", "garbage", "wrong audience", "other service url",
                                  "expired", "unknown key", "wrong issuer", "not endorsed"])
def test_requests_not_signed_by_the_bot_connector_are_refused(harness, fake, case):
    activity = message_activity(fake, "hello")
    token: str | None = {
        "no header": None,
        "garbage": "not-a-jwt",
        "wrong audience": fake.request_token(audience="someone-else"),
        "other service url": fake.request_token(service_url="https://attacker.example/"),
        "expired": fake.request_token(expires_in=-3600),
        "unknown key": fake.request_token(key=new_key(), kid="another-key"),
        "wrong issuer": fake.request_token(issuer="https://login.example"),
        "not endorsed": "valid",
    }.get(case, "valid")
    if case == "not endorsed":
        # A key Microsoft endorses for another channel only.
        fake.endorsements = ("emulator",)
        fake.rotate_key("emulator-only-key")
        token = fake.request_token()
    before_agent = len(harness.received())
    if case == "not bearer":
        request = urllib.request.Request(f"{harness.url}/webhooks/teams/webhook", data=json.dumps(activity).encode(),
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Basic {fake.request_token()}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        status = refused.value.code
    else:
        status, _ = harness.post(activity, token=token)
    if case == "not endorsed":
        fake.endorsements = ("msteams", "emulator")
        fake.rotate_key("signpost-test-key-2")
    assert status == 401
    _assert_ignored(harness, fake, [activity], before_agent)


def _assert_ignored(harness: Harness, fake: FakeMicrosoft, activities: list[dict], before_agent: int) -> None:
    """None of ``activities`` reached the agent or got a reply. Proven without
    waiting a fixed time: a message sent after them into each conversation is
    answered, and by then theirs would have been too (one conversation is one
    queue)."""
    for activity in activities:
        if not activity.get("conversation", {}).get("id"):
            continue
        sentinel = message_activity(fake, "sentinel", conversation_id=activity["conversation"]["id"])
        since = len(fake.replies_in(activity["conversation"]["id"]))
        assert harness.post(sentinel)[0] == 200
        got = fake.wait_for_replies(activity["conversation"]["id"], since + 2)
        assert len(got) == since + 2, "the sentinel was not answered"
        assert all(r.body.get("replyToId") == sentinel["id"] for r in got), "an ignored activity got a reply"
    texts = [r["text"] for r in harness.received()[before_agent:]]
    assert set(texts) <= {"sentinel"}, texts


def test_installing_the_bot_in_a_personal_chat_gets_the_assistants_greeting(harness, fake):
    before = len(harness.received())
    installed = message_activity(fake, "", type="conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}])
    installed["conversation"]["conversationType"] = "personal"
    assert harness.post(installed)[0] == 200
    [reply] = _replies(fake, installed, 1)
    assert reply.body["text"] == INTRO
    assert _agent_saw(harness, "/greet", before)


def test_other_activities_and_bad_bodies_get_no_reply(harness, fake):
    before_agent = len(harness.received())
    update = message_activity(fake, "", type="conversationUpdate", membersAdded=[{"id": "29:someone"}])
    assert harness.post(update)[0] == 200
    assert harness.post(None, raw=b"{not json")[0] == 400
    no_service_url = message_activity(fake, "hello")
    del no_service_url["serviceUrl"]
    assert harness.post(no_service_url, token=fake.request_token())[0] == 401  # claim and activity disagree
    no_sender = message_activity(fake, "hello")
    del no_sender["from"]
    assert harness.post(no_sender)[0] == 400
    in_a_team = message_activity(fake, "", type="conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}])
    in_a_team["conversation"]["conversationType"] = "channel"
    assert harness.post(in_a_team)[0] == 200
    _assert_ignored(harness, fake, [update, no_service_url, no_sender, in_a_team], before_agent)


# ---- fail closed (issue 13 §2): each was accepted before ----

def test_an_activity_that_does_not_say_it_comes_from_teams_is_refused(harness, fake):
    before_agent = len(harness.received())
    refused = []
    for channel in (None, "", "emulator"):
        activity = message_activity(fake, "hello")
        if channel is None:
            del activity["channelId"]
        else:
            activity["channelId"] = channel
        assert harness.post(activity)[0] == 400, channel
        refused.append(activity)
    _assert_ignored(harness, fake, refused, before_agent)


def test_a_token_without_a_service_url_claim_is_refused(harness, fake):
    before_agent = len(harness.received())
    activity = message_activity(fake, "hello")
    assert harness.post(activity, token=fake.request_token(with_service_url=False))[0] == 401
    _assert_ignored(harness, fake, [activity], before_agent)


def test_replies_and_the_access_token_never_go_to_a_host_that_is_not_microsofts(harness, fake):
    # A token whose claim matches: the host itself is refused.
    before_tokens = len(fake.token_requests)
    before_agent = len(harness.received())
    for url in ("https://attacker.example/", "http://127.0.0.2:9/", "https://smba.trafficmanager.net.attacker.example/"):
        activity = message_activity(fake, "hello", serviceUrl=url)
        status, body = harness.post(activity, token=fake.request_token(service_url=url))
        assert status == 400, (url, body)
        assert "Bot Connector hosts" in body, (url, body)
    assert len(fake.token_requests) == before_tokens
    assert len(harness.received()) == before_agent


def test_activities_from_another_tenant_are_refused(harness, fake):
    before_agent = len(harness.received())
    activity = message_activity(fake, "hello")
    activity["channelData"]["tenant"]["id"] = activity["conversation"]["tenantId"] = "another-tenant"
    assert harness.post(activity)[0] == 403
    no_tenant = message_activity(fake, "hello")
    del no_tenant["channelData"], no_tenant["conversation"]["tenantId"]
    assert harness.post(no_tenant)[0] == 403
    _assert_ignored(harness, fake, [activity, no_tenant], before_agent)


def test_the_team_area_or_the_tenant_area_goes_with_each_message(harness, fake):
    before = len(harness.received())
    in_team = message_activity(fake, "<at>Signpost</at> hello team")
    in_team["conversation"].update({"conversationType": "channel", "isGroup": True})
    in_team["channelData"].update({"team": {"id": TEAM_ID}, "channel": {"id": TEAM_ID}})
    assert harness.post(in_team)[0] == 200
    assert _agent_saw(harness, "hello team", before)["metadata"] == {"area": "st_helens"}
    _replies(fake, in_team, 2)
    personal = message_activity(fake, "hello personal")
    assert harness.post(personal)[0] == 200
    assert _agent_saw(harness, "hello personal", before)["metadata"] == {"area": "sefton"}
    _replies(fake, personal, 2)


def test_a_slow_answer_is_preceded_by_a_typing_indicator(harness, fake):
    activity = message_activity(fake, "slow")
    assert harness.post(activity)[0] == 200
    got = _replies(fake, activity, 2)
    kinds = [r.body["type"] for r in got]
    assert kinds[0] == "typing" and kinds[-1] == "message", kinds
    assert got[0].path.endswith("/activities")  # typing answers no particular message
    assert got[-1].body["text"] == "Here is a slow answer."
    fast = message_activity(fake, "hello")
    assert harness.post(fast)[0] == 200
    assert [r.body["type"] for r in _replies(fake, fast, 2)] == ["message", "message"]


def test_nothing_typed_is_logged_by_the_channel(harness, fake):
    text = "My patient {} on {}, NHS number {}, said her partner hit her".format(*PERSONAL)
    for activity in (message_activity(fake, text), message_activity(fake, "boom " + text),
                     message_activity(fake, text, serviceUrl="https://attacker.example/")):
        harness.post(activity)
    refused = message_activity(fake, text)
    harness.post(refused, token="not-a-jwt")
    sentinel = message_activity(fake, "hello")
    harness.post(sentinel)
    _replies(fake, sentinel, 2)
    log = harness.log_path.read_text(errors="replace")
    assert "Teams" in log or "teams" in log  # the log is the channel's, and it is being written
    for secret in PERSONAL:
        assert secret not in log
        assert secret.replace(" ", "") not in log.replace(" ", "")
