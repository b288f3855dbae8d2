"""A SQL tracker store that never writes what the user typed.

Professionals are asked not to type names, but free text may still hold them.
The conversation logic only needs the current message (in memory) and the
facts (slots), so the stored copy of each user message keeps its intent but
not its words. Only a well-formed, known button payload (``/inform{"weapon":
true}``: an intent and fact values) is kept as it is; anything else that
starts with "/" may be typed text and is redacted like any other.

Bot replies are cleaned too, as a second line of defence: the actions never
echo typed text, but if one did (a knowledge answer once kept the question),
any typed text of this turn found in a bot event is replaced before writing.
Loaded by the Rasa server from endpoints.yml.

Trade-off: after a two-stage fallback's "Yes", Rasa re-reads the earlier
message from the store, so its words are no longer there to pre-fill from; the
form then simply asks.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.input_checks import PayloadRules

REDACTED = "[not stored]"
# Keys of a bot message's data that would hold what the user asked.
ECHO_KEYS = frozenset({"question", "query", "user_text", "text_asked"})
_rules = PayloadRules()


def is_kept_payload(text: str) -> bool:
    return text.startswith("/") and _rules.is_known_payload(text.strip())


def redact(event: Event) -> Event:
    if not isinstance(event, UserUttered) or not event.text or is_kept_payload(event.text):
        return event
    parse_data: dict[str, Any] = dict(event.parse_data or {})
    parse_data["text"] = REDACTED
    parse_data.pop("entities", None)
    parse_data.pop("response_selector", None)
    return UserUttered(
        text=REDACTED,
        intent=event.intent,
        entities=[],
        parse_data=parse_data,
        timestamp=event.timestamp,
        input_channel=event.input_channel,
        message_id=event.message_id,
        metadata=event.metadata,
    )


def _scrub(value: Any, typed: list[str]) -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if k in ECHO_KEYS else _scrub(v, typed)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, typed) for v in value]
    if isinstance(value, str):
        for text in typed:
            value = value.replace(text, REDACTED)
    return value


def clean_bot_event(event: Event, typed: list[str]) -> Event:
    """A bot event without any echo of ``typed`` (the texts the user typed)."""
    if not isinstance(event, BotUttered):
        return event
    data = _scrub(event.data or {}, typed)
    text = _scrub(event.text, typed) if event.text else event.text
    if data == (event.data or {}) and text == event.text:
        return event
    return BotUttered(text=text, data=data, metadata=event.metadata, timestamp=event.timestamp)


def typed_texts(tracker: DialogueStateTracker) -> list[str]:
    """What the user typed in the events still in memory, longest first
    (so a longer text is replaced before a part of it). Very short texts
    ("yes", "no") are left: they hold no one's details and are common words."""
    texts = {e.text.strip() for e in tracker.events
             if isinstance(e, UserUttered) and e.text and e.text != REDACTED and not is_kept_payload(e.text)}
    return sorted((t for t in texts if len(t) >= 8), key=len, reverse=True)


def _sqlite_write_ahead(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class RedactingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        engine: Any = getattr(self, "engine")  # noqa: B009 - Rasa leaves it untyped
        if engine.dialect.name == "sqlite":
            # Write-ahead log, synced at checkpoints: SQLite's default rollback
            # journal creates, syncs and deletes a file on every commit, which was
            # 15% of the Rasa server's busy time (one commit per turn). After a
            # power cut the last turns may be lost but the file stays whole;
            # PostgreSQL is the store for a deployment that needs more.
            # SQLAlchemy 1.4 opens and closes a file database's connection per
            # session (NullPool), and closing the last one checkpoints the log:
            # keep one connection per thread (Rasa's store runs on its event loop).
            import sqlalchemy as sa
            from sqlalchemy.pool import SingletonThreadPool

            engine.dispose()
            engine = sa.create_engine(engine.url, poolclass=SingletonThreadPool)
            sa.event.listen(engine, "connect", _sqlite_write_ahead)
            self.engine = engine
            self.sessionmaker = sa.orm.session.sessionmaker(bind=engine)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        typed = typed_texts(tracker)
        for event in super()._additional_events(session, tracker):
            yield clean_bot_event(redact(event), typed)


__all__ = ["REDACTED", "RedactingSQLTrackerStore", "redact", "clean_bot_event"]
