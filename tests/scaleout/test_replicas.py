"""Scale-out as a deployment runs it, as processes on this machine.

nginx (Debian's) in front of two Rasa servers and two action servers; the
conversations in the machine's PostgreSQL (a throwaway database) and their
locks in its Redis, so any replica may take any turn. Fifty conversations of
eight turns run at once; one Rasa replica and one action server are killed
mid-run. Every turn must be answered, and every conversation must be stored
whole and in order.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest
import redis

from assistant import PROJECT_ROOT
from assistant.model_cache import subprocess_env, train_if_stale
from assistant.stack import free_port, wait_until_healthy

pytestmark = [pytest.mark.services, pytest.mark.stack]

PG = {"host": os.environ.get("SIGNPOST_TEST_PG_HOST", "127.0.0.1"),
      "port": int(os.environ.get("SIGNPOST_TEST_PG_PORT", "5432")),
      "user": os.environ.get("SIGNPOST_TEST_PG_USER", "postgres"),
      "password": os.environ.get("SIGNPOST_TEST_PG_PASSWORD", "")}
REDIS = {"host": os.environ.get("SIGNPOST_TEST_REDIS_HOST", "127.0.0.1"),
         "port": int(os.environ.get("SIGNPOST_TEST_REDIS_PORT", "6379"))}
REDIS_DB = 12          # a database number nothing else on the machine uses
CONVERSATIONS = 50
# A replica killed mid-turn leaves its conversation's lock ticket in Redis; the
# turn retried on the other replica waits for the ticket to expire. Rasa's
# default is 60 s; a deployment behind a load balancer shortens it.
LOCK_LIFETIME_S = 10
# Button payloads make every conversation's stored order checkable; one free
# question in the middle exercises the knowledge search on either replica.
TURNS = [
    "hello",
    '/inform{"immediate_danger": false}',
    '/inform{"disclosure_source": "victim"}',
    '/inform{"recent_incident": true}',
    '/inform{"children_in_household": false}',
    "what is a marac?",
    '/inform{"strangulation": true}',
    "/show_advice",
]
EXPECTED_FACTS = {"immediate_danger": False, "disclosure_source": "victim", "recent_incident": True,
                  "children_in_household": False, "strangulation": True}
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _services_or_fail() -> None:
    """Say clearly what is missing rather than hanging on a connect."""
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
    if problems:
        pytest.fail("the scale-out test needs " + "; ".join(problems))


@dataclass
class Topology:
    entry_url: str
    database: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: Path | None = None

    def kill(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(timeout=30)

    def stop(self) -> None:
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
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def _nginx_conf(folder: Path, temp: Path, listen: int, rasa: list[int], listen_actions: int,
                actions: list[int]) -> Path:
    upstream = "\n".join
    conf = folder / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
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
    upstream rasa {{ {upstream(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in rasa)} }}
    upstream actions {{ {upstream(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in actions)} }}
    server {{
        listen 127.0.0.1:{listen};
        location /webhooks/ {{
            proxy_pass http://rasa;
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_read_timeout 120s;
        }}
        location / {{ return 404; }}
    }}
    server {{
        listen 127.0.0.1:{listen_actions};
        location / {{
            proxy_pass http://actions;
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_read_timeout 60s;
        }}
    }}
}}
""")
    return conf


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=open(log, "ab"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def _channel_path() -> str:
    """The project's REST channel when credentials.yml has it, else Rasa's."""
    credentials = (PROJECT_ROOT / "credentials.yml").read_text()
    return "/webhooks/signpost/webhook" if "channels.rest" in credentials else "/webhooks/rest/webhook"


def post(url: str, sender: str, message: str) -> list[dict]:
    request = urllib.request.Request(url, data=json.dumps({"sender": sender, "message": message}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=150) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    _services_or_fail()
    folder = tmp_path_factory.mktemp("scaleout")
    model = train_if_stale(quiet=True)
    database = f"signpost_scaleout_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(dbname="postgres", **PG)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{database}"')
    admin.close()
    redis.Redis(**REDIS, db=REDIS_DB).flushdb()
    rasa_ports, action_ports = [free_port(), free_port()], [free_port(), free_port()]
    entry, actions_entry = free_port(), free_port()
    env = subprocess_env({
        "PYTHONPATH": str(PROJECT_ROOT),
        "SIGNPOST_ACTIONS_URL": f"http://127.0.0.1:{actions_entry}/webhook",
        "SIGNPOST_PG_HOST": PG["host"], "SIGNPOST_PG_PORT": str(PG["port"]), "SIGNPOST_PG_DB": database,
        "SIGNPOST_PG_USER": PG["user"], "SIGNPOST_PG_PASSWORD": PG["password"],
        "SIGNPOST_REDIS_HOST": REDIS["host"], "SIGNPOST_REDIS_PORT": str(REDIS["port"]),
        "SIGNPOST_REDIS_DB": str(REDIS_DB), "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_S),
    })
    temp: Path | None = None
    topo = Topology(entry_url=f"http://127.0.0.1:{entry}{_channel_path()}", database=database, logs=folder)
    try:
        for i, port in enumerate(action_ports, 1):
            topo.processes[f"actions-{i}"] = _spawn(
                [sys.executable, "-m", "assistant.action_server", "--port", str(port), "--host", "127.0.0.1"],
                env, folder / f"actions-{i}.log")
        # nginx's workers run as nobody: their temp folder must be reachable by it,
        # which pytest's private tmp folder is not
        temp = Path(tempfile.mkdtemp(prefix="signpost-nginx-"))
        temp.chmod(0o777)
        conf = _nginx_conf(folder, temp, entry, rasa_ports, actions_entry, action_ports)
        topo.processes["nginx"] = _spawn([NGINX, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"],
                                         env, folder / "nginx.log")
        for i, port in enumerate(rasa_ports, 1):
            topo.processes[f"rasa-{i}"] = _spawn(
                [sys.executable, "-m", "assistant.rasa_server", "run", "--model", str(model), "--port", str(port),
                 "--interface", "127.0.0.1", "--endpoints", "deploy/endpoints.server.yml",
                 "--credentials", "credentials.yml"], env, folder / f"rasa-{i}.log")
        for i, port in enumerate(action_ports, 1):
            wait_until_healthy(f"http://127.0.0.1:{port}/signpost/health", topo.processes[f"actions-{i}"],
                               timeout=240)
        for i, port in enumerate(rasa_ports, 1):
            wait_until_healthy(f"http://127.0.0.1:{port}/", topo.processes[f"rasa-{i}"], timeout=300)
        yield topo
    finally:
        topo.stop()
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
        admin = psycopg2.connect(dbname="postgres", **PG)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,))
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
        admin.close()
        redis.Redis(**REDIS, db=REDIS_DB).flushdb()


def _stored_user_turns(database: str, sender: str) -> tuple[list[str], dict]:
    """The intents of the stored user turns, in order, and the last facts slot."""
    connection = psycopg2.connect(dbname=database, **PG)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT type_name, intent_name, data FROM events WHERE sender_id = %s ORDER BY id",
                           (sender,))
            rows = cursor.fetchall()
    finally:
        connection.close()
    intents = [intent for kind, intent, _ in rows if kind == "user"]
    facts: dict = {}
    for kind, _, data in rows:
        event = json.loads(data)
        if kind == "slot" and event.get("name") == "facts":
            facts = event.get("value") or {}
    return intents, facts


