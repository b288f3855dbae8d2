"""Posts reply activities to the Bot Connector (the serviceUrl Teams gave us).

No Rasa import. Failures are logged without message content (it may describe
a person) and never raised into the conversation.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Mapping

import aiohttp

from .auth import HTTP_TIMEOUT, AuthError, TokenClient

log = logging.getLogger(__name__)

RETRY_STATUSES = {429, 500, 502, 503, 504}
RETRY_DELAY = 1.0  # seconds; one retry only, so a reply is late rather than lost
MAX_RETRY_AFTER = 5.0


class ConnectorClient:
    def __init__(self, tokens: TokenClient) -> None:
        self.tokens = tokens

    async def post(self, url: str, activity: Mapping[str, Any]) -> bool:
        """Sends one activity; True when the connector accepted it."""
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
            for attempt in (1, 2):
                try:
                    headers = await self.tokens.authorization(session)
                    async with session.post(url, json=dict(activity), headers=headers) as response:
                        status = response.status
                        retry_after = response.headers.get("Retry-After", "")
                        await response.read()
                except AuthError as exc:
                    log.error("Teams reply not sent: %s", exc)
                    return False
                except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                    status, retry_after = None, ""
                    log.warning("Teams reply attempt %d failed: %s", attempt, type(exc).__name__)
                if status is not None and 200 <= status < 300:
                    return True
                if status == 401:
                    self.tokens.forget()  # revoked or rotated: get a fresh one and try again
                elif status is not None and status not in RETRY_STATUSES:
                    break
                elif attempt == 1:
                    await asyncio.sleep(_delay(retry_after))
        log.error("Teams reply not sent: the connector answered %s", status)
        return False


def _delay(retry_after: str) -> float:
    try:
        return min(max(float(retry_after), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return RETRY_DELAY
