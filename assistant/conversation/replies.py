"""Reads one message into ONE typed reply: what the person meant by it.

The open question owns the reply: a message is first read as an answer to the
question being asked (yes / no / not sure in their many forms, a number, a
button's title typed out), with anything else it says pre-filled too. Only a
message that answers nothing is taken as a request (stop, restart, carry on,
show the advice, why) -- and only when it asks for that plainly -- or as the
kind NLU thought it was. Answer words live in pathways/phrasings.yaml (`answers:`).
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.conversation.messages import DANGER_FACT
from assistant.extraction import answer_when_asked, extract_facts, load_phrasings
from assistant.extraction.numbers import first_number
from assistant.extraction.phrasings import AnswerWords
from assistant.guidance import FactSpec, Guidance, QuestionGroup, parse_fact_value

_PAYLOAD = re.compile(r"^\s*/(?P<intent>\w+)(?P<json>\{.*\})?\s*$", re.S)
# Kinds of message handled by their own Rasa rule even in the middle of the form.
INTERRUPTING_INTENTS = frozenset({"ask_question", "report_danger", "victim_self", "perpetrator_self", "out_of_scope"})
_QUESTION_START = ("what", "whats", "what's", "how", "where", "who", "when", "which", "can", "could", "should",
                   "do", "does", "is", "are", "will", "would")
# Sounds around an answer that carry no meaning ("erm no").
_PRONOUN = re.compile(r"\b(she|he|they|there|it|her|his|him)\b")
# Someone writing about their own situation, not a professional's case.
_FIRST_PERSON = re.compile(r"\b(my|i'm|i am|i've|i have|myself)\b")
_THIRD_PERSON = re.compile(r"\b(he|she|his|her|him|they|their|patient|client|man|woman|lady|person)\b")
_LEADING_NOISE = ("ok", "okay", "well", "um", "erm", "er", "hmm", "hm", "so", "oh", "ah", "uh", "right")


@dataclass(frozen=True)
class ButtonAnswer:
    """A button payload such as ``/inform{"weapon": true}``: the values it sets."""
    values: dict[str, Any]


@dataclass(frozen=True)
class Answer:
    """A typed answer to the open question (a fact or a group id), and what else the message said."""
    step: str
    value: Any
    extra: dict[str, Any] = field(default_factory=dict)
    corrected: bool = False      # the message says it corrects something ("actually ...")


@dataclass(frozen=True)
class OutOfRange:
    """A number typed at a number question that cannot be right ("60" for a 0-24 score)."""
    step: str
    number: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FreeText:
    """A message that answers no question but may state facts (a description, a correction)."""
    facts: dict[str, Any]
    corrected: bool = False


@dataclass(frozen=True)
class ShowAdvice:
    pass


@dataclass(frozen=True)
class WhyAsk:
    pass


@dataclass(frozen=True)
class Resume:
    """"Carry on": ask the open question again, or pick up where a stopped triage left off."""


@dataclass(frozen=True)
class Stop:
    pass


@dataclass(frozen=True)
class Restart:
    """Asked plainly for a new case: confirmed first, nothing is cleared yet."""


@dataclass(frozen=True)
class RestartConfirmed:
    pass


@dataclass(frozen=True)
class Interrupt:
    """Something for another rule: a knowledge question, danger, someone speaking for themselves."""
    intent: str


@dataclass(frozen=True)
class Unclear:
    """Nothing in the message could be read."""


Reply = (ButtonAnswer | Answer | OutOfRange | FreeText | ShowAdvice | WhyAsk | Resume | Stop | Restart
         | RestartConfirmed | Interrupt | Unclear)

_META: dict[str, type] = {"continue": Resume, "stop": Stop, "restart": Restart, "show_advice": ShowAdvice,
                          "why": WhyAsk}
_PAYLOAD_KINDS: dict[str, type] = {"why_ask": WhyAsk, "show_advice": ShowAdvice, "continue": Resume, "stop": Stop,
                                   "restart": Restart}


def payload_facts(text: str) -> dict[str, Any] | None:
    """Values set by a button payload such as ``/inform{"children_in_household": null}``.

    Read from the raw text rather than Rasa's entities, so a fact a guidance
    author adds works with no change to domain.yml.
    """
    match = _PAYLOAD.match(text or "")
    if not match or match.group("intent") != "inform" or not match.group("json"):
        return None
    try:
        data = json.loads(match.group("json"))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def plain(text: str) -> str:
    """Lower case, straight quotes, abbreviations expanded, punctuation gone."""
    text = (text or "").replace("\u2019", "'").replace("\u2018", "'").lower()
    synonyms = load_phrasings().synonyms
    text = re.sub(r"[^\w\s'/?]", " ", text)
    words = [synonyms.get(w, w) for w in text.replace("?", " ? ").split()]
    return " ".join(words).replace(" ?", "").strip()


def _squeezed(words: AnswerWords, text: str) -> str:
    """'yesss' -> 'yes', 'noo' -> 'no': letters held down, only where that makes an answer word."""
    known = {w for phrases in (words.yes, words.no, words.unsure, words.none_of_these) for p in phrases
             for w in p.split()}
    out = []
    for word in text.split():
        squeezed = re.sub(r"(\w)\1+", r"\1", word)
        out.append(squeezed if word not in known and squeezed in known else word)
    return " ".join(out)


def _strip_leading(text: str, phrases: tuple[str, ...]) -> str:
    changed = True
    while changed and text:
        changed = False
        for p in phrases:
            if text == p:
                return ""
            if text.startswith(p + " "):
                text, changed = text[len(p) + 1:], True
                break
    return text


def _strip_trailing(text: str, phrases: tuple[str, ...]) -> str:
    changed = True
    while changed and text:
        changed = False
        for p in phrases:
            if text.endswith(" " + p):
                text, changed = text[: -len(p) - 1], True
                break
    return text


def _leading(text: str, choices: Mapping[Any, tuple[str, ...]]) -> tuple[Any, str] | None:
    """(value, phrase) of the longest answer phrase the text starts with."""
    best: tuple[Any, str] | None = None
    for value, phrases in choices.items():
        for p in phrases:
            if (text == p or text.startswith(p + " ")) and (best is None or len(p) > len(best[1])):
                best = (value, p)
    return best


def _meta(words: AnswerWords, text: str) -> Reply | None:
    """A plain request: the whole message (fillers aside) is one of the meta phrases."""
    fillers = tuple(sorted(words.fillers, key=len, reverse=True))
    core = _strip_trailing(_strip_leading(text, fillers), fillers)
    for key, phrases in words.meta.items():
        if core in phrases:
            return _META[key]()
    return None


def _label_key(label: str) -> str:
    return " ".join(re.sub(r"\([^)]*\)|[^\w\s']", " ", label.lower()).split())


def _by_title(text: str, titles: list[tuple[str, Any]]) -> tuple[bool, Any]:
    """A button's title typed out ("the person causing the harm", "someone else")."""
    for title, value in titles:
        key = _label_key(title)
        if key and (text == key or (len(text) >= 6 and key.startswith(text + " "))
                    or (len(key.split()) >= 3 and f" {key} " in f" {text} ")):
            return True, value
    return False, None