def test_fifty_conversations_survive_losing_a_rasa_replica_and_an_action_server(topology: Topology) -> None:
    answered: dict[str, list[list[dict]]] = {}
    done_turns = 0
    lock = threading.Lock()
    killed = threading.Event()

    def converse(index: int) -> str:
        nonlocal done_turns
        sender = f"scale-{index:02d}-{uuid.uuid4().hex[:8]}"
        answered[sender] = []
        for message in TURNS:
            answered[sender].append(post(topology.entry_url, sender, message))
            with lock:
                done_turns += 1
                # mid-run: a third of the turns are done, the rest still to come
                if done_turns == len(TURNS) * CONVERSATIONS // 3 and not killed.is_set():
                    killed.set()
                    topology.kill("rasa-1")
                    topology.kill("actions-1")
        return sender

    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        senders = list(pool.map(converse, range(CONVERSATIONS)))

    assert killed.is_set()
    assert topology.processes["rasa-1"].poll() is not None and topology.processes["actions-1"].poll() is not None
    unanswered = [(s, i) for s in senders for i, replies in enumerate(answered[s]) if not replies]
    assert not unanswered, f"turns with no reply: {unanswered[:5]}"
    no_card = [s for s in senders
               if not any("recommendation" in (r.get("custom") or {}) for r in answered[s][-1])]
    assert not no_card, f"conversations without their recommendation: {no_card[:5]}"
    for sender in senders:
        intents, facts = _stored_user_turns(topology.database, sender)
        assert len(intents) == len(TURNS), (sender, intents)   # none lost, none applied twice
        assert intents[1:5] == ["inform"] * 4 and intents[6:] == ["inform", "show_advice"], (sender, intents)
        assert {k: facts.get(k) for k in EXPECTED_FACTS} == EXPECTED_FACTS, (sender, facts)
