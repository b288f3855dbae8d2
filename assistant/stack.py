"""Starts and stops the running parts: Rasa server, action server, demo page.

Shared by ``scripts/run_stack.py`` (``make run``) and the ``rasa_stack`` test
fixture, so tests exercise exactly what a newcomer runs. No Rasa import:
everything runs in subprocesses.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from assistant import PROJECT_ROOT
from assistant.model_cache import subprocess_env, train_if_stale

WEB_SERVER_MODULE = PROJECT_ROOT / "channels" / "web" / "serve.py"


class StackError(RuntimeError):
    """A part of the stack did not start; the message says which and shows its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def wait_until_healthy(
    url: str,
    process: subprocess.Popen | None = None,
    timeout: float = 180.0,
    check: Any = None,
) -> None:
    """Polls ``url`` until it answers 200 (and ``check(body)`` holds), or fails.

    Fails fast when the process dies, so a broken start shows its log at once.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StackError(f"process for {url} exited with code {process.returncode}")
        try:
            status, body = _get(url)
            if status == 200 and (check is None or check(body)):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.5)
    raise StackError(f"{url} did not answer within {timeout:.0f} s")


def _model_loaded(body: bytes) -> bool:
    try:
        return bool(json.loads(body).get("model_file"))
    except ValueError:
        return False


@dataclass
class Stack:
    """A running Rasa server, action server and (when present) demo page."""

    rasa_port: int
    actions_port: int
    web_port: int | None = None
    tracker_db: Path | None = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://localhost:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://localhost:{self.actions_port}"

    @property
    def rest_url(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    @property
    def web_url(self) -> str | None:
        return f"http://localhost:{self.web_port}" if self.web_port else None

    def send(self, sender: str, message: str, timeout: float = 60.0) -> list[dict[str, Any]]:
        """Sends one message over the REST channel; returns the bot's replies."""
        request = urllib.request.Request(
            self.rest_url,
            data=json.dumps({"sender": sender, "message": message}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def tracker(self, sender: str) -> dict[str, Any]:
        _, body = _get(f"{self.rasa_url}/conversations/{sender}/tracker", timeout=30)
        return json.loads(body)

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.logs.get(name)
        if not path or not path.exists():
            return ""
        return path.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                # Each part runs in its own process group so its children stop too.
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=5)


def _spawn(command: list[str], env: dict[str, str], log: IO[bytes] | None) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT if log is not None else None,
        start_new_session=True,
    )


def start_stack(
    *,
    rasa_port: int = 5005,
    actions_port: int = 5055,
    web_port: int | None = 8080,
    cors: str = "*",
    interface: str = "127.0.0.1",
    tracker_db: Path | None = None,
    log_dir: Path | None = None,
    with_web: bool = True,
    timeout: float = 240.0,
    endpoints: Path | None = None,
    credentials: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Stack:
    """Trains if stale, starts every part and waits until each answers.

    ``log_dir`` sends each part's output to a file (tests); otherwise it goes
    to this terminal (``make run``). The Rasa server listens on ``interface``
    only (loopback by default: its HTTP API can read conversations).
    ``endpoints`` picks another endpoints file (e.g. deploy/endpoints.server.yml
    for PostgreSQL and Redis), whose settings come in ``extra_env``;
    ``credentials`` another channels file (e.g. one adding Teams).
    """
    model = train_if_stale(quiet=log_dir is not None)
    tracker_db = tracker_db or PROJECT_ROOT / ".rasa" / "tracker.db"
    tracker_db.parent.mkdir(parents=True, exist_ok=True)
    web_port = web_port if (with_web and WEB_SERVER_MODULE.exists()) else None
    stack = Stack(rasa_port=rasa_port, actions_port=actions_port, web_port=web_port, tracker_db=tracker_db)
    env = subprocess_env(
        {
            "SIGNPOST_ACTIONS_URL": f"http://localhost:{actions_port}/webhook",
            "SIGNPOST_TRACKER_DB": str(tracker_db),
            "PYTHONPATH": str(PROJECT_ROOT),
            **(extra_env or {}),
        }
    )
    endpoints = endpoints or PROJECT_ROOT / "endpoints.yml"
    credentials = credentials or PROJECT_ROOT / "credentials.yml"
    commands = {
        "actions": [sys.executable, "-m", "rasa_sdk", "--actions", "assistant.actions",
                    "--port", str(actions_port)],
        "rasa": [sys.executable, "-m", "rasa", "run", "--enable-api", "--cors", cors,
                 "--model", str(model), "--port", str(rasa_port), "--interface", interface,
                 "--endpoints", str(endpoints), "--credentials", str(credentials)],
    }
    if web_port:
        commands["web"] = [sys.executable, "-m", "channels.web.serve", "--port", str(web_port),
                           "--rasa-url", stack.rasa_url]
    health = {
        "actions": (f"{stack.actions_url}/health", None),
        "rasa": (f"{stack.rasa_url}/status", _model_loaded),
        "web": (f"{stack.web_url}/", None),
    }
    try:
        for name, command in commands.items():
            log = None
            if log_dir is not None:
                log_dir.mkdir(parents=True, exist_ok=True)
                stack.logs[name] = log_dir / f"{name}.log"
                log = open(stack.logs[name], "wb")
            stack.processes[name] = _spawn(command, env, log)
        for name in commands:
            url, check = health[name]
            try:
                wait_until_healthy(url, stack.processes[name], timeout=timeout, check=check)
            except StackError as exc:
                raise StackError(f"{name}: {exc}\n{stack.log_tail(name)}") from exc
    except BaseException:
        stack.stop()
        raise
    return stack
