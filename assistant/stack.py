"""Starts and stops the running parts: Rasa server, action server, demo page.

Shared by ``scripts/run_stack.py`` (``make run``) and the ``rasa_stack`` test
fixture, so tests exercise exactly what a newcomer runs. No Rasa import:
everything runs in subprocesses.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
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
            raise StackError(f"process for {url.split('?')[0]} exited with code {process.returncode}")
        try:
            status, body = _get(url)
            if status == 200 and (check is None or check(body)):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.5)
    raise StackError(f"{url.split('?')[0]} did not answer within {timeout:.0f} s")


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
    workspace_port: int | None = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)
    # The Rasa HTTP API (trackers, events, model) answers only with this token.
    api_token: str = ""
    cors_origins: tuple[str, ...] = ()
    interface: str = "127.0.0.1"
    actions_interface: str = "127.0.0.1"
    model: Path | None = None
    restarts: dict[str, int] = field(default_factory=dict)
    _commands: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _env: dict[str, str] = field(default_factory=dict, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _supervisor: threading.Thread | None = field(default=None, repr=False)
    _paused: set[str] = field(default_factory=set, repr=False)
    _health: dict[str, tuple[str, Any]] = field(default_factory=dict, repr=False)
    on_event: Any = None

    @property
    def rasa_url(self) -> str:
        return f"http://localhost:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://localhost:{self.actions_port}"

    @property
    def rest_url(self) -> str:
        return f"{self.rasa_url}/webhooks/signpost/webhook"

    @property
    def web_url(self) -> str | None:
        return f"http://localhost:{self.web_port}" if self.web_port else None

    @property
    def workspace_url(self) -> str | None:
        return f"http://localhost:{self.workspace_port}" if self.workspace_port else None

    @property
    def health_url(self) -> str:
        return f"{self.actions_url}/signpost/health"

    def health(self) -> dict[str, Any]:
        """The action server's report: guidance, knowledge, model, stores (also when it says 503)."""
        try:
            _, body = _get(self.health_url, timeout=30)
        except urllib.error.HTTPError as exc:
            body = exc.read()
        return json.loads(body)

    def api(self, path: str) -> str:
        """A Rasa HTTP API URL carrying the operator token."""
        joiner = "&" if "?" in path else "?"
        return f"{self.rasa_url}{path}{joiner}token={self.api_token}"

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
        _, body = _get(self.api(f"/conversations/{sender}/tracker"), timeout=30)
        return json.loads(body)

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.logs.get(name)
        if not path or not path.exists():
            return ""
        return path.read_text(errors="replace")[-chars:]

    def _event(self, message: str) -> None:
        line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} signpost: {message}"
        if self.on_event is not None:
            self.on_event(line)
        path = self.logs.get("supervisor")
        if path is not None:
            with _open_log(path) as handle:
                handle.write((line + "\n").encode())

    def _respawn(self, name: str) -> None:
        log = _open_log(self.logs[name]) if name in self.logs else None
        try:
            self.processes[name] = _spawn(self._commands[name], self._env, log)
        finally:
            if log is not None:
                log.close()

    def supervise(self) -> None:
        """Restarts any part that exits, with backoff (1 s doubling to 30 s; reset after a minute up)."""
        backoff = {name: 1.0 for name in self._commands}
        started = {name: time.monotonic() for name in self._commands}
        while not self._stopping.wait(0.5):
            for name in list(self._commands):
                with self._lock:
                    if self._stopping.is_set():
                        return
                    process = self.processes[name]
                    if name in self._paused or process.poll() is None:
                        if time.monotonic() - started[name] > 60:
                            backoff[name] = 1.0
                        continue
                    delay = backoff[name]
                    self._event(f"{name} exited with code {process.returncode}; restarting in {delay:.0f} s"
                                f" (see {self.logs.get(name, 'its output')})")
                if self._stopping.wait(delay):
                    return
                with self._lock:
                    if self._stopping.is_set():
                        return
                    self._respawn(name)
                    self.restarts[name] = self.restarts.get(name, 0) + 1
                    started[name] = time.monotonic()
                    backoff[name] = min(delay * 2, 30.0)
                    self._event(f"{name} restarted (pid {self.processes[name].pid},"
                                f" restart #{self.restarts[name]})")

    def stop_part(self, name: str) -> None:
        """Stops one part on purpose (a fault test): the supervisor leaves it down until start_part()."""
        with self._lock:
            self._paused.add(name)
            process = self.processes[name]
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            process.wait(timeout=30)

    def start_part(self, name: str, timeout: float = 180.0) -> None:
        """Starts a part stopped with stop_part() and waits until it answers."""
        with self._lock:
            if self.processes[name].poll() is not None:
                self._respawn(name)
            self._paused.discard(name)
        url, check = self._health[name]
        wait_until_healthy(url, self.processes[name], timeout=timeout, check=check)

    def start_supervising(self) -> None:
        self._supervisor = threading.Thread(target=self.supervise, name="signpost-supervisor", daemon=True)
        self._supervisor.start()

    def stop(self) -> None:
        self._stopping.set()
        if self.processes:
            self._event("stopping every part")
        with self._lock:
            for process in reversed(list(self.processes.values())):
                if process.poll() is None:
                    # Each part runs in its own process group so its children stop too.
                    try:
                        os.killpg(process.pid, signal.SIGTERM)
                    except ProcessLookupError:
                        continue
            deadline = time.monotonic() + 10
            for process in self.processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(process.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    process.wait(timeout=5)
        if self._supervisor is not None and self._supervisor is not threading.current_thread():
            self._supervisor.join(timeout=5)


LOG_ROTATE_BYTES = 20 * 1024 * 1024


def _open_log(path: Path) -> IO[bytes]:
    """Appends (never truncates) to a log created 0600; rotates it to .1 past 20 MB."""
    try:
        if path.stat().st_size > LOG_ROTATE_BYTES:
            path.replace(path.with_name(path.name + ".1"))
    except FileNotFoundError:
        pass
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.chmod(path, 0o600)
    return os.fdopen(fd, "ab")


def private_dir(path: Path) -> Path:
    """A folder only this user can read (logs, the tracker database)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.chmod(path, 0o700)
    except PermissionError:
        pass
    return path


def port_in_use(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def check_ports(ports: dict[str, tuple[str, int]]) -> None:
    """Fails before anything starts, naming a port another program holds."""
    for name, (host, port) in ports.items():
        if port_in_use(host, port):
            raise StackError(f"port {port} on {host} (for the {name}) is already in use by another program;"
                             f" stop it or choose another port")


def _spawn(command: list[str], env: dict[str, str], log: IO[bytes] | None) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT if log is not None else None,
        start_new_session=True,
        # Whatever a part creates (the tracker database, its journal) is private to this user.
        preexec_fn=lambda: os.umask(0o077),
    )


def allowed_origins(value: str | None, web_port: int | None) -> tuple[str, ...]:
    """The widget origins CORS allows: SIGNPOST_ALLOWED_ORIGIN(S) (comma or space
    separated), else the demo page's own origins."""
    if value and value.strip():
        return tuple(o for o in re.split(r"[,\s]+", value.strip()) if o)
    if web_port:
        return (f"http://localhost:{web_port}", f"http://127.0.0.1:{web_port}")
    return ()


def start_stack(
    *,
    rasa_port: int = 5005,
    actions_port: int = 5055,
    web_port: int | None = 8080,
    cors: str | list[str] | tuple[str, ...] | None = None,
    interface: str = "127.0.0.1",
    actions_interface: str | None = None,
    tracker_db: Path | None = None,
    log_dir: Path | None = None,
    with_web: bool = True,
    timeout: float = 240.0,
    endpoints: Path | None = None,
    credentials: Path | None = None,
    extra_env: dict[str, str] | None = None,
    api_token: str | None = None,
    supervise: bool = True,
    on_event: Any = None,
    workspace_port: int | None = None,
) -> Stack:
    """Checks the ports, trains if stale, starts every part and waits until each answers.

    ``log_dir`` sends each part's output to a file (appended, 0600, in a 0700
    folder); otherwise it goes to this terminal. The Rasa server listens on
    ``interface`` only (loopback by default) and its HTTP API needs
    ``Stack.api_token`` (SIGNPOST_API_TOKEN, else a random one per start); the
    action server listens on ``actions_interface`` (SIGNPOST_ACTIONS_HOST,
    default loopback). CORS allows ``cors`` (default: the demo page), never with
    credentials. ``tracker_db`` defaults to SIGNPOST_TRACKER_DB, then
    .rasa/tracker.db. ``supervise`` restarts a part that exits, with backoff.
    ``endpoints`` picks another endpoints file (e.g. deploy/endpoints.server.yml
    for PostgreSQL and Redis), whose settings come in ``extra_env``;
    ``credentials`` another channels file (e.g. one adding Teams).
    ``workspace_port`` also serves the authors' workspace (loopback only).
    """
    actions_interface = actions_interface or os.environ.get("SIGNPOST_ACTIONS_HOST") or "127.0.0.1"
    web_port = web_port if (with_web and WEB_SERVER_MODULE.exists()) else None
    check_ports(_ports_wanted(interface, rasa_port, actions_interface, actions_port, web_port, workspace_port))
    model = train_if_stale(quiet=log_dir is not None)
    if isinstance(cors, str) or cors is None:
        origins = allowed_origins(cors, web_port)
    else:
        origins = tuple(cors)
    stack = Stack(rasa_port=rasa_port, actions_port=actions_port, web_port=web_port,
                  tracker_db=_private_tracker_db(tracker_db),
                  api_token=api_token or os.environ.get("SIGNPOST_API_TOKEN") or secrets.token_urlsafe(24),
                  cors_origins=origins, interface=interface, actions_interface=actions_interface,
                  model=model, on_event=on_event, workspace_port=workspace_port)
    endpoints = endpoints or PROJECT_ROOT / "endpoints.yml"
    stack._env = _part_env(stack, endpoints, extra_env)
    stack._commands = _part_commands(stack, endpoints, credentials or PROJECT_ROOT / "credentials.yml")
    stack._health = _part_health(stack)
    _launch(stack, log_dir, timeout)
    if supervise:
        stack.start_supervising()
    return stack


def _ports_wanted(interface: str, rasa_port: int, actions_interface: str, actions_port: int,
                  web_port: int | None, workspace_port: int | None) -> dict[str, tuple[str, int]]:
    """Each part's (host, port), named as check_ports() names them to the person starting."""
    ports = {"Rasa server": (interface, rasa_port), "action server": (actions_interface, actions_port)}
    if web_port:
        ports["demo page"] = ("127.0.0.1", web_port)
    if workspace_port:
        ports["authors' workspace"] = ("127.0.0.1", workspace_port)
    return ports


def _private_tracker_db(tracker_db: Path | None) -> Path:
    """The tracker database (argument, SIGNPOST_TRACKER_DB, .rasa/tracker.db), created 0600 in a 0700 folder."""
    path = Path(tracker_db or os.environ.get("SIGNPOST_TRACKER_DB") or PROJECT_ROOT / ".rasa" / "tracker.db")
    private_dir(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)
    return path


def _part_env(stack: Stack, endpoints: Path, extra_env: dict[str, str] | None) -> dict[str, str]:
    """The environment every part runs with: where the others are, the token, the model."""
    assert stack.model is not None and stack.tracker_db is not None
    return subprocess_env(
        {
            "SIGNPOST_ACTIONS_URL": f"http://{_connect_host(stack.actions_interface)}:{stack.actions_port}/webhook",
            "SIGNPOST_TRACKER_DB": str(stack.tracker_db),
            "SIGNPOST_API_TOKEN": stack.api_token,
            "SIGNPOST_MODEL": stack.model.name,
            "SIGNPOST_ENDPOINTS_FILE": str(endpoints),
            "SIGNPOST_ACTIONS_HOST": stack.actions_interface,
            "PYTHONPATH": str(PROJECT_ROOT),
            **(extra_env or {}),
        }
    )


def _actions_command(stack: Stack) -> list[str]:
    return [sys.executable, "-m", "assistant.action_server", "--port", str(stack.actions_port),
            "--host", stack.actions_interface]


def _rasa_command(stack: Stack, endpoints: Path, credentials: Path) -> list[str]:
    # An empty --cors value when no origin is allowed: Rasa then sends no CORS header.
    return [sys.executable, "-m", "assistant.rasa_server", "run", "--enable-api",
            "--cors", *(stack.cors_origins or ("",)),
            "--model", str(stack.model), "--port", str(stack.rasa_port), "--interface", stack.interface,
            "--endpoints", str(endpoints), "--credentials", str(credentials)]


def _web_command(stack: Stack) -> list[str]:
    return [sys.executable, "-m", "channels.web.serve", "--port", str(stack.web_port),
            "--rasa-url", stack.rasa_url]


def _workspace_command(stack: Stack) -> list[str]:
    # Imported here: only a stack that serves the workspace needs aiohttp's app loaded.
    from assistant.workspace import command as workspace_command

    assert stack.workspace_port is not None
    return workspace_command(port=stack.workspace_port)


def _part_commands(stack: Stack, endpoints: Path, credentials: Path) -> dict[str, list[str]]:
    """Each part's command line, in start order (actions first: Rasa calls it)."""
    commands = {"actions": _actions_command(stack), "rasa": _rasa_command(stack, endpoints, credentials)}
    if stack.web_port:
        commands["web"] = _web_command(stack)
    if stack.workspace_port:
        commands["workspace"] = _workspace_command(stack)
    return commands


def _part_health(stack: Stack) -> dict[str, tuple[str, Any]]:
    """Where each part says it is ready, and what its answer must hold."""
    return {
        "actions": (stack.health_url, None),
        "rasa": (stack.api("/status"), _model_loaded),
        "web": (f"{stack.web_url}/", None),
        "workspace": (f"{stack.workspace_url}/signin", None),
    }


def _launch(stack: Stack, log_dir: Path | None, timeout: float) -> None:
    """Starts every part, then waits for each to answer; on any failure stops them all."""
    try:
        _open_logs(stack, log_dir)
        assert stack.model is not None
        stack._event(f"starting (model {stack.model.name})")
        for name in stack._commands:
            stack._respawn(name)
        _wait_ready(stack, timeout)
    except BaseException:
        stack.stop()
        raise


def _open_logs(stack: Stack, log_dir: Path | None) -> None:
    """Names each part's log file (and the supervisor's) in a private folder; none means this terminal."""
    if log_dir is None:
        return
    private_dir(log_dir)
    stack.logs["supervisor"] = log_dir / "supervisor.log"
    for name in stack._commands:
        stack.logs[name] = log_dir / f"{name}.log"


def _wait_ready(stack: Stack, timeout: float) -> None:
    """Waits until every part answers; a part that does not is named, with the end of its log."""
    for name in stack._commands:
        url, check = stack._health[name]
        try:
            wait_until_healthy(url, stack.processes[name], timeout=timeout, check=check)
        except StackError as exc:
            raise StackError(f"{name}: {exc}\n{stack.log_tail(name)}") from exc


def _connect_host(interface: str) -> str:
    return "127.0.0.1" if interface in ("0.0.0.0", "::", "127.0.0.1", "localhost", "") else interface
