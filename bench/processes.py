"""A process's descendants and what they use, read from /proc (Linux): the one
walk the benches share."""
from __future__ import annotations

from pathlib import Path


def children(pid: int) -> list[int]:
    """The live children of ``pid`` (of every one of its threads); none once it has gone."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def with_descendants(pid: int) -> list[int]:
    """``pid`` and every live process below it."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending += children(current)
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants."""
    total = 0
    for current in with_descendants(pid):
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024
