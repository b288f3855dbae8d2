"""Which facts a free-text message clearly states.

Wrong pre-fills are worse than none, so a fact is only filled when a phrasing
matches without an uncertainty word before it, and dropped when the message
says both yes and no about it (unless one clause is a correction).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.extraction.numbers import first_number
from assistant.extraction.phrasings import FactPhrasings, Phrasings, load_phrasings
from assistant.extraction.text import clause_before, normalise, sentence_start

NEGATION_WINDOW = 6   # words before a phrase that a negation can reach

@dataclass(frozen=True)
class Extracted:
    value: Any
    evidence: str        # the words that stated it, to show the user what was understood


@dataclass(frozen=True)
class _Hit:
    value: Any
    evidence: str
    start: int
    corrected: bool


def _negated(text: str, start: int, phrasings: Phrasings) -> bool:
    words = clause_before(text, start, phrasings).split()[-NEGATION_WINDOW:]
    return any(w in phrasings.negation_cues or w.endswith("n't") for w in (x.strip("'\",") for x in words))


def _uncertain(text: str, start: int, phrasings: Phrasings) -> bool:
    before = clause_before(text, start, phrasings)
    before_sentence = text[sentence_start(text, start):start]
    return any(cue in before for cue in phrasings.uncertainty_cues) or any(
        f"{cue} " in before_sentence for cue in phrasings.sentence_uncertainty_cues
    )


def _is_correction(text: str, start: int, phrasings: Phrasings) -> bool:
    before = text[sentence_start(text, start):start].strip()
    return any(before.startswith(cue) for cue in phrasings.correction_cues) or any(
        f" {cue} " in f" {text[:start]} " for cue in phrasings.correction_cues
    )


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def _bool_hits(text: str, spec: FactPhrasings, phrasings: Phrasings) -> list[_Hit]:
    hits: list[_Hit] = []
    denial_spans: list[tuple[int, int]] = []
    for pattern in spec.says_not:
        for m in pattern.finditer(text):
            if _uncertain(text, m.start(), phrasings):
                continue
            denial_spans.append(m.span())
            hits.append(_Hit(False, m.group(0), m.start(), _is_correction(text, m.start(), phrasings)))
    for pattern in spec.says:
        for m in pattern.finditer(text):
            if _overlaps(m.span(), denial_spans) or _uncertain(text, m.start(), phrasings):
                continue
            negated = _negated(text, m.start(), phrasings)
            if negated and not spec.negatable:
                continue
            hits.append(_Hit(not negated, m.group(0), m.start(), _is_correction(text, m.start(), phrasings)))
    return hits


def _enum_hits(text: str, spec: FactPhrasings, phrasings: Phrasings) -> list[_Hit]:
    for value, patterns in spec.values:    # priority order: first value that matches wins
        for pattern in patterns:
            m = pattern.search(text)
            if m and not _uncertain(text, m.start(), phrasings):
                return [_Hit(value, m.group(0), m.start(), False)]
    return []


def _number_hits(text: str, spec: FactPhrasings, phrasings: Phrasings) -> list[_Hit]:
    hits = []
    for pattern in spec.numbers:
        for m in pattern.finditer(text):
            number = first_number(m.group(0).replace("dash", "").replace("12 months", "").replace("twelve months", ""))
            if number is not None and not _uncertain(text, m.start(), phrasings):
                hits.append(_Hit(number, m.group(0), m.start(), _is_correction(text, m.start(), phrasings)))
    return hits


def _age_hits(text: str, spec: FactPhrasings) -> list[_Hit]:
    hits: list[_Hit] = []
    if spec.ages is None:
        return hits
    for pattern in spec.ages.patterns:
        for m in pattern.finditer(text):
            value = spec.ages.value(int(m.group(1)))
            if value is not None:
                hits.append(_Hit(value, m.group(0), m.start(), False))
    return hits


def _resolve(hits: list[_Hit]) -> _Hit | None:
    """One value, or None when the message contradicts itself without correcting."""
    if not hits:
        return None
    values = {repr(h.value) for h in hits}
    if len(values) == 1:
        return min(hits, key=lambda h: h.start)
    corrections = [h for h in hits if h.corrected]
    if corrections and len({repr(h.value) for h in corrections}) == 1:
        return max(corrections, key=lambda h: h.start)
    return None


def _within_bounds(value: Any, fact_spec: Any) -> bool:
    if fact_spec is None or not isinstance(value, int) or isinstance(value, bool):
        return True
    low, high = getattr(fact_spec, "minimum", None), getattr(fact_spec, "maximum", None)
    return (low is None or value >= low) and (high is None or value <= high)


def extract_facts(text: str, guidance: Any = None, phrasings: Phrasings | None = None) -> dict[str, Extracted]:
    """Facts that ``text`` clearly states, by fact id.

    ``guidance`` (an assistant.guidance.Guidance) limits the result to the facts
    it defines and to their allowed ranges; without it every phrased fact counts.
    """
    if not text or not text.strip() or text.lstrip().startswith("/"):
        return {}
    phrasings = phrasings or load_phrasings()
    clean = normalise(text, phrasings)
    known = getattr(guidance, "facts", None)
    found: dict[str, Extracted] = {}
    for fact, spec in phrasings.facts.items():
        if known is not None and fact not in known:
            continue
        if spec.values:
            hits = _enum_hits(clean, spec, phrasings)
        elif spec.numbers:
            hits = _number_hits(clean, spec, phrasings)
        else:
            hits = _bool_hits(clean, spec, phrasings) + _age_hits(clean, spec)
        hit = _resolve(hits)
        if hit is not None and _within_bounds(hit.value, known.get(fact) if known else None):
            found[fact] = Extracted(hit.value, hit.evidence)
    return found


def answer_when_asked(text: str, fact: str, phrasings: Phrasings | None = None) -> Any:
    """The value a short typed reply gives ``fact`` right after the bot asked for it
    ("her mum" to "Who told you?"), or None when it gives none."""
    phrasings = phrasings or load_phrasings()
    spec = phrasings.facts.get(fact)
    if spec is None or not spec.when_asked or not text or text.lstrip().startswith("/"):
        return None
    clean = normalise(text, phrasings)
    for value, patterns in spec.when_asked:
        if any(p.search(clean) for p in patterns):
            return value
    return None
