"""The server deployment: conversations in real PostgreSQL, locks in real Redis.

Starts the real Rasa and action servers with deploy/endpoints.server.yml
against the machine's PostgreSQL and Redis on loopback, each test run in a
database of its own that is dropped afterwards.
"""
from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
import redis

from assistant import PROJECT_ROOT
from assistant.stack import Stack, free_port, start_stack

PG = {
    "host": os.environ.get("SIGNPOST_TEST_PG_HOST", "127.0.0.1"),
    "port": int(os.environ.get("SIGNPOST_TEST_PG_PORT", "5432")),
    "user": os.environ.get("SIGNPOST_TEST_PG_USER", "postgres"),
    "password": os.environ.get("SIGNPOST_TEST_PG_PASSWORD", ""),
}
REDIS = {
    "host": os.environ.get("SIGNPOST_TEST_REDIS_HOST", "127.0.0.1"),
    "port": int(os.environ.get("SIGNPOST_TEST_REDIS_PORT", "6379")),
}
REDIS_DB = 11  # a database number nothing else on the machine uses
# A made-up name: the professional was asked not to type one, and did anyway.
TYPED_NAME = "Jocasta Quimby"


def _admin_connection() -> psycopg2.extensions.connection:
    connection = psycopg2.connect(dbname="postgres", **PG)
    connection.autocommit = True
    return connection


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    name = f"signpost_test_{uuid.uuid4().hex[:12]}"
    # No `with connection`: psycopg2 would wrap CREATE DATABASE in a transaction.
    admin = _admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    try:
        yield name
    finally:
        admin = _admin_connection()
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def _start(database: str, workdir: Path) -> Stack:
    return start_stack(
        rasa_port=free_port(),
        actions_port=free_port(),
        with_web=False,
        log_dir=workdir,
        endpoints=PROJECT_ROOT / "deploy" / "endpoints.server.yml",
        extra_env={
            "SIGNPOST_PG_HOST": PG["host"],
            "SIGNPOST_PG_PORT": str(PG["port"]),
            "SIGNPOST_PG_DB": database,
            "SIGNPOST_PG_USER": PG["user"],
            "SIGNPOST_PG_PASSWORD": PG["password"],
            "SIGNPOST_REDIS_HOST": REDIS["host"],
            "SIGNPOST_REDIS_PORT": str(REDIS["port"]),
            "SIGNPOST_REDIS_DB": str(REDIS_DB),
        },
    )


def _stored_events(database: str, sender: str) -> list[str]:
    with psycopg2.connect(dbname=database, **PG) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
        return [row[0] for row in cursor.fetchall()]


class RedisMonitor:
    """Records the commands Redis receives while it runs (Redis MONITOR)."""

    def __init__(self) -> None:
        self.commands: list[str] = []
        self._client = redis.Redis(**REDIS)
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self._client.monitor() as monitor:
            self._ready.set()
            for entry in monitor.listen():
                self.commands.append(entry["command"])
                if self._stop.is_set():
                    return

    def __enter__(self) -> RedisMonitor:
        self._thread.start()
        assert self._ready.wait(10), "Redis MONITOR did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._client.ping()  # wakes the listener so it sees the stop flag
        self._thread.join(10)


def test_conversation_is_stored_in_postgres_without_typed_words_and_survives_a_restart(
    database: str, tmp_path: Path
) -> None:
    sender = f"deploy-{uuid.uuid4().hex[:8]}"
    stack = _start(database, tmp_path / "first")
    try:
        with RedisMonitor() as monitor:
            replies = stack.send(
                sender, f"{TYPED_NAME} told me her partner strangled her last night, no kids at home"
            )
        assert replies, "the bot answered nothing"
        # Issue 10's other shapes (F): a knowledge question and a wrong-typed payload, both with the name.
        stack.send(sender, f"what is MARAC? asking for {TYPED_NAME}")
        stack.send(sender, '/inform{"weapon": "' + TYPED_NAME + '"}')
        facts_before = stack.tracker(sender)["slots"].get("facts") or {}
    finally:
        stack.stop()

    # Redis held this conversation's lock while the message was processed.
    assert any(f"signpost:lock:{sender}" in command for command in monitor.commands), monitor.commands[:20]

    stored = _stored_events(database, sender)
    assert any(json.loads(row).get("event") == "user" for row in stored), "the user turn was not stored"
    assert not [row for row in stored if TYPED_NAME.split()[0] in row], "typed words reached PostgreSQL"
    assert facts_before.get("strangulation") is True
    assert facts_before.get("children_in_household") is False

    # A new server process reads the same conversation back from PostgreSQL.
    restarted = _start(database, tmp_path / "second")
    try:
        facts_after = restarted.tracker(sender)["slots"].get("facts") or {}
        assert facts_after == facts_before
        assert restarted.send(sender, "/inform{\"recent_incident\": true}")
    finally:
        restarted.stop()
