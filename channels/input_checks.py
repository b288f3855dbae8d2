"""What every Signpost channel accepts as a message's text, decided before Rasa sees it.

The REST channel (channels/rest/checks.py) and the Teams channel
(channels/teams/channel.py) read their requests differently, but the words
that reach Rasa pass the same checks: a size limit, a clean encoding, and a
"/" message that is either a well-formed button payload or typed text.
Pure Python (no Rasa import) so each rule is tested directly. Every refusal
carries a sentence a person can act on; none of them quotes what was sent,
since that may describe a person.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant import PROJECT_ROOT

# The longest real description in our corpora (tests/extraction/dev_set.yaml,
# holdout_set.yaml, pathways/scenarios/) is about 150 characters; a
# receptionist pasting a long paragraph from a note is perhaps 1,000. 2,000
# characters leaves room for that while keeping the slowest message (NLU,
# extraction, sentence model) well under a second and its stored events small:
# the probe's 1 MB message took 74-107 s and blocked everyone else.
MAX_MESSAGE_CHARS = 2000
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

TOO_LONG = (f"That message is too long for me to read (the limit is {MAX_MESSAGE_CHARS} characters). "
            "Please send a shorter description — the main points are enough, and no names are needed.")
BAD_PAYLOAD = ("I couldn't read that button. Please choose one of the buttons again, "
               "or type your answer in your own words.")


@dataclass(frozen=True)
class Refused:
    """A message the channel answers itself, never passing it to Rasa. ``status`` 400 is a
    client error (the REST channel answers the JSON ``{"error": reason}``); 200 is a reply to
    the person (a bot message), since the request itself was well-formed."""

    status: int
    reason: str


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


def clean_text(text: str) -> str:
    # A lone surrogate (half an emoji) cannot be encoded, stored or logged;
    # replace it rather than fail the whole message.
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def check_text(text: str, rules: PayloadRules) -> str | Refused:
    """The text to pass on to Rasa, or the reply (status 200) the channel gives instead.

    Over the size limit: refused. A "/" message that looks like a payload must be a
    known one (else it may hold typed text Rasa would log and store); "/ he hit her"
    is typed text that happens to start with "/", passed on without the "/".
    """
    if len(text) > MAX_MESSAGE_CHARS:
        return Refused(200, TOO_LONG)
    text = clean_text(text).strip()
    if text.startswith("/"):
        if looks_like_payload(text):
            if not rules.is_known_payload(text):
                return Refused(200, BAD_PAYLOAD)
        else:
            text = text.lstrip("/ ").strip()
    return text
