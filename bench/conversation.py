"""Conversation figures from a real stack over REST: questions asked per triage,
per-turn latency with 1 and with 20 concurrent conversations, and the resident
memory of the Rasa and action servers."""
from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from assistant.stack import Stack, free_port, start_stack
from bench.processes import rss_mb
from bench.rest_driver import Conversation, triage
from bench.rest_scenarios import SCENARIOS

CONCURRENT = 20


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class _TimedSend:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.latencies: list[float] = []

    def __call__(self, sender: str, message: str) -> list[dict[str, Any]]:
        started = time.perf_counter()
        replies = self.stack.send(sender, message, timeout=120)
        self.latencies.append(time.perf_counter() - started)
        return replies


def _run(send: _TimedSend, scenario: tuple, unknown_is_no: bool = False) -> Conversation:
    name, opening, answers, typed, _, _ = scenario
    return triage(send, f"bench-{name}-{uuid.uuid4().hex[:8]}", opening, answers, typed, unknown_is_no)


def _walk_figures() -> None:
    """Prompts per triage over pathways/scenarios/ opened in free text (pure Python, no stack):
    stopping at what matters today against asking everything, tune and held-out openings.
    Group questions are answered as typed ("yes, he choked her": what applies is named),
    and, for comparison, by the buttons alone."""
    from bench.walks import SETS, walk_all

    for which in SETS:
        triages = walk_all(which)
        fast = [len(t.fast.prompts) for t in triages]
        full = [len(t.full.prompts) for t in triages if t.full is not None]
        longest = triages[fast.index(max(fast))].scenario.file.stem
        lost = sum(1 for t in triages if t.lost)   # against every answer the scenario has
        print(f"prompts per triage, {len(triages)} scenarios, {which} openings: median {statistics.median(fast):.0f}, "
              f"max {max(fast)} ({longest}); asking everything: median {statistics.median(full):.0f}, "
              f"max {max(full)}; scenarios losing an immediate/same-day pathway: {lost}")
        buttons = [len(t.fast.prompts) for t in walk_all(which, with_full=False, name_yes=False)]
        print(f"  the same, group questions answered by buttons only: median {statistics.median(buttons):.0f}, "
              f"max {max(buttons)}")


def main() -> None:
    _walk_figures()
    with tempfile.TemporaryDirectory() as workdir:
        stack = start_stack(rasa_port=free_port(), actions_port=free_port(), with_web=False,
                            tracker_db=Path(workdir) / "tracker.db", log_dir=Path(workdir) / "logs")
        try:
            single = _TimedSend(stack)
            conversations = [_run(single, s) for s in SCENARIOS]
            questions = [len(c.asked) for c in conversations]
            longest = SCENARIOS[questions.index(max(questions))][0]
            print(f"questions asked per conversation ({len(conversations)} scenarios, unknowns 'Not sure'): "
                  f"median {statistics.median(questions):.0f}, min {min(questions)}, max {max(questions)} ({longest})")
            # a question group answered "None of these" counts once, like any question
            no_questions = [len(_run(_TimedSend(stack), s, unknown_is_no=True).asked) for s in SCENARIOS]
            print(f"questions asked per conversation ({len(SCENARIOS)} scenarios, unknowns 'No'): "
                  f"median {statistics.median(no_questions):.0f}, min {min(no_questions)}, max {max(no_questions)}")
            print(f"per-turn latency, 1 conversation at a time ({len(single.latencies)} turns): "
                  f"p50 {1000 * _percentile(single.latencies, 0.5):.0f} ms, "
                  f"p95 {1000 * _percentile(single.latencies, 0.95):.0f} ms")
            crowd = _TimedSend(stack)
            batch = [SCENARIOS[i % len(SCENARIOS)] for i in range(CONCURRENT)]
            with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
                list(pool.map(lambda s: _run(crowd, s), batch))
            print(f"per-turn latency, {CONCURRENT} concurrent conversations ({len(crowd.latencies)} turns): "
                  f"p50 {1000 * _percentile(crowd.latencies, 0.5):.0f} ms, "
                  f"p95 {1000 * _percentile(crowd.latencies, 0.95):.0f} ms")
            print(f"resident memory: Rasa server {rss_mb(stack.processes['rasa'].pid):.0f} MB, "
                  f"action server {rss_mb(stack.processes['actions'].pid):.0f} MB")
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
