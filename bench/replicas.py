"""Throughput and the cost of a turn with one and with two replicas of each server.

The scale-out topology of bench.topology (nginx in front of two Rasa servers
and two action servers, PostgreSQL tracker store, Redis lock store) runs
once; between runs nginx is told to route to one replica of each server or to
both, alternating 1 2 1 2 so that a busy moment of the machine falls on both.
Each run is bench.versus_stock's Signpost conversation over REST, with the
same client, 20 conversations at once.

Printed for each: throughput (turns/s), per-turn p50/p95, and CPU-seconds per
turn of all the server processes (utime+stime from /proc, before and after),
with PostgreSQL's backends for this database and Redis beside them; then a
correctness line: every conversation answered on every turn, and stored whole
and in order in the tracker store. On two cores the gain from a second
replica is small; the point is that it is correct and that the cost is known.
"""
from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from bench.processes import rss_mb, with_descendants
from bench.topology import REDIS, Topology, running_topology
from bench.versus_stock import SIGNPOST_TURNS, Figures, drive, rest_sender

ROUNDS = 2
CONCURRENT = 20
CONVERSATIONS = 40      # per run: two waves of CONCURRENT
REDIS_DB = 13           # a database number nothing else on the machine uses (the tests use 11 and 12)
PARTS = ("rasa", "actions", "nginx")
_TICK = os.sysconf("SC_CLK_TCK")


def _stat_seconds(pid: int, with_children: bool) -> float:
    """utime+stime of a process (and of its children it has reaped), from /proc/<pid>/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text.rsplit(")", 1)[1].split()   # the name in parentheses may hold spaces
    ticks = [int(f) for f in fields[11:15]]    # utime stime cutime cstime (fields 14-17)
    return (sum(ticks) if with_children else ticks[0] + ticks[1]) / _TICK


def tree_cpu_seconds(pid: int) -> float:
    """CPU-seconds of a process and all its descendants, living or reaped."""
    return sum(_stat_seconds(current, with_children=True) for current in with_descendants(pid))


def _redis_cpu_seconds() -> float:
    info = redis.Redis(**REDIS).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def cpu_sample(topo: Topology) -> dict[str, Any]:
    """CPU-seconds so far of each kind of server, of this database's PostgreSQL backends, and of Redis."""
    sample: dict[str, Any] = {part: 0.0 for part in PARTS}
    for name, pid in topo.server_pids().items():
        sample[name.split("-")[0]] += tree_cpu_seconds(pid)
    sample["postgres"] = {pid: _stat_seconds(pid, with_children=False) for pid in topo.database_backends()}
    sample["redis"] = _redis_cpu_seconds()
    return sample


