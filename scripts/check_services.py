"""Says, before the tests start, whether the PostgreSQL and Redis the `services`
tests need answer, and how to point the tests elsewhere. CI (.ci/run) stops
here with that message rather than minutes later in a test."""
from __future__ import annotations

import os
import sys

CHECKS = {
    "PostgreSQL": ("SIGNPOST_TEST_PG_HOST", "127.0.0.1", "SIGNPOST_TEST_PG_PORT", 5432),
    "Redis": ("SIGNPOST_TEST_REDIS_HOST", "127.0.0.1", "SIGNPOST_TEST_REDIS_PORT", 6379),
}


def answers(name: str, host: str, port: int) -> str | None:
    """None when the service answers; else what is wrong, in a sentence."""
    try:
        if name == "Redis":
            import redis

            redis.Redis(host=host, port=port, socket_timeout=2).ping()
        else:
            import psycopg2

            user = os.environ.get("SIGNPOST_TEST_PG_USER", "postgres")
            psycopg2.connect(host=host, port=port, user=user, dbname="postgres", connect_timeout=2,
                             password=os.environ.get("SIGNPOST_TEST_PG_PASSWORD", "")).close()
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return f"{name} at {host}:{port} does not answer ({type(exc).__name__}: {str(exc).strip()[:120]})"
    return None


def main() -> int:
    problems = []
    for name, (host_var, host, port_var, port) in CHECKS.items():
        problem = answers(name, os.environ.get(host_var, host), int(os.environ.get(port_var, port)))
        print(f"{name}: {'answers' if problem is None else problem}")
        if problem:
            problems.append(f"{problem}; start it, or set {host_var}/{port_var}")
    if problems:
        print("The services tests (tests/deploy, tests/scaleout, the PostgreSQL privacy test) need these:",
              *problems, sep="\n  ", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
