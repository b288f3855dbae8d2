"""Sessions, CSRF tokens and the sign-in rate limit.

Sessions live in memory (a restart signs everyone out, which is safe); the
browser holds only a random id in an HttpOnly, SameSite=Strict cookie. Every
session, signed in or not, carries a CSRF token that every POST must echo.
"""
from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

SESSION_COOKIE = "signpost_ws"
SESSION_IDLE_SECONDS = 8 * 3600
FREE_TRIES = 5            # wrong passwords allowed before sign-in slows down
FIRST_WAIT_SECONDS = 30   # then each further wrong password doubles the wait
MAX_WAIT_SECONDS = 900


@dataclass
class Session:
    id: str
    csrf: str
    user: str | None = None
    last_seen: float = field(default_factory=time.monotonic)
    flash: str | None = None
    role: str | None = None   # set only for a person signed in through OpenID Connect (no local account)


class Sessions:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            now = self._clock()
            if session is None or now - session.last_seen > SESSION_IDLE_SECONDS:
                self._sessions.pop(session_id, None)
                return None
            session.last_seen = now
            return session

    def new(self, user: str | None = None, role: str | None = None) -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), user, self._clock(), role=role)
        with self._lock:
            self._sessions[session.id] = session
        return session

    def end(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)


def csrf_ok(session: Session | None, token: str | None) -> bool:
    if session is None or not token:
        return False
    return hmac.compare_digest(session.csrf, token)


class SignInLimiter:
    """Counts wrong passwords per name and per client address.

    After FREE_TRIES wrong passwords, sign-in (even with the right password)
    waits FIRST_WAIT_SECONDS, doubling with each further wrong one; a right
    password after the wait clears the count.
    """

    def __init__(self, free_tries: int = FREE_TRIES, clock: Callable[[], float] = time.monotonic):
        self.free_tries = free_tries
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (count, blocked until)
        self._lock = threading.Lock()

    def wait_seconds(self, *keys: str) -> int:
        now = self._clock()
        with self._lock:
            waits = [until - now for count, until in (self._failures.get(k, (0, 0.0)) for k in keys)]
        return max(0, int(max(waits, default=0) + 0.999))

    def failed(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                count, _ = self._failures.get(key, (0, 0.0))
                count += 1
                over = count - self.free_tries
                until = now + min(MAX_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2 ** min(over, 10)) if over >= 0 else 0.0
                self._failures[key] = (count, until)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