def cpu_spent(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
    spent = {part: after[part] - before[part] for part in (*PARTS, "redis")}
    # A backend that closed during the run takes its CPU with it; one that opened counts whole.
    spent["postgres"] = sum(s - before["postgres"].get(pid, 0.0) for pid, s in after["postgres"].items())
    return spent


class Recorder:
    """The REST client of bench.versus_stock, keeping every conversation's replies to check them after."""

    def __init__(self, url: str) -> None:
        self._send = rest_sender(url)
        self._lock = threading.Lock()
        self.replies: dict[str, list[list[dict[str, Any]]]] = {}
        self.errors: list[str] = []

    def __call__(self, sender: str, message: str) -> list:
        try:
            replies = self._send(sender, message)
        except (OSError, ValueError) as exc:   # a failed turn is a finding, not the end of the bench
            replies = []
            with self._lock:
                self.errors.append(type(exc).__name__)
        with self._lock:
            self.replies.setdefault(sender, []).append(replies)
        return replies


@dataclass
class Run:
    figures: Figures = field(default_factory=Figures)
    cpu: dict[str, float] = field(default_factory=lambda: {p: 0.0 for p in (*PARTS, "postgres", "redis")})
    recorders: list[Recorder] = field(default_factory=list)

    def per_turn_ms(self, part: str) -> float:
        return 1000 * self.cpu[part] / self.figures.turns if self.figures.turns else float("nan")

    @property
    def servers_per_turn_s(self) -> float:
        return sum(self.cpu[p] for p in PARTS) / self.figures.turns if self.figures.turns else float("nan")


def expected_intents(turns: Sequence[str]) -> dict[int, str]:
    """The intent a button payload turn must be stored with, by its place in the conversation."""
    return {i: t[1:].split("{")[0] for i, t in enumerate(turns) if t.startswith("/")}


def check(topo: Topology, run: Run, turns: Sequence[str]) -> list[str]:
    """What is wrong with a run's conversations; empty when every one is answered and stored whole, in order.

    Free text is stored without its words, so the stored intents are what is
    compared: the payload turns' intents in their places, and the same
    sequence for every conversation (each got the same messages in the same
    order, so a turn lost, applied twice or out of order shows as a difference).
    """
    problems: list[str] = []
    fixed = expected_intents(turns)
    sequences: dict[tuple[str | None, ...], int] = {}
    for recorder in run.recorders:
        problems += [f"turn failed ({name})" for name in recorder.errors]
        for sender, answers in recorder.replies.items():
            if len(answers) != len(turns) or not all(answers):
                problems.append(f"{sender}: {sum(1 for a in answers if a)} of {len(turns)} turns answered")
            intents = tuple(intent for kind, intent, _ in topo.stored_events(sender) if kind == "user")
            if len(intents) != len(turns):
                problems.append(f"{sender}: {len(intents)} user turns stored, not {len(turns)}")
            elif any(intents[i] != intent for i, intent in fixed.items()):
                problems.append(f"{sender}: stored out of order: {intents}")
            sequences[intents] = sequences.get(intents, 0) + 1
    if len(sequences) > 1:
        problems.append(f"{len(sequences)} different stored sequences of intents: {sorted(sequences.items())[:3]}")
    return problems


def main() -> None:
    runs = {n: Run() for n in (1, 2)}
    problems: dict[int, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="signpost-replicas-") as workdir, \
            running_topology(Path(workdir), replicas=2, redis_db=REDIS_DB) as topo:
        for replica in (1, 2):   # warm each replica (and, through nginx, each action server): first turns load lazily
            drive(rest_sender(topo.rasa_url(replica)), SIGNPOST_TURNS, 2, 1, Figures())
        for _ in range(ROUNDS):
            for replicas in (1, 2):
                topo.route_to(replicas)
                run = runs[replicas]
                recorder = Recorder(topo.entry_url)
                run.recorders.append(recorder)
                before = cpu_sample(topo)
                drive(recorder, SIGNPOST_TURNS, CONVERSATIONS, CONCURRENT, run.figures)
                spent = cpu_spent(before, cpu_sample(topo))
                for part, seconds in spent.items():
                    run.cpu[part] += seconds
        for replicas, run in runs.items():
            problems[replicas] = check(topo, run, SIGNPOST_TURNS)
        memory = {name: rss_mb(pid) for name, pid in topo.server_pids().items()}
    print(f"{ROUNDS} rounds 1 2 1 2; per run {CONVERSATIONS} conversations of {len(SIGNPOST_TURNS)} turns, "
          f"{CONCURRENT} at once, through nginx; one PostgreSQL tracker store and one Redis lock store")
    for replicas, run in runs.items():
        figures = run.figures
        print(f"{replicas} replica{'s' if replicas > 1 else ' '}: {figures.throughput:5.1f} turns/s, "
              f"p50 {1000 * figures.p(0.5):5.0f} ms p95 {1000 * figures.p(0.95):5.0f} ms; "
              f"CPU per turn {1000 * run.servers_per_turn_s:4.0f} ms (Rasa {run.per_turn_ms('rasa'):.0f}, "
              f"actions {run.per_turn_ms('actions'):.0f}, nginx {run.per_turn_ms('nginx'):.1f}); "
              f"beside them PostgreSQL {run.per_turn_ms('postgres'):.1f} ms, Redis {run.per_turn_ms('redis'):.1f} ms")
    one, two = runs[1], runs[2]
    if one.figures.throughput and one.servers_per_turn_s:
        print(f"two replicas against one: throughput x{two.figures.throughput / one.figures.throughput:.2f}, "
              f"p95 x{two.figures.p(0.95) / one.figures.p(0.95):.2f}, "
              f"CPU per turn x{two.servers_per_turn_s / one.servers_per_turn_s:.2f}")
    print("resident memory: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in sorted(memory.items())))
    for replicas, run in runs.items():
        conversations = sum(len(r.replies) for r in run.recorders)
        found = problems[replicas]
        verdict = ("every one answered on every turn and stored whole and in order" if not found
                   else f"{len(found)} problems, first: {'; '.join(found[:3])}")
        print(f"correctness, {replicas} replica{'s' if replicas > 1 else ''}: {conversations} conversations "
              f"({run.figures.turns} turns): {verdict}")
    if any(problems.values()):
        raise RuntimeError("conversations through the replicas were not all answered and stored in order")


if __name__ == "__main__":
    main()
