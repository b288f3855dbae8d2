"""`make run`: train if stale, start Rasa + actions (+ demo page), print where to talk.

Ports: SIGNPOST_RASA_PORT (5005), SIGNPOST_ACTIONS_PORT (5055), SIGNPOST_WEB_PORT
(8080). CORS origin: SIGNPOST_ALLOWED_ORIGIN (default *). The Rasa server listens
on SIGNPOST_BIND_HOST (default 127.0.0.1; set 0.0.0.0 to serve other machines). `--shell` chats in
this terminal instead (`make shell`). SIGNPOST_ENDPOINTS picks another endpoints
file, e.g. deploy/endpoints.server.yml for PostgreSQL and Redis;
SIGNPOST_CREDENTIALS another channels file (e.g. one adding Teams).
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
from assistant.stack import StackError, start_stack, wait_until_healthy  # noqa: E402


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
        "SIGNPOST_TRACKER_DB": str(PROJECT_ROOT / ".rasa" / "shell-tracker.db"),
        "PYTHONPATH": str(PROJECT_ROOT),
    })
    actions = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "assistant.actions", "--port", str(actions_port)],
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
    (PROJECT_ROOT / ".rasa").mkdir(exist_ok=True)
    if args.shell:
        return run_shell(actions_port)
    print("Starting Signpost (training first if the data changed)...", flush=True)
    try:
        stack = start_stack(
            rasa_port=rasa_port,
            actions_port=actions_port,
            web_port=web_port,
            cors=os.environ.get("SIGNPOST_ALLOWED_ORIGIN", "*"),
            interface=os.environ.get("SIGNPOST_BIND_HOST", "127.0.0.1"),
            log_dir=PROJECT_ROOT / ".rasa" / "logs",
            endpoints=PROJECT_ROOT / os.environ.get("SIGNPOST_ENDPOINTS", "endpoints.yml"),
            credentials=PROJECT_ROOT / os.environ.get("SIGNPOST_CREDENTIALS", "credentials.yml"),
        )
    except StackError as exc:
        print(f"Signpost could not start: {exc}", file=sys.stderr)
        return 1
    print("\nSignpost is running:")
    print(f"  REST channel   {stack.rest_url}")
    print(f"  Rasa server    {stack.rasa_url}  (logs: .rasa/logs/rasa.log)")
    print(f"  Action server  {stack.actions_url}  (logs: .rasa/logs/actions.log)")
    if stack.web_url:
        print(f"  Demo page      {stack.web_url}   <- open this in a browser")
    print('  Try: curl -s -XPOST', stack.rest_url,
          '''-d '{"sender": "me", "message": "hello"}' ''')
    print("Press Ctrl-C to stop.", flush=True)
    try:
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        dead = [name for name, p in stack.processes.items() if p.poll() is not None]
        print(f"Stopped because {', '.join(dead)} exited; see .rasa/logs/.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...")
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
