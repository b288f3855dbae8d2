"""A manual check of the Teams channel inside the real Rasa server (not run by pytest).

Starts the action server and ``rasa run`` with a credentials file naming
``channels.teams.channel.TeamsInput`` (pointed at the loopback fake of
Microsoft), trains first if the model is stale, then holds a short
conversation as Teams would and prints what the fake connector received.
About a minute on two cores, so it is not part of ``make test``.

    .venv/bin/python -m tests.teams.smoke_real_rasa
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Optional

from assistant import PROJECT_ROOT
from assistant.model_cache import subprocess_env, train_if_stale
from assistant.stack import free_port, wait_until_healthy

from .card_schema import assert_adaptive_card, submit_actions
from .fake_microsoft import APP_ID, APP_PASSWORD, FakeMicrosoft, message_activity

CONVERSATION = "a:smoke-conversation"


def _show(fake: FakeMicrosoft, since: int) -> list[dict[str, Any]]:
    bodies = [r.body for r in fake.replies_in(CONVERSATION)[since:]]
    for body in bodies:
        if "text" in body:
            print("  text:", body["text"][:160].replace("\n", " / "))
        for attachment in body.get("attachments", []):
            card = attachment["content"]
            assert_adaptive_card(card)
            print(f"  card ({len(json.dumps(card))} bytes), buttons:", [a["title"] for a in submit_actions(card)])
    return bodies


def main() -> None:
    fake = FakeMicrosoft().start()
    workdir = Path(tempfile.mkdtemp(prefix="teams-smoke-"))
    credentials = workdir / "credentials.yml"
    credentials.write_text(
        "rest:\nchannels.teams.channel.TeamsInput:\n"
        f"  app_id: \"{APP_ID}\"\n  app_password: \"{APP_PASSWORD}\"\n"
        f"  token_url: \"{fake.token_url}\"\n  openid_metadata_url: \"{fake.openid_url}\"\n")
    model = train_if_stale()
    actions_port, rasa_port = free_port(), free_port()
    env = subprocess_env({"SIGNPOST_ACTIONS_URL": f"http://localhost:{actions_port}/webhook",
                          "SIGNPOST_TRACKER_DB": str(workdir / "tracker.db"), "PYTHONPATH": str(PROJECT_ROOT)})
    commands = [
        [sys.executable, "-m", "rasa_sdk", "--actions", "assistant.actions", "--port", str(actions_port)],
        [sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(rasa_port), "--interface",
         "127.0.0.1", "--endpoints", "endpoints.yml", "--credentials", str(credentials)],
    ]
    processes = [subprocess.Popen(c, cwd=PROJECT_ROOT, env=env, stdout=(workdir / f"{i}.log").open("wb"),
                                  stderr=subprocess.STDOUT, start_new_session=True) for i, c in enumerate(commands)]
    try:
        wait_until_healthy(f"http://localhost:{actions_port}/health", processes[0], timeout=240)
        wait_until_healthy(f"http://localhost:{rasa_port}/webhooks/teams/", processes[1], timeout=300)

        def say(text: str, payload: Optional[str] = None, replies: int = 1) -> list[dict[str, Any]]:
            since = len(fake.replies_in(CONVERSATION))
            activity = message_activity(fake, text, conversation_id=CONVERSATION,
                                        value={"signpost_payload": payload} if payload else None)
            request = urllib.request.Request(f"http://127.0.0.1:{rasa_port}/webhooks/teams/webhook",
                                             data=json.dumps(activity).encode(),
                                             headers={"Content-Type": "application/json",
                                                      "Authorization": f"Bearer {fake.request_token()}"})
            with urllib.request.urlopen(request, timeout=30) as response:
                print(f"> {payload or text!r}: HTTP {response.status}")
            deadline = time.monotonic() + 60
            while len(fake.replies_in(CONVERSATION)) < since + replies and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.0)  # let the rest of the turn arrive
            return _show(fake, since)

        say("hello", replies=2)
        bodies = say("Patient disclosed her partner hit her last night, two kids at home", replies=2)
        cards = [a["content"] for b in bodies for a in b.get("attachments", [])]
        show = [a for c in cards for a in submit_actions(c) if a["data"]["signpost_payload"] == "/show_advice"]
        assert show, "the question card has no 'Show the advice now' button"
        bodies = say(show[0]["data"]["msteams"]["text"], payload="/show_advice", replies=2)
        assert any("Recommended next steps" == b.get("summary") for b in bodies), "no recommendation card"
        print("OK: the Teams channel works inside the real Rasa server")
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in processes:
            process.wait(timeout=30)
        fake.stop()


if __name__ == "__main__":
    main()
