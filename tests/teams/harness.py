"""A Sanic server that loads the Teams channel exactly as ``rasa run`` does
(from a credentials file, registered under /webhooks/), with a scripted agent
in place of a trained model so the channel test needs no training.

The agent replies the way Rasa's processor does, through
``output_channel.send_response(sender_id, message)`` with Rasa's message
dicts (text, buttons, custom), and records what it was given at
GET /harness/received.

    python -m tests.teams.harness --port PORT --credentials FILE
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from assistant import PROJECT_ROOT
from assistant.guidance import decide, load_guidance, render_text

QUESTION = "Do any children live in the household, or were any present?"
BUTTONS = [
    {"title": "Yes", "payload": '/inform{"children_in_household": true}'},
    {"title": "No", "payload": '/inform{"children_in_household": false}'},
    {"title": "Not sure", "payload": '/inform{"children_in_household": null}'},
    {"title": "Why do you ask?", "payload": "/why_ask"},
    {"title": "Show the advice now", "payload": "/show_advice"},
    {"title": "[Start again](https://evil.example)", "payload": "/restart"},
]
FACTS = {"recent_incident": True, "children_in_household": True, "dash_score": 15}
SLOW_TURN = 2.5  # seconds; the channel shows "typing" after 1 s
INTRO = "Hello, I'm Signpost. I never need anyone's name, so please leave names out."


def rasa_message(**fields: Any) -> dict[str, Any]:
    """A bot message as Rasa's processor hands it over (BotUttered.message())."""
    message: dict[str, Any] = {"text": None, "elements": None, "quick_replies": None, "buttons": None,
                               "attachment": None, "image": None, "custom": None, "timestamp": time.time()}
    message.update(fields)
    return message


class ScriptedAgent:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.guidance = load_guidance(Path(PROJECT_ROOT) / "pathways", area="sefton")

    async def handle_message(self, message: Any) -> None:
        self.received.append({"text": message.text, "sender_id": message.sender_id,
                              "input_channel": message.input_channel, "metadata": message.metadata})
        out = message.output_channel
        if message.text.startswith("boom"):
            # Exceptions may quote what was typed; the channel must not log it.
            raise RuntimeError(f"the agent failed on {message.text!r}")
        if message.text == "slow":
            # A turn as slow as a first model load or a long knowledge search.
            await asyncio.sleep(SLOW_TURN)
            await out.send_response(message.sender_id, rasa_message(text="Here is a slow answer."))
            return
        if message.text == "/greet":
            await out.send_response(message.sender_id, rasa_message(text=INTRO))
            return
        if message.text.startswith("/inform"):
            rec = decide(self.guidance, FACTS)
            await out.send_response(message.sender_id, rasa_message(text=render_text(rec), custom=rec.to_json()))
            await out.send_response(message.sender_id, rasa_message(text="Type \"start again\" for a new case."))
            return
        await out.send_response(message.sender_id, rasa_message(text="Thank you. [Click here](https://evil.example)"))
        await out.send_response(message.sender_id, rasa_message(text=QUESTION, buttons=[dict(b) for b in BUTTONS]))


def build_app(credentials: str) -> Any:
    # Imported here: the test module imports this file for its constants only.
    from rasa.core.channels import channel as rasa_channel
    from rasa.core.run import create_http_input_channels
    from sanic import Sanic, response

    app = Sanic("teams_harness")
    app.ctx.agent = ScriptedAgent()
    rasa_channel.register(create_http_input_channels(None, credentials), app, route="/webhooks/")

    @app.get("/harness/received")
    async def received(request: Any) -> Any:
        return response.json(app.ctx.agent.received)

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--credentials", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    build_app(args.credentials).run(host="127.0.0.1", port=args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
