"""The scale-out topology as processes on one machine (no container runtime runs here).

nginx (Debian's) in front of N Rasa servers and N action servers, the
conversations in the machine's PostgreSQL (a throwaway database, dropped on
stop) and their locks in its Redis, so any replica may take any turn: the
layout of deploy/compose.yaml without the containers.

Used by tests/scaleout (losing a replica mid-run) and bench.replicas (what a
turn costs with one and with two replicas). In bench/ so the bench never
imports the tests. Every process runs in its own session and is stopped by
its pid, also when starting fails half-way or is interrupted.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import psycopg2
import redis

from assistant import PROJECT_ROOT
from assistant.model_cache import subprocess_env, train_if_stale
from assistant.stack import free_port, wait_until_healthy
from bench.processes import children

PG = {"host": os.environ.get("SIGNPOST_TEST_PG_HOST", "127.0.0.1"),
      "port": int(os.environ.get("SIGNPOST_TEST_PG_PORT", "5432")),
      "user": os.environ.get("SIGNPOST_TEST_PG_USER", "postgres"),
      "password": os.environ.get("SIGNPOST_TEST_PG_PASSWORD", "")}
REDIS = {"host": os.environ.get("SIGNPOST_TEST_REDIS_HOST", "127.0.0.1"),
         "port": int(os.environ.get("SIGNPOST_TEST_REDIS_PORT", "6379"))}
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


class TopologyError(RuntimeError):
    """The topology could not start or be changed; the message says what is missing or broken."""


def missing_services() -> list[str]:
    """What the machine lacks for the topology, said plainly rather than found by a hanging connect."""
    problems = []
    try:
        psycopg2.connect(dbname="postgres", connect_timeout=3, **PG).close()
    except psycopg2.OperationalError as exc:
        problems.append(f"PostgreSQL at {PG['host']}:{PG['port']} ({exc.args[0].strip()})")
    try:
        redis.Redis(**REDIS, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis at {REDIS['host']}:{REDIS['port']} ({exc})")
    if not os.path.exists(NGINX):
        problems.append("nginx (apt-get install nginx-light; make install does)")
    return problems


def channel_path() -> str:
    """The project's REST channel when credentials.yml has it, else Rasa's."""
    credentials = (PROJECT_ROOT / "credentials.yml").read_text()
    return "/webhooks/signpost/webhook" if "channels.rest" in credentials else "/webhooks/rest/webhook"


def post(url: str, sender: str, message: str, timeout: float = 150.0) -> list[dict[str, Any]]:
    request = urllib.request.Request(url, data=json.dumps({"sender": sender, "message": message}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        result: list[dict[str, Any]] = json.loads(response.read())
        return result


def _admin() -> Any:
    connection = psycopg2.connect(dbname="postgres", **PG)
    connection.autocommit = True   # CREATE/DROP DATABASE cannot run in a transaction
    return connection


@dataclass
class Topology:
    folder: Path
    replicas: int
    database: str
    redis_db: int
    rasa_ports: list[int]
    action_ports: list[int]
    entry_port: int
    actions_entry_port: int
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    routed: int = 0
    _nginx_temp: Path | None = None
    _logs: list[IO[bytes]] = field(default_factory=list)
    _database_created: bool = False

    @property
    def entry_url(self) -> str:
        return f"http://127.0.0.1:{self.entry_port}{channel_path()}"

    @property
    def logs(self) -> Path:
        return self.folder

    def rasa_url(self, replica: int) -> str:
        """One Rasa replica's own REST channel, past nginx (to warm it, say)."""
        return f"http://127.0.0.1:{self.rasa_ports[replica - 1]}{channel_path()}"

    def server_pids(self) -> dict[str, int]:
        """The pid of every part still running, by name (rasa-1, actions-1, ..., nginx)."""
        return {name: p.pid for name, p in self.processes.items() if p.poll() is None}

    def kill(self, name: str) -> None:
        """As a crash would: SIGKILL, no chance to finish the turn in hand."""
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(timeout=30)

    def route_to(self, replicas: int, timeout: float = 30.0) -> None:
        """nginx sends turns (and action calls) to the first ``replicas`` of each server only.

        The others keep running, idle. nginx reloads gracefully; this returns
        once the workers of the old configuration are gone.
        """
        if not 1 <= replicas <= self.replicas:
            raise ValueError(f"between 1 and {self.replicas} replicas, not {replicas}")
        nginx = self.processes["nginx"]
        before = set(children(nginx.pid))
        self._write_nginx_conf(replicas)
        os.kill(nginx.pid, signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            workers = set(children(nginx.pid))
            if workers and not workers & before:
                self.routed = replicas
                return
            if nginx.poll() is not None:
                break
            time.sleep(0.1)
        raise TopologyError(f"nginx did not take the new configuration; see {self.folder}/nginx-error.log")

    def stored_events(self, sender: str) -> list[tuple[str, str | None, str]]:
        """(type, intent, event JSON) of a conversation's stored events, in the order they were stored."""
        connection = psycopg2.connect(dbname=self.database, **PG)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT type_name, intent_name, data FROM events WHERE sender_id = %s ORDER BY id",
                               (sender,))
                return list(cursor.fetchall())
        finally:
            connection.close()

    def database_backends(self) -> list[int]:
        """The PostgreSQL server processes serving this topology's database just now."""
        connection = _admin()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,))
                return [int(row[0]) for row in cursor.fetchall()]
        finally:
            connection.close()

    def stop(self) -> None:
        """Every process by its pid, then the nginx temp folder, the database and the Redis keys.

        Each step runs even when an earlier one fails, so nothing is left behind.
        """
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=5)
        for log in self._logs:
            log.close()
        self._logs.clear()
        if self._nginx_temp is not None:
            shutil.rmtree(self._nginx_temp, ignore_errors=True)
        try:
            if self._database_created:
                admin = _admin()
                try:
                    with admin.cursor() as cursor:
                        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                                       (self.database,))
                        cursor.execute(f'DROP DATABASE IF EXISTS "{self.database}"')
                    self._database_created = False
                finally:
                    admin.close()
        finally:
            redis.Redis(**REDIS, db=self.redis_db).flushdb()

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = open(self.folder / f"{name}.log", "ab")
        self._logs.append(log)
        self.processes[name] = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)

    def _write_nginx_conf(self, replicas: int) -> Path:
        assert self._nginx_temp is not None
        temp = self._nginx_temp
        rasa = " ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in self.rasa_ports[:replicas])
        actions = " ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;"
                           for p in self.action_ports[:replicas])
        conf = self.folder / "nginx.conf"
        # The same routes as deploy/nginx/nginx.conf, on loopback ports.
        conf.write_text(f"""
worker_processes 1;
pid {self.folder}/nginx.pid;
error_log {self.folder}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi; uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
    client_max_body_size 4m;
    # The trackers Rasa sends the action servers are large: keep them in memory.
    client_body_buffer_size 4m;
    proxy_buffer_size 64k;
    proxy_buffers 16 64k;
    upstream rasa {{ {rasa} }}
    upstream actions {{ {actions} }}
    server {{
        listen 127.0.0.1:{self.entry_port};
        location /webhooks/ {{
            proxy_pass http://rasa;
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_read_timeout 120s;
        }}
        location / {{ return 404; }}
    }}
    server {{
        listen 127.0.0.1:{self.actions_entry_port};
        location / {{
            proxy_pass http://actions;
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_read_timeout 60s;
        }}
    }}
}}
""")
        return conf


