"""Drafts: changes to the guidance that are not yet published.

A draft holds the whole new text of each file it changes, the published
commit it started from and a list of what was changed in words. It lives in
STATE/drafts/ID.json until it is published or discarded; the bot never sees
it. Whether it may be published is decided in ``workspace.py``.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Change:
    kind: str      # "contact" | "setting" | "question" | "rule" | "scenario" | "article"
    file: str      # relative to the guidance folder; an article is "knowledge/NAME.md"
    summary: str


@dataclass
class Draft:
    id: str
    author: str
    created: str
    base: str                                  # the published commit it started from
    files: dict[str, str] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    why: str = ""
    status: str = "open"                       # open | published | discarded
    approved_by: str | None = None
    approved_at: str | None = None
    published_commit: str | None = None
    published_by: str | None = None
    knowledge_base: str | None = None          # the articles' history commit it started from

    @property
    def contact_only(self) -> bool:
        return bool(self.changes) and all(c.kind == "contact" for c in self.changes)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Draft:
        data = dict(data)
        data["changes"] = [Change(**c) for c in data.get("changes", [])]
        return cls(**data)


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


class Drafts:
    def __init__(self, state_dir: Path):
        self.folder = Path(state_dir) / "drafts"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()

    def _file(self, draft_id: str) -> Path:
        if not draft_id.isalnum():
            raise KeyError(draft_id)
        return self.folder / f"{draft_id}.json"

    def get(self, draft_id: str) -> Draft | None:
        try:
            return Draft.from_json(json.loads(self._file(draft_id).read_text(encoding="utf-8")))
        except (KeyError, FileNotFoundError):
            return None

    def save(self, draft: Draft) -> None:
        file = self._file(draft.id)
        tmp = file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(draft.to_json(), out, indent=1, ensure_ascii=False)
        os.replace(tmp, file)

    def all(self) -> list[Draft]:
        found = []
        for file in self.folder.glob("*.json"):
            draft = self.get(file.stem)
            if draft:
                found.append(draft)
        return sorted(found, key=lambda d: d.created, reverse=True)

    def open_for(self, author: str) -> Draft | None:
        return next((d for d in self.all() if d.author == author and d.status == "open"), None)

    def new(self, author: str, base: str) -> Draft:
        draft = Draft(secrets.token_hex(6), author, now(), base)
        self.save(draft)
        return draft
