"""Entry point for the action server: ``python -m assistant.action_server --port 5055``.

rasa_sdk's own CLI always listens on every interface (0.0.0.0) unless
SANIC_HOST is set; this one binds SIGNPOST_ACTIONS_HOST (default 127.0.0.1:
only the Rasa server on this machine calls it) and adds ``/signpost/health``,
which reports what the bot is serving and whether its stores answer:
the guidance version in use and any refused edit (file:line), the knowledge
version, the phrasings, the model, the tracker store and the lock store.
"""
from __future__ import annotations

import argparse
import logging
import os
import re
import socket
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from assistant import PROJECT_ROOT

log = logging.getLogger("signpost.health")


def _expand(value: Any) -> Any:
    if isinstance(value, str):
        return re.sub(r"\$\{(\w+)\}", lambda m: os.environ.get(m.group(1), ""), value)
    return value


def _endpoints() -> dict[str, Any]:
    path = Path(os.environ.get("SIGNPOST_ENDPOINTS_FILE") or PROJECT_ROOT / "endpoints.yml")
    try:
        return yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError):
        return {}


def _tcp(host: str, port: int, send: bytes | None = None, timeout: float = 2.0) -> bytes:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        if send:
            sock.sendall(send)
            return sock.recv(64)
    return b""


def tracker_store_status(config: dict[str, Any] | None) -> dict[str, Any]:
    config = {k: _expand(v) for k, v in (config or {}).items()}
    kind = str(config.get("type", "in-memory"))
    try:
        if config.get("dialect") == "sqlite" or (not config.get("url") and config.get("db", "").endswith(".db")):
            db_file = Path(config.get("db") or "rasa.db")
            if not db_file.exists():
                return {"type": kind, "answers": True, "detail": "SQLite file not created yet"}
            with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=2) as conn:
                conn.execute("SELECT 1").fetchone()
            return {"type": kind, "answers": True}
        if config.get("url"):
            import sqlalchemy

            host = config.get("url")
            port = int(config.get("port") or 5432)
            user = config.get("username") or "postgres"
            password = config.get("password") or ""
            db = config.get("db") or "rasa"
            dialect = config.get("dialect") or "postgresql"
            auth = f"{user}:{password}@" if password else f"{user}@"
            engine = sqlalchemy.create_engine(f"{dialect}://{auth}{host}:{port}/{db}",
                                              connect_args={"connect_timeout": 2})
            try:
                with engine.connect() as conn:
                    conn.execute(sqlalchemy.text("SELECT 1"))
            finally:
                engine.dispose()
            return {"type": kind, "answers": True}
    except Exception as exc:  # any failure is the answer: the store does not answer
        return {"type": kind, "answers": False, "detail": type(exc).__name__}
    return {"type": kind, "answers": True, "detail": "in this process"}


def lock_store_status(config: dict[str, Any] | None) -> dict[str, Any]:
    config = {k: _expand(v) for k, v in (config or {}).items()}
    kind = str(config.get("type", "in_memory"))
    if kind != "redis":
        return {"type": kind, "answers": True, "detail": "in the Rasa process"}
    host = config.get("url") or "localhost"
    if "://" in host:
        host = urlparse(host).hostname or "localhost"
    port = int(config.get("port") or 6379)
    try:
        command = b"PING\r\n"
        if config.get("password"):
            command = f"AUTH {config['password']}\r\nPING\r\n".encode()
        reply = _tcp(host, port, command)
        return {"type": kind, "answers": b"+PONG" in reply or reply.startswith(b"+OK")}
    except OSError as exc:
        return {"type": kind, "answers": False, "detail": type(exc).__name__}


def health_report() -> dict[str, Any]:
    """Loads (or reloads, if edited) each author's source, then reports every one."""
    from assistant.actions import state
    from assistant.extraction import load_phrasings
    from assistant.knowledge import default_knowledge_base
    from assistant.reloading import registered

    problems: list[str] = []
    for name, use in (("guidance", state.guidance), ("knowledge", default_knowledge_base),
                      ("phrasings", load_phrasings)):
        try:
            use()
        except Exception as exc:  # reported, never raised: health must answer
            problems.append(f"{name}: {type(exc).__name__}: {exc}"[:500])
    sources: dict[str, Any] = {}
    for reloading in registered().values():
        sources.setdefault(reloading.name, reloading.status())
    endpoints = _endpoints()
    tracker = tracker_store_status(endpoints.get("tracker_store"))
    lock = lock_store_status(endpoints.get("lock_store"))
    guidance = sources.get(f"guidance[{os.environ.get('SIGNPOST_AREA') or 'default'}]") or {}
    refused = any(s.get("refused_edit") for s in sources.values())
    ok = not problems and tracker["answers"] and lock["answers"] and bool(guidance.get("version"))
    return {
        "status": "ok" if ok and not refused else ("degraded" if ok else "failing"),
        "guidance": guidance,
        "knowledge": sources.get("knowledge"),
        "phrasings": sources.get("phrasings"),
        "sources": sources,
        "model": os.environ.get("SIGNPOST_MODEL") or None,
        "tracker_store": tracker,
        "lock_store": lock,
        "problems": problems,
    }


def create_app(cors: list[str] | None = None) -> Any:
    from rasa_sdk.endpoint import create_app as sdk_app
    from sanic import response

    app = sdk_app("assistant.actions", cors_origins=cors or [])

    @app.get("/signpost/health")
    async def signpost_health(_request: Any) -> Any:
        report = health_report()
        return response.json(report, status=200 if report["status"] != "failing" else 503)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="The Signpost action server.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SIGNPOST_ACTIONS_PORT", "5055")))
    parser.add_argument("--host", default=os.environ.get("SIGNPOST_ACTIONS_HOST", "127.0.0.1"),
                        help="address to listen on (default 127.0.0.1; a deployment may use a private network)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s  - %(message)s")
    app = create_app()
    log.info("Signpost action server listening on http://%s:%s", args.host, args.port)
    app.run(args.host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
