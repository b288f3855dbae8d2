"""Signpost in Microsoft's own Teams client: the Microsoft 365 Agents Playground.

``@microsoft/m365agentsplayground`` (pinned in package.json, installed by
``make install``; nothing is downloaded here) emulates Teams on loopback: it
posts Bot Framework activities to the bot's endpoint, runs a mock Bot
Connector at its own ``/_connector`` for the replies, and streams what the
bot sent on a websocket. It sends no JWT, so the Teams channel runs with
``validate_jwt: false``, which only ever replies to this machine; the token
path is covered against the fake of Microsoft (test_channel_http.py).

One real Rasa server and action server, the Teams channel loaded from a
credentials file, and the Playground:

1. install in a personal chat -> the welcome;
2. a whole triage to the recommendation card, by typing and by pressing the
   cards' buttons (``POST /_conversation/v1/submit``, as a click would);
3. a knowledge question;
4. a message in a team's channel with an @mention, answered in its thread,
   and the team's own area (configuration maps the team to st_helens);
5. nothing typed ends up in the tracker store or the logs.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from assistant.stack import Stack, free_port, start_stack

from .card_schema import assert_adaptive_card, dynamic_texts, submit_actions, text_blocks, walk
from .fake_microsoft import PSEUDONYM_KEY
from .rasa_turns import teams_sender, user_turns, wait_for_turns

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND = ROOT / "node_modules" / ".bin" / "agentsplayground"
# The Playground's built-in mock tenant, users, chats and team (its /_internal/v1/config).
TENANT = "00000000-0000-0000-0000-0000000000001"
USER = "user-id-0"
TEAM = "team-id"
PERSONAL_AREA, TEAM_AREA = "sefton", "st_helens"
# Made up, in the shapes a person might type: they must not be kept anywhere.
NAME, PHONE, NHS = "Zebedee Quartermaine", "07700 900461", "943 476 5919"


class Playground:
    """The running Playground: its HTTP API and the replies it streamed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.events: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="playground-ws", daemon=True)
        self._thread.start()
        if not self._connected.wait(30):
            raise RuntimeError("could not open the Playground's websocket")
        self.config = self._get("/_internal/v1/config")["config"]

    # ---- websocket ----
    def _listen(self) -> None:
        async def run() -> None:
            ws_url = self.url.replace("http://", "ws://") + "/_ws_conversation/v1/conversations/stream"
            async with websockets.connect(ws_url, max_size=None) as ws:
                self._connected.set()
                while not self._stop.is_set():
                    try:
                        raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
                    except asyncio.TimeoutError:
                        continue
                    with self._cond:
                        self.events.append(json.loads(raw))
                        self._cond.notify_all()
        asyncio.run(run())

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def bot_messages(self, since: int = 0, conversation_prefix: str | None = None) -> list[dict[str, Any]]:
        with self._cond:
            events = list(self.events[since:])
        bot = self.config["bot"]["id"]
        return [e["message"] for e in events if e.get("action") == "createMessage"
                and e["message"].get("from", {}).get("id") == bot
                and (conversation_prefix is None or e.get("actionConversationId", "").startswith(conversation_prefix))]

    def mark(self) -> int:
        with self._cond:
            return len(self.events)

    # ---- HTTP ----
    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.loads(response.read())

    def post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            data = response.read()
        return json.loads(data) if data else None


