"""What the Signpost REST channel accepts, decided before Rasa sees a message.

The message's text passes the checks every channel shares (channels/input_checks.py);
this module adds what only a REST request has: its body, sender id and metadata,
and a rate limit per sender. Pure Python (no Rasa import); every refusal carries a
sentence a person or a client developer can act on and never quotes what was sent.
"""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from channels.input_checks import MAX_MESSAGE_CHARS, TOO_LONG, PayloadRules, Refused, check_text

# A JSON body is the message plus a sender id and a little metadata.
MAX_BODY_BYTES = 4 * MAX_MESSAGE_CHARS + 4096

# Random ids from the widget are "web-" + 32 hex digits; Teams and tests use
# similar shapes. No shared default: a missing id is refused, never guessed.
SENDER_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")

BAD_BODY = "The request body must be a JSON object such as {\"sender\": \"<id>\", \"message\": \"<text>\"}."
BAD_SENDER = ("The request needs a \"sender\": a conversation id of 8 to 64 letters, digits, \"-\" or \"_\" "
              "(for example a random id the client makes once per conversation).")
BAD_MESSAGE = "The \"message\" must be text."
BAD_METADATA = "The \"metadata\", when given, must be a JSON object."
RATE_LIMITED = "You're sending messages faster than I can answer. Please wait a few seconds and send it again."
ACTIONS_DOWN = "I couldn't process that just now — please send it again."


@dataclass(frozen=True)
class Accepted:
    sender: str
    message: str
    metadata: dict[str, Any] | None


def check_request(body: bytes, rules: PayloadRules) -> Accepted | Refused:
    """Reads a request body the way Rasa's REST channel would, refusing what it must not pass on."""
    if len(body) > MAX_BODY_BYTES:
        return Refused(200, TOO_LONG)
    try:
        data = json.loads(body) if body.strip() else None
    except (ValueError, RecursionError):
        return Refused(400, BAD_BODY)
    if not isinstance(data, dict):
        return Refused(400, BAD_BODY)
    sender = data.get("sender")
    if not isinstance(sender, str) or not SENDER_ID.fullmatch(sender):
        return Refused(400, BAD_SENDER)
    message = data.get("message")
    if not isinstance(message, str):
        return Refused(400, BAD_MESSAGE)
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return Refused(400, BAD_METADATA)
    text = check_text(message, rules)
    if isinstance(text, Refused):
        return text
    return Accepted(sender, text, metadata)


class RateLimiter:
    """A token bucket per sender: ``burst`` messages at once, then ``rate`` a
    second. A person clicking and typing never reaches it; a script flooding
    one conversation does, and is told to slow down instead of queueing work
    that holds the conversation lock for everyone after it."""

    def __init__(self, rate: float = 1.0, burst: int = 8, max_senders: int = 10000) -> None:
        self.rate, self.burst, self.max_senders = rate, float(burst), max_senders
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, sender: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(sender, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[sender] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > self.max_senders:   # forget full buckets: memory stays bounded
                full = [s for s, (t, at) in self._buckets.items() if t + (now - at) * self.rate >= self.burst]
                for stale in full:
                    self._buckets.pop(stale, None)
            return allowed
