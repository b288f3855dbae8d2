"""What the Signpost REST channel accepts, decided before Rasa sees a message.

Pure Python (no Rasa import) so each rule is tested directly. Every refusal
carries a sentence a person or a client developer can act on; none of them
quotes what was sent, since that may describe a person.
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant import PROJECT_ROOT

# The longest real description in our corpora (tests/extraction/dev_set.yaml,
# holdout_set.yaml, pathways/scenarios/) is about 150 characters; a
# receptionist pasting a long paragraph from a note is perhaps 1,000. 2,000
# characters leaves room for that while keeping the slowest message (NLU,
# extraction, sentence model) well under a second and its stored events small:
# the probe's 1 MB message took 74-107 s and blocked everyone else.
MAX_MESSAGE_CHARS = 2000
# A JSON body is the message plus a sender id and a little metadata.
MAX_BODY_BYTES = 4 * MAX_MESSAGE_CHARS + 4096

# Random ids from the widget are "web-" + 32 hex digits; Teams and tests use
# similar shapes. No shared default: a missing id is refused, never guessed.
SENDER_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")

# A button payload: "/intent" optionally followed by a JSON object.
PAYLOAD_SHAPE = re.compile(r"/(?P<intent>[A-Za-z_][A-Za-z0-9_]{0,63})(?P<args>\{.*\})?", re.DOTALL)
# Anything that starts like a payload ("/word..."); other "/"-text is typed text.
LOOKS_LIKE_PAYLOAD = re.compile(r"/[A-Za-z_][A-Za-z0-9_]*(?:[^\sA-Za-z0-9_].*)?", re.DOTALL)
PAYLOAD_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
PAYLOAD_WORD = re.compile(r"[a-z0-9_]{1,40}")   # an enum value such as "third_party"
# Keys a payload may carry besides fact and group ids (restart confirmation).
EXTRA_PAYLOAD_KEYS = frozenset({"confirmed"})
# Intents Rasa itself defines; the rest come from domain.yml.
RASA_DEFAULT_INTENTS = frozenset({"restart", "back", "out_of_scope", "session_start", "nlu_fallback"})

BAD_BODY = "The request body must be a JSON object such as {\"sender\": \"<id>\", \"message\": \"<text>\"}."
BAD_SENDER = ("The request needs a \"sender\": a conversation id of 8 to 64 letters, digits, \"-\" or \"_\" "
              "(for example a random id the client makes once per conversation).")
BAD_MESSAGE = "The \"message\" must be text."
BAD_METADATA = "The \"metadata\", when given, must be a JSON object."
TOO_LONG = (f"That message is too long for me to read (the limit is {MAX_MESSAGE_CHARS} characters). "
            "Please send a shorter description — the main points are enough, and no names are needed.")
BAD_PAYLOAD = ("I couldn't read that button. Please choose one of the buttons again, "
               "or type your answer in your own words.")
RATE_LIMITED = "You're sending messages faster than I can answer. Please wait a few seconds and send it again."
ACTIONS_DOWN = "I couldn't process that just now — please send it again."


@dataclass(frozen=True)
class Refused:
    """A request the channel answers itself. ``status`` 400 is a client error
    (the body is the JSON ``{"error": reason}``); 200 is a reply to the person
    (a bot message), since the request itself was well-formed."""

    status: int
    reason: str


@dataclass(frozen=True)
class Accepted:
    sender: str
    message: str
    metadata: dict[str, Any] | None


def _domain_intents() -> frozenset[str]:
    intents: set[str] = set(RASA_DEFAULT_INTENTS)
    files = [PROJECT_ROOT / "domain.yml", *sorted((PROJECT_ROOT / "domain").glob("*.yml"))]
    for path in files:
        if path.is_file():
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for intent in data.get("intents") or []:
                intents.add(next(iter(intent)) if isinstance(intent, dict) else str(intent))
    return frozenset(intents)


def _pathways_dir() -> Path:
    return Path(os.environ.get("SIGNPOST_PATHWAYS_DIR") or PROJECT_ROOT / "pathways")


def _fact_and_group_ids(facts_file: Path) -> frozenset[str] | None:
    """The ids a payload may set, from the guidance (None when unreadable:
    then only the keys' shape is checked)."""
    try:
        data = yaml.safe_load(facts_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    ids = {str(item["id"]) for section in ("facts", "groups") for item in (data.get(section) or [])
           if isinstance(item, dict) and "id" in item}
    return frozenset(ids) or None


@dataclass
class PayloadRules:
    """Which button payloads are well-formed: a known intent and, optionally,
    a JSON object of known ids to yes/no/unknown, numbers or short option
    words. Anything else may hold typed text, so it is neither passed on nor stored."""

    intents: frozenset[str] = field(default_factory=_domain_intents)
    facts_file: Path = field(default_factory=lambda: _pathways_dir() / "facts.yaml")
    _keys: frozenset[str] | None = None
    _mtime: float = -1.0

    def keys(self) -> frozenset[str] | None:
        try:
            mtime = self.facts_file.stat().st_mtime
        except OSError:
            return self._keys
        if mtime != self._mtime:   # guidance edited: re-read the ids
            self._keys, self._mtime = _fact_and_group_ids(self.facts_file), mtime
        return self._keys

    def is_known_payload(self, text: str) -> bool:
        match = PAYLOAD_SHAPE.fullmatch(text)
        if not match or match.group("intent") not in self.intents:
            return False
        if match.group("args") is None:
            return True
        try:
            args = json.loads(match.group("args"))
        except ValueError:
            return False
        if not isinstance(args, dict):
            return False
        known = self.keys()
        for key, value in args.items():
            if not PAYLOAD_KEY.fullmatch(key):
                return False
            if known is not None and key not in known and key not in EXTRA_PAYLOAD_KEYS:
                return False
            if value is None or isinstance(value, (bool, int, float)):
                continue
            if not (isinstance(value, str) and PAYLOAD_WORD.fullmatch(value)):
                return False
        return True


def looks_like_payload(text: str) -> bool:
    return bool(LOOKS_LIKE_PAYLOAD.fullmatch(text.strip()))


def _clean_text(text: str) -> str:
    # A lone surrogate (half an emoji) cannot be encoded, stored or logged;
    # replace it rather than fail the whole message.
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


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
    if len(message) > MAX_MESSAGE_CHARS:
        return Refused(200, TOO_LONG)
    message = _clean_text(message).strip()
    if message.startswith("/"):
        if looks_like_payload(message):
            if not rules.is_known_payload(message):
                return Refused(200, BAD_PAYLOAD)
        else:
            # "/ he hit her": typed text that happens to start with "/";
            # treat it as typed text so it is understood and never stored.
            message = message.lstrip("/ ").strip()
    return Accepted(sender, message, metadata)


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
