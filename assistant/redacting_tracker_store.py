"""A SQL tracker store that never writes what the user typed.

Professionals are asked not to type names, but free text may still hold them.
The conversation logic only needs the current message (in memory) and the
facts (slots), so the stored copy of each user message keeps its intent and
button payload but not its words. Loaded by the Rasa server from endpoints.yml.

Trade-off: after a two-stage fallback's "Yes", Rasa re-reads the earlier
message from the store, so its words are no longer there to pre-fill from; the
form then simply asks.
"""
from __future__ import annotations

from typing import Any, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant import rasa_speedups

# Every Signpost Rasa server loads this module (endpoints.yml and
# deploy/endpoints.server.yml both name it), so it is where Rasa is tuned.
rasa_speedups.install()

REDACTED = "[not stored]"


def redact(event: Event) -> Event:
    if not isinstance(event, UserUttered) or not event.text or event.text.startswith("/"):
        return event   # button payloads hold only fact values, never free text
    parse_data: dict[str, Any] = dict(event.parse_data or {})
    parse_data["text"] = REDACTED
    return UserUttered(
        text=REDACTED,
        intent=event.intent,
        entities=event.entities,
        parse_data=parse_data,
        timestamp=event.timestamp,
        input_channel=event.input_channel,
        message_id=event.message_id,
        metadata=event.metadata,
    )


class RedactingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        return (redact(event) for event in super()._additional_events(session, tracker))