def start_topology(folder: Path, replicas: int = 2, *, redis_db: int, lock_lifetime_s: int = 10,
                   model: Path | None = None) -> Topology:
    """Starts the topology and returns once every server answers its health check.

    ``redis_db`` is a Redis database number nothing else on the machine uses;
    it is emptied at start and stop. ``lock_lifetime_s`` is Rasa's
    TICKET_LOCK_LIFETIME: a replica killed mid-turn leaves its conversation's
    ticket in Redis, and the turn retried on another replica waits for it to
    expire (Rasa's default is 60 s; a deployment behind a load balancer
    shortens it). On any failure, or an interrupt, what was started is stopped.
    """
    problems = missing_services()
    if problems:
        raise TopologyError("the scale-out topology needs " + "; ".join(problems))
    model = model or train_if_stale(quiet=True)
    topo = Topology(folder=folder, replicas=replicas, database=f"signpost_scaleout_{uuid.uuid4().hex[:10]}",
                    redis_db=redis_db, rasa_ports=[free_port() for _ in range(replicas)],
                    action_ports=[free_port() for _ in range(replicas)], entry_port=free_port(),
                    actions_entry_port=free_port())
    try:
        admin = _admin()
        try:
            with admin.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{topo.database}"')
            topo._database_created = True
        finally:
            admin.close()
        redis.Redis(**REDIS, db=redis_db).flushdb()
        env = subprocess_env({
            "PYTHONPATH": str(PROJECT_ROOT),
            "SIGNPOST_ACTIONS_URL": f"http://127.0.0.1:{topo.actions_entry_port}/webhook",
            "SIGNPOST_PG_HOST": str(PG["host"]), "SIGNPOST_PG_PORT": str(PG["port"]),
            "SIGNPOST_PG_DB": topo.database, "SIGNPOST_PG_USER": str(PG["user"]),
            "SIGNPOST_PG_PASSWORD": str(PG["password"]),
            "SIGNPOST_REDIS_HOST": str(REDIS["host"]), "SIGNPOST_REDIS_PORT": str(REDIS["port"]),
            "SIGNPOST_REDIS_DB": str(redis_db), "TICKET_LOCK_LIFETIME": str(lock_lifetime_s),
        })
        for i, port in enumerate(topo.action_ports, 1):
            topo._spawn(f"actions-{i}", [sys.executable, "-m", "assistant.action_server", "--port", str(port),
                                         "--host", "127.0.0.1"], env)
        # nginx's workers run as nobody: their temp folder must be reachable by
        # it, which a private temporary folder (pytest's, say) is not
        topo._nginx_temp = Path(tempfile.mkdtemp(prefix="signpost-nginx-"))
        topo._nginx_temp.chmod(0o777)
        conf = topo._write_nginx_conf(replicas)
        topo.routed = replicas
        topo._spawn("nginx", [NGINX, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"], env)
        for i, port in enumerate(topo.rasa_ports, 1):
            topo._spawn(f"rasa-{i}", [sys.executable, "-m", "assistant.rasa_server", "run", "--model", str(model),
                                      "--port", str(port), "--interface", "127.0.0.1",
                                      "--endpoints", "deploy/endpoints.server.yml",
                                      "--credentials", "credentials.yml"], env)
        for i, port in enumerate(topo.action_ports, 1):
            wait_until_healthy(f"http://127.0.0.1:{port}/signpost/health", topo.processes[f"actions-{i}"],
                               timeout=240)
        for i, port in enumerate(topo.rasa_ports, 1):
            wait_until_healthy(f"http://127.0.0.1:{port}/", topo.processes[f"rasa-{i}"], timeout=300)
    except BaseException:
        topo.stop()
        raise
    return topo


@contextmanager
def running_topology(folder: Path, replicas: int = 2, *, redis_db: int, lock_lifetime_s: int = 10,
                     model: Path | None = None) -> Iterator[Topology]:
    """start_topology, stopped on leaving the block however it is left."""
    topo = start_topology(folder, replicas, redis_db=redis_db, lock_lifetime_s=lock_lifetime_s, model=model)
    try:
        yield topo
    finally:
        topo.stop()


def main() -> int:
    """`python -m bench.topology`: says whether this machine has what the services tests
    (tests/deploy, tests/scaleout) need; CI runs it before `make test` to fail at once."""
    problems = missing_services()
    for problem in problems:
        print(f"missing: {problem}; start it, or set SIGNPOST_TEST_PG_* / SIGNPOST_TEST_REDIS_*", file=sys.stderr)
    if not problems:
        print(f"PostgreSQL at {PG['host']}:{PG['port']}, Redis at {REDIS['host']}:{REDIS['port']} and nginx: present")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
