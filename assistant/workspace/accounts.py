"""Local author accounts: a name, a role and an argon2 password hash.

Kept in STATE/authors.json (readable by its owner only). Passwords are never
stored or logged; argon2id is the memory-hard hash OWASP recommends first.
"""
from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("author", "reviewer")
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{1,39}$")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# verifying an unknown name still costs one hash, so timing does not tell which names exist
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class AccountError(ValueError):
    """A name, role or password that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class Author:
    name: str
    role: str

    @property
    def is_reviewer(self) -> bool:
        return self.role == "reviewer"


class Accounts:
    def __init__(self, state_dir: Path):
        self.file = Path(state_dir) / "authors.json"
        self._lock = threading.Lock()

    def _read(self) -> dict[str, dict]:
        try:
            return json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def _write(self, data: dict[str, dict]) -> None:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, sort_keys=True)
        os.replace(tmp, self.file)

    def add(self, name: str, role: str, password: str) -> Author:
        """Adds the author, or sets a new password and role for an existing one."""
        if not NAME_PATTERN.match(name):
            raise AccountError("a name is 2-40 letters, digits, dots, dashes or underscores, starting with a letter")
        if role not in ROLES:
            raise AccountError(f"the role must be one of: {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
        with self._lock:
            data = self._read()
            data[name] = {"role": role, "hash": _hasher.hash(password)}
            self._write(data)
        return Author(name, role)

    def remove(self, name: str) -> bool:
        with self._lock:
            data = self._read()
            if data.pop(name, None) is None:
                return False
            self._write(data)
            return True

    def get(self, name: str) -> Author | None:
        entry = self._read().get(name)
        return Author(name, entry["role"]) if entry else None

    def all(self) -> list[Author]:
        return [Author(n, e["role"]) for n, e in sorted(self._read().items())]

    def verify(self, name: str, password: str) -> Author | None:
        entry = self._read().get(name)
        try:
            _hasher.verify(entry["hash"] if entry else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        return Author(name, entry["role"]) if entry else None