def _wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Playground exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the Playground did not answer within {timeout:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("playground")


@pytest.fixture(scope="module")
def stack(workdir: Path) -> Iterator[Stack]:
    credentials = workdir / "credentials.yml"
    credentials.write_text(
        "rest:\n"
        "channels.teams.channel.TeamsInput:\n"
        "  validate_jwt: false\n"  # the Playground sends no token; replies then only go to this machine
        f'  tenant_id: "{TENANT}"\n'
        f'  pseudonym_key: "{PSEUDONYM_KEY}"\n'
        f"  area: {PERSONAL_AREA}\n"
        f'  team_areas:\n    "{TEAM}": {TEAM_AREA}\n'
    )
    stack = start_stack(rasa_port=free_port(), actions_port=free_port(), with_web=False,
                        tracker_db=workdir / "tracker.db", log_dir=workdir / "logs", credentials=credentials)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def playground(stack: Stack, workdir: Path) -> Iterator[Playground]:
    assert PLAYGROUND.exists(), "run `make install` (npm ci) for the Agents Playground"
    port = free_port()
    log_path = workdir / "playground.log"
    log = log_path.open("wb")
    home = workdir / "home"
    home.mkdir()
    process = subprocess.Popen(
        [str(PLAYGROUND), "--app-endpoint", f"{stack.rasa_url}/webhooks/teams/webhook", "--channel-id", "msteams",
         "--port", str(port), "--disable-telemetry"],
        cwd=workdir, env={**os.environ, "HOME": str(home)}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    client: Playground | None = None
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for_http(f"{url}/_debug/ping", process, log_path)
        client = Playground(url)
        yield client
    finally:
        if client is not None:
            client.close()
        _stop(process)
        log.close()


# ---- a conversation, as a person in Teams has it ----

class Chat:
    """One Teams conversation driven through the Playground, turn by turn."""

    def __init__(self, playground: Playground, stack: Stack, conversation_id: str) -> None:
        self.playground = playground
        self.stack = stack
        self.conversation_id = conversation_id
        self.sender = teams_sender(conversation_id, USER)
        try:
            self.turns = user_turns(stack.tracker(self.sender))
        except (urllib.error.URLError, OSError, ValueError):
            self.turns = 0

    def _turn(self, send: Any) -> list[dict[str, Any]]:
        since = self.playground.mark()
        send()
        self.turns += 1
        wait_for_turns(self.stack, self.sender, self.turns)
        return self.replies_since(since)

    def replies_since(self, since: int, at_least: int = 1, timeout: float = 15.0) -> list[dict[str, Any]]:
        """The bot's messages in this conversation since ``since``: Rasa has saved the turn, so they were
        all posted; the Playground streams them moments later."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.playground.bot_messages(since, self.conversation_id.split(";")[0])
            if len(got) >= at_least or time.monotonic() > deadline:
                return got
            time.sleep(0.05)

    def install(self) -> list[dict[str, Any]]:
        return self._turn(lambda: self.playground.post(f"/_debug/conversation/{self.conversation_id}/installation",
                                                       {}))

    def type(self, text: str) -> list[dict[str, Any]]:
        return self._turn(lambda: self.playground.post(
            f"/_conversation/v1/conversations/{self.conversation_id}/messages",
            {"from": {"id": USER}, "text": text, "textFormat": "plain"}))

    def press(self, card_message: dict[str, Any], action: dict[str, Any]) -> list[dict[str, Any]]:
        """What Teams does when the button is clicked: the card's Action.Submit data comes back as the value."""
        return self._turn(lambda: self.playground.post("/_conversation/v1/submit", {
            "conversation": {"id": self.conversation_id}, "from": {"id": USER},
            "replyToId": card_message["messageId"], "value": action["data"]}))


def _cards(messages: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    found = []
    for message in messages:
        for attachment in message.get("attachments") or []:
            assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
            assert_adaptive_card(attachment["content"])
            found.append((message, attachment["content"]))
    return found


def _recommendation(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The recommendation: its card, or its cards (a long one is split under Teams' size limit)
    joined into one body, in the order they came."""
    pages = [card for _, card in _cards(messages)
             if any(t.startswith("Recommended next steps") for t in text_blocks(card))]
    if not pages:
        return None
    return {**pages[0], "body": [element for page in pages for element in page["body"]], "pages": len(pages)}


def _words(messages: list[dict[str, Any]]) -> str:
    parts = []
    for message in messages:
        parts.append(message.get("text") or "")
        for attachment in message.get("attachments") or []:
            parts += [n.get("text", "") for n in walk(attachment.get("content")) if isinstance(n.get("text"), str)]
    return "\n".join(parts)


def _answer_buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in submit_actions(card) if a["data"]["signpost_payload"].startswith("/inform")]


def _area_of(card: dict[str, Any]) -> str:
    [line] = [t for t in dynamic_texts(card) if t.startswith("Guidance version")]
    return line.rsplit("area ", 1)[-1] if "area " in line else ""


def _triage(chat: Chat, replies: list[dict[str, Any]], max_steps: int = 25,
            presses: list[str] | None = None) -> dict[str, Any]:
    """Answers the question cards by pressing their buttons until the recommendation card comes."""
    for _ in range(max_steps):
        card = _recommendation(replies)
        if card is not None:
            return card
        questions = [(m, c) for m, c in _cards(replies) if submit_actions(c)]
        assert questions, f"no question card and no recommendation: {_words(replies)!r}"
        message, question = questions[-1]
        buttons = _answer_buttons(question) or submit_actions(question)
        # "No" where offered (a cautious answer that keeps the triage going), else the first answer.
        choice = next((b for b in buttons if b["title"] == "No"), buttons[0])
        if presses is not None:
            presses.append(choice["title"])
        replies = chat.press(message, choice)
    raise AssertionError("the triage did not reach a recommendation")


def _stored_and_logged(workdir: Path) -> tuple[str, str]:
    """Everything in the tracker store and in every log the stack wrote."""
    with sqlite3.connect(workdir / "tracker.db") as db:
        stored = "\n".join(str(row) for table, in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                           for row in db.execute(f'SELECT * FROM "{table}"'))
    logs = "\n".join(p.read_text(errors="replace") for p in (workdir / "logs").glob("*.log"))
    return stored, logs


# ---- the tests ----

def test_signpost_in_the_agents_playground(playground: Playground, stack: Stack, workdir: Path) -> None:
    personal = Chat(playground, stack, playground.config["personalChat"]["id"])

    # 1. Installed in a personal chat: the assistant's own welcome.
    welcome = personal.install()
    assert welcome, "no welcome after installing"
    assert "name" in _words(welcome).lower()  # the greeting says no names are needed

    # 2. A triage: described by typing, a question answered by typing, the rest by pressing buttons.
    described = personal.type(f"My patient {NAME} ({PHONE}, NHS number {NHS}) told me her partner hit her "
                              "last night and there are two kids at home")
    assert _cards(described), f"no question card: {_words(described)!r}"
    typed_answer = personal.type("no")
    assert typed_answer, "a typed answer got no reply"
    presses: list[str] = []
    recommendation = _triage(personal, typed_answer, presses=presses)
    assert presses, "no card button was pressed on the way"
    tracker = stack.tracker(personal.sender)
    assert user_turns(tracker) == 2 + 1 + len(presses)  # welcome, description, typed answer, presses
    words = " ".join(dynamic_texts(recommendation))
    assert dynamic_texts(recommendation)[0].startswith("If someone is in danger right now")  # the 999 line first
    assert "Urgency: " in words and "Guidance version" in words
    assert "Do this first" in text_blocks(recommendation)  # the card at a glance, as the widget shows it
    assert _area_of(recommendation) == PERSONAL_AREA

    # 3. A knowledge question in the same chat.
    answer = personal.type("what is a MARAC?")
    assert "MARAC" in _words(answer) and "rather not guess" not in _words(answer)

    # 4. In a team's channel, with an @mention: answered in the message's thread, with the team's area.
    since = playground.mark()
    bot = playground.config["bot"]
    posted = playground.post(f"/_conversation/v1/conversations/{TEAM}/messages", {
        "from": {"id": USER},
        "text": f"<at>{bot['name']}</at> a colleague told me her ex-partner threatened her yesterday",
        "textFormat": "plain",
        "mentions": [{"mentioned": {"id": bot["id"]}, "text": f"<at>{bot['name']}</at>"}]})
    thread = Chat(playground, stack, posted["postConversationId"])
    thread.turns = 1
    tracker = wait_for_turns(stack, thread.sender, 1)
    [said] = [e for e in tracker["events"] if e.get("event") == "user"]
    assert "<at>" not in (said.get("text") or "")  # the @mention was taken off
    assert said["metadata"]["area"] == TEAM_AREA
    in_thread = thread.replies_since(since)
    assert in_thread, "no reply in the channel thread"
    team_card = _recommendation(in_thread) or _triage(thread, in_thread)
    print(f"Playground: {len(presses)} presses in the personal chat ({', '.join(presses)})")
    assert _area_of(team_card) == TEAM_AREA

    # 5. Nothing typed is kept: not in the tracker store, not in any log the stack wrote.
    stored, logs = _stored_and_logged(workdir)
    assert personal.sender in stored and "recommendation" in stored  # the search looks where the turns went
    assert "teams" in logs.lower() and len(logs) > 1000
    for secret in (NAME, PHONE, NHS, "Quartermaine"):
        assert secret not in stored, f"{secret!r} is in the tracker store"
        assert secret not in logs, f"{secret!r} is in a log"
        assert secret.replace(" ", "") not in stored.replace(" ", "")


def test_a_knowledge_question_with_personal_details_is_not_kept_on_the_teams_path(
        playground: Playground, stack: Stack, workdir: Path) -> None:
    chat = Chat(playground, stack, playground.config["personalChat"]["id"])
    answer = chat.type(f"what is MARAC? asking for {NAME}, NHS {NHS}")
    assert answer and NAME not in _words(answer) and NHS not in _words(answer)  # not echoed to Teams
    stored, logs = _stored_and_logged(workdir)
    for secret in (NAME, NHS):
        assert secret not in logs, f"{secret!r} is in a log"
        assert secret not in stored, f"{secret!r} is in the tracker store"
