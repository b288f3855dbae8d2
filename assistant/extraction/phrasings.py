"""Loads pathways/phrasings.yaml into compiled matchers.

The file is re-read when it changes on disk, so an author's new phrasing
reaches the running action server without a restart or a Rasa retrain.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant import PATHWAYS_DIR
from assistant.extraction.numbers import NUM_PATTERN

PHRASINGS_FILE = PATHWAYS_DIR / "phrasings.yaml"
logger = logging.getLogger(__name__)


class PhrasingsError(ValueError):
    """phrasings.yaml is malformed; the message names the fact and the phrase."""


@dataclass(frozen=True)
class FactPhrasings:
    fact: str
    says: tuple[re.Pattern, ...] = ()
    says_not: tuple[re.Pattern, ...] = ()
    values: tuple[tuple[str, tuple[re.Pattern, ...]], ...] = ()   # enum facts, in priority order
    numbers: tuple[re.Pattern, ...] = ()                          # int facts
    when_asked: tuple[tuple[str, tuple[re.Pattern, ...]], ...] = ()  # enum answers right after the question
    negatable: bool = True


@dataclass(frozen=True)
class Phrasings:
    facts: dict[str, FactPhrasings]
    synonyms: dict[str, str]
    case_sensitive_synonyms: dict[str, str]
    negation_cues: frozenset[str]
    uncertainty_cues: tuple[str, ...]
    clause_breaks: frozenset[str]
    correction_cues: tuple[str, ...]
    vocabulary: frozenset[str] = field(default_factory=frozenset)
    labels: dict[str, str] = field(default_factory=dict)   # how the bot names each fact to the user


def _compile(fact: str, phrase: Any) -> re.Pattern:
    if not isinstance(phrase, str) or not phrase.strip():
        raise PhrasingsError(f"{fact}: every phrase must be non-empty text, got {phrase!r}")
    # NUM is the one upper-case word an author may use; everything else is
    # matched on lower-cased text.
    pattern = phrase.strip().replace("NUM", NUM_PATTERN).lower()
    try:
        return re.compile(r"(?<![\w'])(?:" + pattern + r")(?![\w'])")
    except re.error as exc:
        raise PhrasingsError(f"{fact}: phrase {phrase!r} is not a valid pattern ({exc})") from exc


_STEM_ENDINGS = ("e", "s", "es", "ed", "ing", "t", "cy", "ion", "y", "er", "ers")


def _vocabulary(raw_facts: dict[str, Any], synonyms: dict[str, str]) -> frozenset[str]:
    """Literal words used by the phrasings: the targets of typo correction."""
    words: set[str] = set()
    texts: list[str] = list(synonyms.values())
    for spec in raw_facts.values():
        for key in ("says", "says_not", "numbers"):
            texts += [p for p in spec.get(key, []) or [] if isinstance(p, str)]
        for phrases in (spec.get("values") or {}).values():
            texts += [p for p in phrases or [] if isinstance(p, str)]
    for text in texts:
        # A stem written "strangl\\w*" stands for its usual endings.
        for stem in re.findall(r"([a-z]+)\\w\*", text.lower()):
            words.update(stem + ending for ending in _STEM_ENDINGS)
        cleaned = re.sub(r"[a-z]*\\w\*|\\\w|NUM", " ", text)
        words.update(re.findall(r"[a-z]+", cleaned.lower()))
    return frozenset(w for w in words if len(w) >= 7)


def parse_phrasings(data: dict[str, Any]) -> Phrasings:
    if not isinstance(data, dict) or not isinstance(data.get("facts"), dict):
        raise PhrasingsError("phrasings.yaml needs a `facts:` mapping")
    facts: dict[str, FactPhrasings] = {}
    for fact, spec in data["facts"].items():
        spec = spec or {}
        if not isinstance(spec, dict):
            raise PhrasingsError(f"{fact}: expected says/says_not/values/numbers")
        facts[fact] = FactPhrasings(
            fact=fact,
            says=tuple(_compile(fact, p) for p in spec.get("says", []) or []),
            says_not=tuple(_compile(fact, p) for p in spec.get("says_not", []) or []),
            values=tuple(
                (str(value), tuple(_compile(fact, p) for p in phrases or []))
                for value, phrases in (spec.get("values") or {}).items()
            ),
            numbers=tuple(_compile(fact, p) for p in spec.get("numbers", []) or []),
            when_asked=tuple(
                (str(value), tuple(_compile(fact, p) for p in phrases or []))
                for value, phrases in (spec.get("when_asked") or {}).items()
            ),
            negatable=bool(spec.get("negatable", True)),
        )
    synonyms = {str(k).lower(): str(v) for k, v in (data.get("synonyms") or {}).items()}
    return Phrasings(
        facts=facts,
        synonyms=synonyms,
        case_sensitive_synonyms={str(k): str(v) for k, v in (data.get("case_sensitive_synonyms") or {}).items()},
        negation_cues=frozenset(str(c).lower() for c in data.get("negation_cues", []) or []),
        uncertainty_cues=tuple(str(c).lower() for c in data.get("uncertainty_cues", []) or []),
        clause_breaks=frozenset(str(c).lower() for c in data.get("clause_breaks", []) or []),
        correction_cues=tuple(str(c).lower() for c in data.get("correction_cues", []) or []),
        vocabulary=_vocabulary(data["facts"], synonyms),
        labels={str(k): str(v) for k, v in (data.get("labels") or {}).items()},
    )


_cache: dict[Path, tuple[float, Phrasings]] = {}
_lock = threading.Lock()


def load_phrasings(path: Path = PHRASINGS_FILE) -> Phrasings:
    """Parsed phrasings, re-read only when the file's modification time changes."""
    path = Path(path)
    mtime = path.stat().st_mtime
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
    try:
        with open(path, encoding="utf-8") as handle:
            phrasings = parse_phrasings(yaml.safe_load(handle))
    except (PhrasingsError, yaml.YAMLError) as exc:
        if cached is None:
            raise PhrasingsError(f"{path}: {exc}") from exc
        # An author's broken edit must not stop the bot: keep the last good phrasings.
        logger.warning("phrasings.yaml has a problem, still using the last good version: %s", exc)
        with _lock:
            _cache[path] = (mtime, cached[1])
        return cached[1]
    with _lock:
        _cache[path] = (mtime, phrasings)
    return phrasings