def _answer_word(words: AnswerWords, text: str, group: bool) -> tuple[bool, Any, str]:
    choices: dict[Any, tuple[str, ...]] = {"unsure": words.unsure, "no": words.no, "yes": words.yes}
    if group:
        choices["none"] = words.none_of_these
    # "i think so" is an answer phrase itself; "i think she does" is a hedge then one
    found = _leading(text, choices) or _leading(
        _strip_leading(text, tuple(sorted((*_LEADING_NOISE, *words.hedges), key=len, reverse=True))), choices)
    if found is None:
        return False, None, ""
    return True, {"unsure": None, "no": False, "none": False, "yes": True}[found[0]], found[1]


def _fact_answer(g: Guidance, spec: FactSpec, text: str, said: dict[str, Any]) -> Reply | None:
    words = load_phrasings().answers
    hit, value = _by_title(text, [(o.label, o.value) for o in spec.options] + [("not sure", None)])
    if hit:
        return Answer(spec.id, value)
    answered, word_value, phrase = _answer_word(words, text, group=False)
    if answered and _PRONOUN.search(phrase) and any(f != spec.id for f in said) and spec.id not in said:
        # "there are kids in the house" at the weapon question is about the kids, not a "yes"
        return None
    if answered and word_value is None:
        return Answer(spec.id, None)     # "not sure, she said it's been going on for months"
    if spec.type == "bool":
        if spec.id in said:              # the message states it: "she's 81" at "under 18?"
            return Answer(spec.id, said[spec.id])
        if answered:
            return Answer(spec.id, word_value)
        return None
    if spec.type == "int":
        number = first_number(text)
        if number is not None:
            try:
                return Answer(spec.id, parse_fact_value(g, spec.id, number))
            except ValueError:
                return OutOfRange(spec.id, number)
        if spec.id in said:
            return Answer(spec.id, said[spec.id])
        if answered and word_value is False:
            return Answer(spec.id, 0)    # "none", "no" to "how many?"
        return None
    # enum: the phrasings' short answers, then what the message states
    value = answer_when_asked(text, spec.id)
    if value is not None and value in spec.values:
        return Answer(spec.id, value)
    if spec.id in said:
        return Answer(spec.id, said[spec.id])
    for option in spec.options:
        if option.value is not None and str(option.value).replace("_", " ") in text:
            return Answer(spec.id, option.value)
    return None


