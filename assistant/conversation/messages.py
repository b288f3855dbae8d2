"""What the bot says: questions with their buttons, the 999 advice, the conversation's own words.

Question wording, "why we ask" and button labels come from pathways/facts.yaml; the
conversation's own sentences from pathways/messages.yaml, one key per message, re-read
when an author saves it (assistant/reloading.py: a refused edit is logged with
file:line and the last good version keeps being said). The one sentence kept here is
EMERGENCY_FALLBACK, said when neither file can be read at all, so 999 still goes out.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from assistant import PATHWAYS_DIR
from assistant.extraction import load_phrasings
from assistant.guidance import FactSpec, Guidance, QuestionGroup, next_questions, next_steps
from assistant.guidance.groups import pending_in_group
from assistant.guidance.problems import Collector, Problem
from assistant.guidance.schema import check_shape
from assistant.guidance.yamlfile import YDict, read_yaml
from assistant.reloading import Refusal, Reloading

# The safety constants, named once: the fact that means danger now, and the
# pathway whose words say what to do about it.
DANGER_FACT = "immediate_danger"
EMERGENCY_PATHWAY = "police_999"
# The only words kept in code: said in place of any message when pathways/messages.yaml
# cannot be read at all (and no last good copy is kept), and in place of the 999 step when
# the guidance cannot be read. Worded as a condition because it may stand in for a message
# that is not about danger (and heads every Teams card): 999 must still go out.
EMERGENCY_FALLBACK = ("If anyone is in danger now, call 999. On a mobile, if it isn't safe to speak, "
                      "dial 999 and then press 55 when asked.")

MESSAGES_FILE = PATHWAYS_DIR / "messages.yaml"
log = logging.getLogger(__name__)


class MessagesError(ValueError):
    """messages.yaml cannot be used; ``problems`` says where (file:line) and how to fix it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.file}:{p.line}: {p.message}" for p in problems))


@dataclass(frozen=True)
class Wording:
    """One accepted version of messages.yaml: message key -> words."""

    texts: Mapping[str, str]
    version: str


def read_messages(path: Path) -> Wording:
    """messages.yaml checked against pathways/schema/messages.schema.json (every key there, no
    other, braces only where the bot fills them, 999 kept where it must be); raises MessagesError."""
    path = Path(path)
    out = Collector(path.parent)
    data = read_yaml(path, out)
    if data is not None and not isinstance(data, YDict):
        out.error(path, 1, "the file must be a list of `key: \"words\"` lines", "see the comments in messages.yaml")
    elif data is not None:
        check_shape(out, path, data, "messages")
    elif not out.problems:
        out.error(path, 0, "the file is empty", "put back the messages (see pathways/schema/messages.schema.json)")
    errors = [p for p in out.problems if p.is_error]
    if errors or not isinstance(data, dict):
        raise MessagesError(errors)
    texts = {str(key): str(value) for key, value in data.items()}
    digest = hashlib.sha256(json.dumps(texts, sort_keys=True).encode()).hexdigest()[:8]
    return Wording(MappingProxyType(texts), digest)


_stores: dict[Path, Reloading[Wording]] = {}
_stores_lock = threading.Lock()


def load_messages(path: Path = MESSAGES_FILE) -> Wording:
    """The current messages, re-read when the file changes; a refused edit keeps the last good
    version (also across a restart). Raises MessagesError only when no version was ever good."""
    path = Path(path)
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = _stores[path] = Reloading(
                "messages", path, lambda source: [source], read_messages,
                version=lambda w: w.version,
                refuse_on=(MessagesError,),
                describe=lambda exc: [Refusal(p.file, p.line, p.message) for p in getattr(exc, "problems", [])],
            )
    return store.get()


def _wording() -> Mapping[str, str] | None:
    try:
        return load_messages(MESSAGES_FILE).texts
    except MessagesError:   # already logged with file:line by the reloader
        return None


_PLACE = re.compile(r"\{(\w+)\}")


def _fill(text: str, fields: Mapping[str, object]) -> str:
    """Fills the named places in one pass (str.format would choke on any other brace, and a
    filled-in value is never read again); a line that is only a place filled with nothing is
    dropped (a list with no entries)."""
    lines = []
    for line in text.split("\n"):
        only = _PLACE.fullmatch(line.strip())
        if only and only[1] in fields and not str(fields[only[1]]):
            continue
        lines.append(_PLACE.sub(lambda m: str(fields[m[1]]) if m[1] in fields else m[0], line))
    return "\n".join(lines)


def words(key: str, **fields: object) -> str:
    """The words of message ``key`` from messages.yaml, its places filled in; EMERGENCY_FALLBACK
    when the file cannot be read at all."""
    texts = _wording()
    if texts is None or key not in texts:
        if texts is not None:
            log.error("messages.yaml has no `%s:`", key)
        return EMERGENCY_FALLBACK
    return _fill(texts[key], fields)


def button(key: str, payload: str) -> list[dict[str, str]]:
    """A button titled by message ``key``; none when messages.yaml cannot be read (the 999
    sentence is no button title)."""
    texts = _wording()
    return [{"title": texts[key], "payload": payload}] if texts is not None and key in texts else []


