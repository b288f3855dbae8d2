"""Fault suite: the PostgreSQL/Redis deployment survives a restart of Redis (its lock store).

Restarts the machine's Redis with the commands in the machine notes, and always
leaves it running again, even when the test fails.
"""
from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis

from tests.deploy.test_postgres_redis import REDIS, _start, database  # noqa: F401  (a fixture)

pytestmark = pytest.mark.services
REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
               "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"]


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis(**REDIS, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _ensure_redis_running() -> None:
    if not _redis_answers():
        subprocess.run(REDIS_START, check=False, timeout=30)
    _wait_for(_redis_answers, 30, "Redis to answer again")


@pytest.mark.skipif(REDIS["port"] != 6379 or REDIS["host"] != "127.0.0.1",
                    reason="restarts only the machine's own Redis on 127.0.0.1:6379")
def test_the_deployment_survives_a_redis_restart(database: str, tmp_path: Path) -> None:  # noqa: F811
    assert _redis_answers(), "Redis on 127.0.0.1:6379 does not answer; start it first"
    sender = f"redis-{uuid.uuid4().hex[:8]}"
    stack = _start(database, tmp_path / "logs")
    try:
        assert stack.send(sender, "pt says OH strangled her last night")
        facts = stack.tracker(sender)["slots"].get("facts") or {}
        try:
            subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False, timeout=30)
            _wait_for(lambda: not _redis_answers(), 15, "Redis to stop")
            assert stack.health()["lock_store"]["answers"] is False   # the operator sees it
            subprocess.run(REDIS_START, check=True, timeout=30)
            _wait_for(_redis_answers, 30, "Redis to answer again")
        finally:
            _ensure_redis_running()
        _wait_for(lambda: stack.health()["lock_store"]["answers"], 30, "health to see the lock store again")
        replies: list = []

        def answered() -> bool:
            nonlocal replies
            try:
                replies = stack.send(sender, "no")
            except OSError:
                return False
            return bool(replies)

        # The first message after the restart may meet a stale connection; the person's next one must work.
        _wait_for(answered, 60, "the bot to answer again after Redis came back")
        after = stack.tracker(sender)["slots"].get("facts") or {}
        assert {k: v for k, v in facts.items() if k in after} == {k: after[k] for k in facts if k in after}
        assert after.get("strangulation") is True
        assert stack.send(f"redis-{uuid.uuid4().hex[:8]}", "hello")
    finally:
        stack.stop()