def _group_answer(group: QuestionGroup, text: str, said: dict[str, Any]) -> Reply | None:
    words = load_phrasings().answers
    hit, value = _by_title(text, [(group.yes_label, True), (group.none_label, False), (group.unsure_label, None),
                                  ("not sure", None)])
    if not hit:
        hit, value, phrase = _answer_word(words, text, group=True)
        if hit and _PRONOUN.search(phrase) and said and not set(said) & set(group.facts):
            return None
    if not hit:
        return None
    if value is True and any(said.get(f) is False for f in group.facts) and not any(said.get(f) for f in group.facts):
        return None   # "yes" and "not ..." about the listed items: let the facts speak for themselves
    return Answer(group.id, value)


def _looks_like_a_question(raw: str, text: str) -> bool:
    words = text.split()
    return raw.strip().endswith("?") or (bool(words) and words[0] in _QUESTION_START and len(words) > 2)


def read_reply(g: Guidance, requested: str | None, intent: str, text: str) -> Reply:
    """The one thing ``text`` means, given the question just asked (``requested``, a fact or group id)."""
    match = _PAYLOAD.match(text or "")
    if match:
        kind = match.group("intent")
        if kind == "inform":
            return ButtonAnswer(payload_facts(text) or {})
        if kind == "restart":
            data = match.group("json") or ""
            return RestartConfirmed() if '"confirmed": true' in data.replace(" ", "").replace(":", ": ") else Restart()
        if kind in _PAYLOAD_KINDS:
            return _PAYLOAD_KINDS[kind]()
        return Interrupt(kind) if kind in INTERRUPTING_INTENTS else Unclear()
    words = load_phrasings().answers
    clean = _squeezed(words, plain(text))
    if not clean:
        return Unclear()
    meta = _meta(words, clean)
    if meta is not None:
        return meta
    if intent == "ask_question" and _looks_like_a_question(text, clean):
        return Interrupt(intent)
    said = {fact: e.value for fact, e in extract_facts(text, g).items()}
    answer: Reply | None = None
    if requested in g.facts:
        answer = _fact_answer(g, g.facts[requested], clean, said)
    elif requested in g.groups:
        answer = _group_answer(g.groups[requested], clean, said)
    if isinstance(answer, (Answer, OutOfRange)):
        extra = {f: v for f, v in said.items() if f != answer.step}
        if isinstance(answer, Answer):
            return Answer(answer.step, answer.value, extra, corrected=_is_correction(clean))
        return OutOfRange(answer.step, answer.number, extra)
    if intent == "report_danger" and DANGER_FACT not in said:
        # not an answer to the open question, and NLU hears danger: the 999 advice goes
        # out (the danger rule also keeps what else the message said)
        return Interrupt(intent)
    if said:
        return FreeText(said, corrected=_is_correction(clean))
    about_someone_else = _THIRD_PERSON.search(clean) and not _FIRST_PERSON.search(clean)
    if intent in ("victim_self", "perpetrator_self") and about_someone_else:
        return Unclear()   # about someone else: never the victim-facing "sorry this is happening to you"
    if intent in INTERRUPTING_INTENTS:
        return Interrupt(intent)
    return Unclear()


def _is_correction(text: str) -> bool:
    cues = load_phrasings().correction_cues
    return any(text == c or text.startswith(c + " ") or f" {c} " in f" {text} " for c in cues)