def restart_buttons() -> list[dict[str, str]]:
    """The two answers to "Start a new case?"."""
    return [*button("restart_yes_button", '/restart{"confirmed": true}'), *button("restart_no_button", "/continue")]


@dataclass
class Message:
    """A bot message: text plus optional quick-reply buttons."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": self.buttons} if self.buttons else {"text": self.text}


def button_payload(fact: str, value: Any) -> str:
    return "/inform" + json.dumps({fact: value})


def _why_and_advice() -> list[dict[str, str]]:
    return [*button("why_button", "/why_ask"), *button("advice_button", "/show_advice")]


def fact_buttons(spec: FactSpec) -> list[dict[str, str]]:
    buttons = [{"title": o.label, "payload": button_payload(spec.id, o.value)} for o in spec.options]
    if not any(o.value is None for o in spec.options):
        buttons += button("not_sure_button", button_payload(spec.id, None))
    return buttons


def question_message(spec: FactSpec, lead: str = "") -> Message:
    return Message((lead + "\n" if lead else "") + spec.question, [*fact_buttons(spec), *_why_and_advice()])


def group_message(g: Guidance, group: QuestionGroup, facts: Mapping[str, Any], asked: list[str]) -> Message:
    """One question listing the group's facts that still matter, with three answers.

    "None of these" and "Not sure" set exactly the listed facts in the
    vocabulary's payload syntax; "Yes, one or more" names the group, so each
    listed fact is then asked on its own.
    """
    pending = pending_in_group(group, next_questions(g, dict(facts), asked))
    lines = [group.question] + [f"- {group.items[fid]}" for fid in pending]
    buttons = [
        {"title": group.yes_label, "payload": "/inform" + json.dumps({group.id: True})},
        {"title": group.none_label, "payload": "/inform" + json.dumps({fid: False for fid in pending})},
        {"title": group.unsure_label, "payload": "/inform" + json.dumps({fid: None for fid in pending})},
        *_why_and_advice(),
    ]
    return Message("\n".join(lines), buttons)


def step_message(g: Guidance, step: str, facts: Mapping[str, Any], asked: list[str]) -> Message:
    """The question for a next step: a fact's own question or a group's."""
    group = g.groups.get(step)
    return group_message(g, group, facts, asked) if group else question_message(g.facts[step])


def ask(g: Guidance, facts: Mapping[str, Any], asked: list[str]) -> tuple[str | None, list[Message]]:
    """The next question (re-asked when the form resumes after an interruption)."""
    remaining = next_steps(g, dict(facts), asked)
    if not remaining:
        return None, []
    return remaining[0], [step_message(g, remaining[0], facts, asked)]


def label_of(fact: str) -> str:
    label = load_phrasings().labels.get(fact) or fact.replace("_", " ")
    return label[0].upper() + label[1:]


def shown_value(value: Any, spec: FactSpec | None) -> str:
    if value is None:
        return words("answer_not_sure")
    if value is True:
        return words("answer_yes")
    if value is False:
        return words("answer_no")
    if spec is not None and spec.type == "enum":
        return next((o.label for o in spec.options if o.value == value), str(value))
    return str(value)


def describe(fact: str, value: Any, spec: FactSpec | None) -> str:
    return f"{label_of(fact)}: {shown_value(value, spec)}"


def understood_message(found: Mapping[str, Any], g: Guidance) -> Message:
    lines = [f"- {describe(fact, value, g.facts.get(fact))}" for fact, value in found.items()]
    return Message(words("understood", facts="\n".join(lines)))


def confirm_message(g: Guidance, fact: str, before: Any, now: Any) -> Message:
    """A later message contradicts an earlier answer: ask which is right, never flip it silently."""
    spec = g.facts[fact]
    lead = words("confirm_change", earlier=describe(fact, before, spec), now=shown_value(now, spec))
    return question_message(spec, lead)


def emergency_sentence(g: Guidance | None) -> str:
    """What to do in an emergency: the guidance's police_999 pathway, the one source of these words."""
    spec = g.pathways.get(EMERGENCY_PATHWAY) if g is not None else None
    return spec.what_to_do.strip() if spec is not None and spec.what_to_do else EMERGENCY_FALLBACK


def danger_message(g: Guidance | None, in_form: bool) -> Message:
    """The 999 advice, worded from the guidance's police_999 pathway."""
    emergency = emergency_sentence(g)
    if in_form:
        return Message(words("danger_in_form", emergency=emergency))
    return Message(words("danger_outside_form", emergency=emergency))


def out_of_range_message(spec: FactSpec, number: int) -> Message:
    low = spec.minimum if spec.minimum is not None else 0
    if spec.maximum is None:
        return Message(words("out_of_range_at_least", number=number, low=low))
    return Message(words("out_of_range_between", number=number, low=low, high=spec.maximum))


def advice_now_message(questions_left: int) -> Message:
    """"Show the advice now": how many questions could still change it."""
    if questions_left == 0:
        return Message(words("advice_now"))
    if questions_left == 1:
        return Message(words("advice_now_one_more"))
    return Message(words("advice_now_more", count=questions_left))
