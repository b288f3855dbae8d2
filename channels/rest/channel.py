"""SignpostRestInput: Rasa's REST channel, with every request checked before Rasa sees it.

Same request and response as Rasa's ``/webhooks/rest/webhook``
(``{"sender", "message", "metadata"}`` → a list of bot messages), served at
``/webhooks/signpost/webhook``. What it adds, and why:

- a sender id of a sane shape is required: Rasa's channel files a missing
  sender under one shared ``default`` conversation, so strangers saw each
  other's facts;
- a non-object or empty body gets a 400 with a message (Rasa: a 500);
- a message over the size limit gets a clear reply at once (Rasa: minutes of
  work that blocked everyone);
- a sender that floods is told to slow down (429);
- a "/" message that is not a well-formed button payload is never passed on,
  so Rasa does not log or store it;
- failures are logged without the text (Rasa logs it in full);
- when the action server cannot be reached, the person is told to send the
  message again, and the half-processed turn is rewound, so the conversation
  carries on from the last answer that was applied (Rasa: ``200 []`` and a
  silently lost answer).

The channel is where this lives because it is the one place that sees both
the request and the whole turn's outcome, and it needs no change to Rasa.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant import log_privacy
from channels.rest.checks import ACTIONS_DOWN, RATE_LIMITED, Accepted, PayloadRules, RateLimiter, check_request
from channels.webhook import webhook_blueprint

log_privacy.install()   # the Rasa server imports this module when it reads credentials.yml
log = logging.getLogger(__name__)


def _reply(sender: str, text: str) -> list[dict[str, Any]]:
    return [{"recipient_id": sender, "text": text}]


async def _actions_reachable(agent: Any) -> bool:
    endpoint = getattr(agent, "action_endpoint", None)
    url = getattr(endpoint, "url", None)
    if not url:
        return True
    health = url.rsplit("/", 1)[0] + "/health"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            async with session.get(health) as answer:
                return answer.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        return False


async def rewind_turn(agent: Any, sender: str, message_id: str) -> bool:
    """Puts back the slots and active form as they were before the turn of
    ``message_id``, so nothing half-applied remains; only when that message is
    the latest. (Rasa's own UserUtteranceReverted cannot be used: inside an
    active form its replay drops the form's earlier turns and every slot.)"""
    async with agent.lock_store.lock(sender):
        tracker = await agent.tracker_store.retrieve(sender)
        if tracker is None:
            return False
        events = list(tracker.events)
        index = next((i for i in range(len(events) - 1, -1, -1) if isinstance(events[i], UserUttered)), None)
        if index is None or events[index].message_id != message_id:
            return False
        before = DialogueStateTracker.from_events(sender, events[:index], agent.domain.slots)
        restore: list[Any] = [SlotSet(name, before.get_slot(name)) for name in tracker.slots
                              if before.get_slot(name) != tracker.get_slot(name)]
        loop_before = (before.active_loop or {}).get("name")
        if loop_before != (tracker.active_loop or {}).get("name"):
            restore.append(ActiveLoop(loop_before))
        if restore:
            tracker.update_with_events(restore, agent.domain)
            await agent.tracker_store.save(tracker)
        return True


class SignpostRestInput(RestInput):
    def __init__(self, rate: float = 2.0, burst: int = 20) -> None:
        self.rules = PayloadRules()
        self.limiter = RateLimiter(rate=float(rate), burst=int(burst))

    @classmethod
    def name(cls) -> str:
        return "signpost"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SignpostRestInput:
        credentials = credentials or {}
        return cls(rate=credentials.get("rate_per_second", 2.0), burst=credentials.get("burst", 20))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = webhook_blueprint("signpost_rest")

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            checked = check_request(request.body or b"", self.rules)
            if not isinstance(checked, Accepted):
                if checked.status == 400:
                    return response.json({"error": checked.reason}, status=400)
                return response.json(_reply("", checked.reason))
            if not self.limiter.allow(checked.sender):
                return response.json(_reply(checked.sender, RATE_LIMITED), status=429,
                                     headers={"Retry-After": "2"})
            return response.json(await self.handle(request, on_new_message, checked))

        return hook

    async def handle(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                     checked: Accepted) -> list[dict[str, Any]]:
        collector = CollectingOutputChannel()
        message = UserMessage(checked.message, collector, checked.sender,
                              input_channel=self.name(), metadata=checked.metadata)
        lost = log_privacy.watch_lost_events()
        failed = False
        try:
            await on_new_message(message)
        except asyncio.CancelledError:
            failed = True
            log.error("signpost.rest.timeout: the message was not processed in time")
        except Exception as exc:   # logged without the text: it may describe a person
            failed = True
            log.error("signpost.rest.failure: %s", type(exc).__name__)
        agent = getattr(request.app.ctx, "agent", None)
        if lost or failed or (not collector.messages and agent is not None
                              and not await _actions_reachable(agent)):
            if agent is not None:
                try:
                    await rewind_turn(agent, checked.sender, message.message_id)
                except Exception as exc:
                    log.error("signpost.rest.rewind_failed: %s", type(exc).__name__)
            return _reply(checked.sender, ACTIONS_DOWN)
        return collector.messages
