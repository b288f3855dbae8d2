"""`make run`: train if stale, start Rasa + actions (+ demo page), print where to talk.

Ports: SIGNPOST_RASA_PORT (5005), SIGNPOST_ACTIONS_PORT (5055), SIGNPOST_WEB_PORT
(8080); a port already in use is named before anything starts. CORS origins:
SIGNPOST_ALLOWED_ORIGIN (comma-separated; default the demo page). The Rasa server
listens on SIGNPOST_BIND_HOST (default 127.0.0.1; set 0.0.0.0 to serve other
machines), the action server on SIGNPOST_ACTIONS_HOST (default 127.0.0.1). The
Rasa HTTP API needs SIGNPOST_API_TOKEN (else a random one per start, written to
.rasa/api-token, 0600). Conversations go to SIGNPOST_TRACKER_DB (default
.rasa/tracker.db). `--shell` chats in this terminal instead (`make shell`).
SIGNPOST_ENDPOINTS picks another endpoints file, e.g. deploy/endpoints.server.yml
for PostgreSQL and Redis; SIGNPOST_CREDENTIALS another channels file (e.g. one
adding Teams). SIGTERM, SIGINT or SIGHUP stop every part; a part that exits is
restarted with backoff (logged in .rasa/logs/supervisor.log).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import PROJECT_ROOT  # noqa: E402
from assistant.model_cache import subprocess_env, train_if_stale  # noqa: E402
from assistant.stack import StackError, private_dir, start_stack, wait_until_healthy  # noqa: E402


class _Stop(BaseException):
    """Raised in the main thread by SIGTERM/SIGINT/SIGHUP, so every part is stopped on the way out."""


def _on_signal(signum: int, _frame: object) -> None:
    # Stop once: a second signal while stopping must not interrupt the clean-up.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    raise _Stop(signal.Signals(signum).name)


def _print_event(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _port(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    try:
        return int(value)
    except ValueError:
        sys.exit(f"{name} must be a port number, not {value!r}")


def run_shell(actions_port: int) -> int:
    """Starts the action server, then `rasa shell` in the foreground."""
    model = train_if_stale()
    env = subprocess_env({
        "SIGNPOST_ACTIONS_URL": f"http://localhost:{actions_port}/webhook",
        "SIGNPOST_TRACKER_DB": os.environ.get("SIGNPOST_TRACKER_DB")
        or str(PROJECT_ROOT / ".rasa" / "shell-tracker.db"),
        "PYTHONPATH": str(PROJECT_ROOT),
    })
    actions = subprocess.Popen(
        [sys.executable, "-m", "assistant.action_server", "--port", str(actions_port)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_healthy(f"http://localhost:{actions_port}/health", actions)
        shell = subprocess.Popen(
            [sys.executable, "-m", "rasa", "shell", "--model", str(model),
             "--endpoints", "endpoints.yml", "--port", str(_port("SIGNPOST_RASA_PORT", 5005))],
            cwd=PROJECT_ROOT, env=env,
        )
        try:
            return shell.wait()
        except KeyboardInterrupt:
            # rasa shell handles Ctrl-C itself; wait for it to finish cleanly
            return shell.wait()
    finally:
        os.killpg(actions.pid, signal.SIGTERM)
        actions.wait(timeout=15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shell", action="store_true", help="chat in this terminal")
    args = parser.parse_args()
    rasa_port = _port("SIGNPOST_RASA_PORT", 5005)
    actions_port = _port("SIGNPOST_ACTIONS_PORT", 5055)
    web_port = _port("SIGNPOST_WEB_PORT", 8080)
    workspace_port = _port("SIGNPOST_WORKSPACE_PORT", 8090)
    private_dir(PROJECT_ROOT / ".rasa")
    if args.shell:
        return run_shell(actions_port)
    # Installed explicitly: started in the background, a shell leaves SIGINT ignored.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    print("Starting Signpost (training first if the data changed)...", flush=True)
    stack = None
    try:
        stack = start_stack(
            rasa_port=rasa_port,
            actions_port=actions_port,
            web_port=web_port,
            cors=os.environ.get("SIGNPOST_ALLOWED_ORIGIN") or None,
            interface=os.environ.get("SIGNPOST_BIND_HOST", "127.0.0.1"),
            log_dir=Path(os.environ.get("SIGNPOST_LOG_DIR") or PROJECT_ROOT / ".rasa" / "logs"),
            endpoints=PROJECT_ROOT / os.environ.get("SIGNPOST_ENDPOINTS", "endpoints.yml"),
            credentials=PROJECT_ROOT / os.environ.get("SIGNPOST_CREDENTIALS", "credentials.yml"),
            on_event=_print_event,
            workspace_port=workspace_port,
        )
        token_note = "from SIGNPOST_API_TOKEN"
        if not os.environ.get("SIGNPOST_API_TOKEN"):
            token_file = PROJECT_ROOT / ".rasa" / "api-token"
            fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(stack.api_token + "\n")
            token_note = "random for this run, in .rasa/api-token"
        health = stack.health()
        print("\nSignpost is running. Exposed:")
        print(f"  REST channel    {stack.rest_url}   on {stack.interface} (public: what clients use)")
        print(f"  Rasa HTTP API   same port, on {stack.interface}, token required ({token_note})")
        print(f"  CORS origins    {', '.join(stack.cors_origins) or 'none'} (no credentials)")
        print(f"  Action server   {stack.actions_url}   on {stack.actions_interface} (for the Rasa server only)")
        print(f"                  health: {stack.health_url}")
        if stack.web_url:
            print(f"  Demo page       {stack.web_url}   on 127.0.0.1   <- open this in a browser")
        if stack.workspace_url:
            print(f"  Authors' workspace {stack.workspace_url}   on 127.0.0.1 (sign-in; add an account with "
                  "`.venv/bin/signpost authors add NAME --role reviewer`)")
        log_dir = stack.logs["supervisor"].parent
        print(f"  Conversations   {stack.tracker_db} (0600); logs {log_dir}/ (appended, 0600)")
        print(f"  Guidance        version {health['guidance'].get('version')}")
        for name, source in (health.get("sources") or {}).items():
            if source.get("refused_edit_text"):
                print(f"  ! {name}: an edit was refused, still serving version {source.get('version')}"
                      + (" (the last good copy kept on disk)" if source.get("serving_last_good_copy") else ""),
                      file=sys.stderr)
                for refusal in source["refused_edit_text"]:
                    print(f"      {refusal}", file=sys.stderr)
        print('  Try: curl -s -XPOST', stack.rest_url,
              '''-d '{"sender": "try-it-out", "message": "hello"}' ''')
        print("Ctrl-C (or SIGTERM) stops every part; a part that exits is restarted.", flush=True)
        while True:
            time.sleep(3600)
    except StackError as exc:
        print(f"Signpost could not start: {exc}", file=sys.stderr)
        return 1
    except (_Stop, KeyboardInterrupt) as exc:
        print(f"\nStopping ({exc or 'SIGINT'})...", flush=True)
        return 0
    finally:
        if stack is not None:
            stack.stop()


if __name__ == "__main__":
    sys.exit(main())
