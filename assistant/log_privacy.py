"""Keeps what a person typed out of every log line, in the Rasa server and the action server.

Rasa logs user text in a few places: structlog events such as
``rest.message.received.failure`` carry ``"text": …`` (and, rendered as JSON,
tracebacks with every local variable), ``message.parsing.failed`` carries
``user_text``, and the "Failed to parse arguments in line '…'" warning quotes
a whole payload. A logger-level filter would miss records from child loggers
and a handler filter would miss handlers configured later, so ``install()``
wraps the log-record factory: every record, from any logger, is scrubbed when
it is made. Warnings are routed into logging so they are scrubbed too.

Installed at import time of channels/rest (Rasa server: the channel is loaded
from credentials.yml) and of assistant/actions/answer_question.py (action
server: rasa_sdk imports every module of the actions package).

It also notices Rasa's "actions events are lost" error, so the channel can
tell the person their message was not applied (see ``watch_lost_events``).
"""
from __future__ import annotations

import contextvars
import json
import logging
import re
import traceback
from typing import Any

NOT_LOGGED = "[not logged]"

# Keys of structlog events that may hold user text (Rasa's own anonymisable
# keys, plus the tracebacks' locals and exception messages).
TEXT_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
    "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
    "json_message", "parse_data", "tracker", "events", "metadata", "exc_value", "locals", "value",
})
# Plain log lines that quote a message: (pattern, what is logged instead).
_QUOTING = [
    (re.compile(r"Failed to parse arguments in line .*", re.DOTALL),
     f"Failed to parse arguments in a message: {NOT_LOGGED}"),
    (re.compile(r"Received user message .*", re.DOTALL), f"Received user message {NOT_LOGGED}"),
    (re.compile(r"(Failed to interpret|Unknown intent|could not be parsed|parse the message).*", re.DOTALL),
     f"A message could not be parsed: {NOT_LOGGED}"),
]
LOST_EVENTS = "actions events are lost"

_lost_events: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar("signpost_lost", default=None)


def watch_lost_events() -> list[bool]:
    """Starts watching, in the current task, for Rasa's "actions events are
    lost" error; the returned list becomes non-empty when it is logged."""
    flag: list[bool] = []
    _lost_events.set(flag)
    return flag


def _scrub_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (NOT_LOGGED if k in TEXT_KEYS else _scrub_value(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_value(v) for v in value]
    return value


def scrub_message(message: str) -> str:
    """A log message with any user text taken out."""
    stripped = message.strip()
    if stripped.startswith("{"):
        try:
            event = json.loads(stripped)
        except ValueError:
            event = None
        if isinstance(event, dict):
            return json.dumps(_scrub_value(event), ensure_ascii=True)
    for pattern, instead in _QUOTING:
        if pattern.search(message):
            return pattern.sub(instead.replace("\\", "\\\\"), message)
    return message


def _safe_traceback(exc_info: Any) -> str:
    """The traceback's frames and the exception's type, not its message (it may quote a value)."""
    exc_type, _, tb = exc_info
    frames = "".join(traceback.format_list(traceback.extract_tb(tb)))
    return f"Traceback (most recent call last):\n{frames}{getattr(exc_type, '__name__', exc_type)}: {NOT_LOGGED}"


class PrivacyFilter(logging.Filter):
    """Scrubs a record in place; never drops one (an operator still sees that something happened)."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


def scrub_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:   # a bad format string: keep the template only
        message = str(record.msg)
    if LOST_EVENTS in message:
        flag = _lost_events.get()
        if flag is not None:
            flag.append(True)
    scrubbed = scrub_message(message)
    if scrubbed != message or record.args:
        record.msg, record.args = scrubbed, ()
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = _safe_traceback(record.exc_info)
    if record.stack_info:
        record.stack_info = None


_installed = False


def install() -> None:
    """Scrubs every log record made in this process from now on (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        scrub_record(record)
        return record

    logging.setLogRecordFactory(factory)
    logging.captureWarnings(True)
