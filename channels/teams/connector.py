"""Posts reply activities to the Bot Connector (the serviceUrl Teams gave us).

No Rasa import. Failures are logged without message content (it may describe
a person) and never raised into the conversation.

Microsoft asks bots to retry 412, 429, 502 and 504 with exponential backoff
and to honour ``Retry-After``; 500 and 503 are transient too. A reply that is
late is better than a reply that is lost, but a turn must not hang for
minutes, so attempts and waits are capped.
"""
from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp

from .auth import HTTP_TIMEOUT, AuthError, TokenClient

log = logging.getLogger(__name__)

RETRY_STATUSES = {412, 429, 500, 502, 503, 504}
MAX_ATTEMPTS = 5
BACKOFF_BASE = 0.5   # seconds before the second attempt (before jitter); doubles each time
BACKOFF_CAP = 8.0    # no single backoff wait longer than this
MAX_RETRY_AFTER = 20.0  # a Retry-After beyond this is not waited for: the reply is dropped and logged


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds to wait: either delay-seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def backoff_delay(attempt: int, retry_after: float | None, rand: Callable[[], float] = random.random) -> float:
    """The wait before attempt ``attempt + 1``: exponential with full jitter,
    but never shorter than what the connector asked for in Retry-After."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1)))
    jittered = ceiling * (0.5 + rand() / 2)  # half fixed, half random: never a zero wait
    return max(jittered, retry_after or 0.0)


class ConnectorClient:
    def __init__(self, tokens: TokenClient, *, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                 rand: Callable[[], float] = random.random, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.tokens = tokens
        self.sleep = sleep
        self.rand = rand
        self.max_attempts = max_attempts

    async def post(self, url: str, activity: Mapping[str, Any]) -> bool:
        """Sends one activity; True when the connector accepted it."""
        status: int | None = None
        renewed = False
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
            for attempt in range(1, self.max_attempts + 1):
                retry_after: float | None = None
                try:
                    headers = await self.tokens.authorization(session)
                    async with session.post(url, json=dict(activity), headers=headers) as response:
                        status = response.status
                        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                        await response.read()
                except AuthError as exc:
                    log.error("Teams reply not sent: %s", exc)
                    return False
                except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                    status = None
                    log.warning("Teams reply attempt %d failed: %s", attempt, type(exc).__name__)
                if status is not None and 200 <= status < 300:
                    return True
                if status == 401 and not renewed:
                    self.tokens.forget()  # revoked or rotated: get a fresh one and try again at once
                    renewed = True
                    continue
                if status is not None and status not in RETRY_STATUSES:
                    break
                if attempt == self.max_attempts:
                    break
                if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                    log.error("Teams reply not sent: the connector asked to wait %.0f s", retry_after)
                    return False
                await self.sleep(backoff_delay(attempt, retry_after, self.rand))
        log.error("Teams reply not sent: the connector answered %s", status)
        return False
