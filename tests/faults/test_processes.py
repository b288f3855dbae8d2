"""Fault suite: `make run` (scripts/run_stack.py) under a service manager's signals and a taken port.

Every wait polls with a deadline; every process is stopped by its pid.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant import PROJECT_ROOT
from assistant.stack import free_port

pytestmark = pytest.mark.e2e
RUN_STACK = PROJECT_ROOT / "scripts" / "run_stack.py"


def _children_of(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc), so the test can check for orphans later."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _env(tmp_path: Path, **ports: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "SIGNPOST_RASA_PORT": str(ports.get("rasa", free_port())),
        "SIGNPOST_ACTIONS_PORT": str(ports.get("actions", free_port())),
        "SIGNPOST_WEB_PORT": str(ports.get("web", free_port())),
        "SIGNPOST_WORKSPACE_PORT": str(ports.get("workspace", free_port())),
        "SIGNPOST_WORKSPACE_STATE": str(tmp_path / "workspace"),
        "SIGNPOST_TRACKER_DB": str(tmp_path / "db" / "tracker.db"),
        "SIGNPOST_LOG_DIR": str(tmp_path / "logs"),
        "SIGNPOST_API_TOKEN": "fault-suite-token",
    })
    return env


def _start(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
    out = tmp_path / "run_stack.out"
    handle = open(out, "wb")
    # Started the way a shell starts a background job: SIGINT ignored on entry.
    process = subprocess.Popen([sys.executable, str(RUN_STACK)], cwd=PROJECT_ROOT, env=env, stdout=handle,
                               stderr=subprocess.STDOUT, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    handle.close()
    return process, out


def _stop(process: subprocess.Popen, descendants: set[int]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(10)
    for pid in descendants:
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_stops_every_part_with_no_orphans(tmp_path: Path, signum: int) -> None:
    env = _env(tmp_path)
    (tmp_path / "logs").mkdir(mode=0o700)
    (tmp_path / "logs" / "rasa.log").write_text("evidence of the previous run\n")
    process, out = _start(tmp_path, env)
    descendants: set[int] = set()
    try:
        _wait_for(lambda: b"Signpost is running" in out.read_bytes() or process.poll() is not None, 300,
                  "make run to say it is running")
        assert process.poll() is None, out.read_text()[-3000:]
        text = out.read_text()
        assert "token required" in text and "Action server" in text and "on 127.0.0.1" in text
        # make run serves the authors' workspace beside the bot (issue 14), on loopback
        workspace = f"http://localhost:{env['SIGNPOST_WORKSPACE_PORT']}"
        assert f"Authors' workspace {workspace}" in text
        with urllib.request.urlopen(f"{workspace}/signin", timeout=10) as response:
            assert response.status == 200 and b"Sign in" in response.read()
        descendants = _children_of(process.pid)
        assert len(descendants) >= 3, descendants   # rasa, actions, web (and their children)
        os.kill(process.pid, signum)
        _wait_for(lambda: process.poll() is not None, 20, "run_stack.py to exit")
        _wait_for(lambda: not any(_alive(pid) for pid in descendants), 10, "every part to stop")
        assert process.returncode == 0
    finally:
        _stop(process, descendants)
    # Logs are appended, never truncated: the previous run's lines are still there.
    rasa_log = (tmp_path / "logs" / "rasa.log").read_text()
    assert rasa_log.startswith("evidence of the previous run\n") and len(rasa_log) > 40
    assert "starting" in (tmp_path / "logs" / "supervisor.log").read_text()


def test_a_taken_port_is_named_in_one_line_before_anything_starts(tmp_path: Path) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    taken = holder.getsockname()[1]
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o700)
    (logs / "actions.log").write_text("evidence of the previous crash\n")
    try:
        process, out = _start(tmp_path, _env(tmp_path, actions=taken))
        try:
            process.wait(60)
        finally:
            _stop(process, set())
        text = out.read_text()
        assert process.returncode == 1, text
        lines = [line for line in text.splitlines() if f"port {taken}" in line]
        assert len(lines) == 1 and "already in use" in lines[0] and "action server" in lines[0], text
        assert "Signpost is running" not in text
        assert (logs / "actions.log").read_text() == "evidence of the previous crash\n"
    finally:
        holder.close()
