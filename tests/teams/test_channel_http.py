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
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

from assistant.stack import free_port

from .card_schema import assert_adaptive_card, dynamic_texts, submit_actions
from .fake_microsoft import ACCESS_TOKEN, APP_ID, APP_PASSWORD, FakeMicrosoft, message_activity, new_key
from .harness import BUTTONS, INTRO, QUESTION

ROOT = Path(__file__).resolve().parents[2]


class Harness:
    def __init__(self, url: str, fake: FakeMicrosoft) -> None:
        self.url = url
        self.fake = fake

    def post(self, activity: Any, token: Optional[str] = "valid", raw: Optional[bytes] = None) -> tuple[int, str]:
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
        f"  token_url: \"{fake.token_url}\"\n"
        f"  openid_metadata_url: \"{fake.openid_url}\"\n"
    )
    port = free_port()
    log = (workdir / "harness.log").open("wb")
    env = {**os.environ, "TEAMS_TEST_PASSWORD": APP_PASSWORD, "PYTHONPATH": str(ROOT),
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
        yield Harness(url, fake)
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


@pytest.mark.parametrize("case", ["no header", "not bearer", "garbage", "wrong audience", "other service url",
                                  "expired", "unknown key", "wrong issuer", "not endorsed"])
def test_requests_not_signed_by_the_bot_connector_are_refused(harness, fake, case):
    activity = message_activity(fake, "hello")
    token: Optional[str] = {
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
        activity["channelId"] = "slack"
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
    assert status == 401
    time.sleep(0.2)
    assert len(harness.received()) == before_agent
    assert fake.replies_in(activity["conversation"]["id"]) == []


def test_installing_the_bot_in_a_personal_chat_gets_the_assistants_greeting(harness, fake):
    before = len(harness.received())
    installed = message_activity(fake, "", type="conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}])
    installed["conversation"]["conversationType"] = "personal"
    assert harness.post(installed)[0] == 200
    [reply] = _replies(fake, installed, 1)
    assert reply.body["text"] == INTRO
    assert _agent_saw(harness, "/greet", before)


def test_other_activities_and_bad_bodies_get_no_reply(harness, fake):
    update = message_activity(fake, "", type="conversationUpdate", membersAdded=[{"id": "29:someone"}])
    assert harness.post(update)[0] == 200
    assert harness.post(None, raw=b"{not json")[0] == 400
    no_service_url = message_activity(fake, "hello")
    del no_service_url["serviceUrl"]
    assert harness.post(no_service_url, token=fake.request_token())[0] == 401  # claim and activity disagree
    no_sender = message_activity(fake, "hello")
    del no_sender["from"]
    assert harness.post(no_sender)[0] == 400
    time.sleep(0.3)
    in_a_team = message_activity(fake, "", type="conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}])
    in_a_team["conversation"]["conversationType"] = "channel"
    assert harness.post(in_a_team)[0] == 200
    time.sleep(0.3)
    for activity in (update, no_service_url, no_sender, in_a_team):
        assert fake.replies_in(activity["conversation"]["id"]) == []
