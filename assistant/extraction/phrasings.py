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
from assistant.reloading import Refusal, Reloading

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
    ages: AgeRule | None = None                                # an age in the text states the fact


@dataclass(frozen=True)
class AgeRule:
    """An age in the text states a yes/no fact: ``from_age`` <= age < ``adult_age`` is yes,
    ``adult_age`` or more is no; younger ages are left alone (usually children)."""

    patterns: tuple[re.Pattern, ...]
    from_age: int
    adult_age: int

    def value(self, age: int) -> bool | None:
        if self.from_age <= age < self.adult_age:
            return True
        if self.adult_age <= age <= 120:
            return False
        return None


@dataclass(frozen=True)
class AnswerWords:
    """How a typed reply answers the open question, and the plain meta replies
    (phrasings.yaml `answers:`). Every list is lower-case, longest phrase first."""

    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()
    none_of_these: tuple[str, ...] = ()
    hedges: tuple[str, ...] = ()
    fillers: tuple[str, ...] = ()
    meta: dict[str, tuple[str, ...]] = field(default_factory=dict)   # continue, stop, restart, show_advice, why


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
    sentence_uncertainty_cues: tuple[str, ...] = ()          # reach across clause breaks to the sentence start
    answers: AnswerWords = field(default_factory=AnswerWords)


META_REPLIES = ("continue", "stop", "restart", "show_advice", "why")


def _phrases(section: dict[str, Any], key: str) -> tuple[str, ...]:
    raw = section.get(key) or []
    if not isinstance(raw, list) or not all(isinstance(p, str) and p.strip() for p in raw):
        raise PhrasingsError(f"answers.{key}: expected a list of quoted phrases")
    return tuple(sorted({" ".join(p.lower().split()) for p in raw}, key=len, reverse=True))


def _answer_words(raw: Any) -> AnswerWords:
    if raw is None:
        return AnswerWords()
    if not isinstance(raw, dict):
        raise PhrasingsError("`answers:` must be a mapping of word lists")
    section = {str(k).lower(): v for k, v in raw.items()}   # unquoted yes/no keys read as booleans
    section.update({"yes": raw.get("yes", raw.get(True)), "no": raw.get("no", raw.get(False))})
    return AnswerWords(
        yes=_phrases(section, "yes"), no=_phrases(section, "no"), unsure=_phrases(section, "unsure"),
        none_of_these=_phrases(section, "none_of_these"), hedges=_phrases(section, "hedges"),
        fillers=_phrases(section, "fillers"), meta={key: _phrases(section, key) for key in META_REPLIES},
    )


def _age_rule(fact: str, raw: Any) -> AgeRule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw.get("patterns"):
        raise PhrasingsError(f"{fact}: `ages:` needs `patterns:`, `from_age:` and `adult_age:`")
    try:
        patterns = tuple(re.compile(str(p)) for p in raw["patterns"])
        return AgeRule(patterns, int(raw.get("from_age", 0)), int(raw["adult_age"]))
    except (re.error, KeyError, TypeError, ValueError) as exc:
        raise PhrasingsError(f"{fact}: `ages:` is not valid ({exc})") from exc


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
            ages=_age_rule(fact, spec.get("ages")),
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
        sentence_uncertainty_cues=tuple(str(c).lower() for c in data.get("sentence_uncertainty_cues", []) or []),
        answers=_answer_words(data.get("answers")),
    )


_stores: dict[Path, Reloading[Phrasings]] = {}
_lock = threading.Lock()


def _read(path: Path) -> Phrasings:
    with open(path, encoding="utf-8") as handle:
        return parse_phrasings(yaml.safe_load(handle))


def _refusals(path: Path, exc: BaseException) -> list[Refusal]:
    """Where the problem is: YAML names its line; a bad phrase names its fact, whose line we find."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return [Refusal(path.name, mark.line + 1, str(getattr(exc, "problem", "")) or "invalid YAML")]
    message = str(exc)
    fact = message.split(":", 1)[0].strip()
    line = 0
    try:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(rf"\s*{re.escape(fact)}:", text):
                line = number
                break
    except OSError:
        pass
    return [Refusal(path.name, line, message)]


def load_phrasings(path: Path = PHRASINGS_FILE) -> Phrasings:
    """Parsed phrasings, re-read when the file changes; a broken edit keeps the last good version
    (the one reloading policy of assistant/reloading.py, also across a restart)."""
    path = Path(path)
    with _lock:
        store = _stores.get(path)
        if store is None:
            store = _stores[path] = Reloading(
                "phrasings", path, lambda source: [source], _read,
                version=lambda p: f"{len(p.facts)} facts",
                refuse_on=(PhrasingsError, yaml.YAMLError),
                describe=lambda exc: _refusals(path, exc),
            )
    try:
        return store.get()
    except (PhrasingsError, yaml.YAMLError) as exc:
        if isinstance(exc, PhrasingsError) and str(exc).startswith(str(path)):
            raise
        raise PhrasingsError(f"{path}: {exc}") from exc
