"""Fault suite: guidance broken at start-up, and parts killed mid-conversation.

One stack for the module, started on a copy of pathways/ whose rules.yaml was
broken after a good version had been accepted (and so kept on disk).
"""
from __future__ import annotations

import os
import shutil
import signal
import time
import uuid
from collections.abc import Iterator

import pytest

from assistant import PATHWAYS_DIR
from assistant.guidance import GuidanceStore
from assistant.stack import Stack, free_port, start_stack
from bench.rest_driver import triage
from bench.rest_scenarios import NO_DANGER

pytestmark = pytest.mark.e2e
BROKEN_RULES = "rules:\n  - id: [this list is never closed\n"


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def broken_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("broken_guidance")
    pathways = workdir / "pathways"
    shutil.copytree(PATHWAYS_DIR, pathways)
    state = workdir / "state"
    previous = os.environ.get("SIGNPOST_STATE_DIR")
    os.environ["SIGNPOST_STATE_DIR"] = str(state)
    try:
        good_version = GuidanceStore(pathways).version   # accepted, so kept on disk
    finally:
        if previous is None:
            os.environ.pop("SIGNPOST_STATE_DIR", None)
        else:
            os.environ["SIGNPOST_STATE_DIR"] = previous
    (pathways / "rules.yaml").write_text(BROKEN_RULES)
    stack = start_stack(
        rasa_port=free_port(), actions_port=free_port(), with_web=False,
        tracker_db=workdir / "tracker.db", log_dir=workdir / "logs",
        extra_env={"SIGNPOST_PATHWAYS_DIR": str(pathways), "SIGNPOST_STATE_DIR": str(state)},
    )
    stack.good_version = good_version  # type: ignore[attr-defined]
    try:
        yield stack
    finally:
        stack.stop()


def test_a_broken_rules_file_at_start_up_serves_the_last_good_guidance(broken_stack: Stack) -> None:
    health = broken_stack.health()
    guidance = health["guidance"]
    assert guidance["version"] == broken_stack.good_version  # type: ignore[attr-defined]
    assert guidance["serving_last_good_copy"] is True
    refused = guidance["refused_edit"]
    assert refused and all(r["file"].endswith("rules.yaml") for r in refused), refused
    assert all(r["line"] >= 1 for r in refused), refused
    assert health["status"] == "degraded"
    assert health["tracker_store"]["answers"] and health["lock_store"]["answers"]
    assert health["model"] == broken_stack.model.name  # type: ignore[union-attr]
    # Triage still works for the person, from the last good guidance.
    conv = triage(broken_stack.send, f"fault-{uuid.uuid4().hex[:8]}", "pt says OH strangled her last night",
                  NO_DANGER, {})
    assert "marac" in conv.pathway_ids, conv.texts()[-2000:]
    assert "something went wrong" not in conv.texts().lower()
    # The refusal is in the action server's log with file:line, for an operator.
    log = broken_stack.log_tail("actions", 200_000)
    assert "edit refused at" in log and "rules.yaml:" in log


def test_killing_the_rasa_server_mid_conversation_resumes_from_the_store(broken_stack: Stack) -> None:
    sender = f"fault-{uuid.uuid4().hex[:8]}"
    assert broken_stack.send(sender, "pt says OH strangled her last night")
    facts = broken_stack.tracker(sender)["slots"].get("facts") or {}
    assert facts.get("strangulation") is True
    old = broken_stack.processes["rasa"].pid
    os.killpg(old, signal.SIGKILL)
    _wait_for(lambda: broken_stack.processes["rasa"].pid != old, 30, "the supervisor to restart Rasa")
    _wait_for(lambda: broken_stack.tracker(sender) is not None, 180, "the restarted Rasa server to answer")
    assert (broken_stack.tracker(sender)["slots"].get("facts") or {}) == facts
    assert broken_stack.send(sender, "no")  # the conversation carries on
    assert "rasa restarted" in broken_stack.log_tail("supervisor")


def test_an_action_server_that_exits_is_restarted(broken_stack: Stack) -> None:
    old = broken_stack.processes["actions"].pid
    os.killpg(old, signal.SIGKILL)
    _wait_for(lambda: broken_stack.processes["actions"].pid != old, 30, "the supervisor to restart the actions")
    _wait_for(lambda: broken_stack.health()["guidance"]["version"], 120, "the restarted action server")
    assert "actions exited with code" in broken_stack.log_tail("supervisor")
    assert broken_stack.restarts["actions"] >= 1
