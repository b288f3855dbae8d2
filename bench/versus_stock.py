"""Signpost beside a stock `rasa init` bot: same Rasa, same REST client, same run.

The stock bot is built and trained once in .cache/ (keyed by the Rasa
version). Both are driven over REST with the same client, alternating
A B A B so that a busy moment of the machine falls on both, at 1 and at 20
concurrent conversations of eight turns. Printed: per-turn p50/p95, throughput,
resident memory and the ratios against issue 12's targets (p95 <= 1.5x the
stock bot, throughput >= 0.8x, both Signpost servers together <= 1.6 GB).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from assistant import PROJECT_ROOT
from assistant.model_cache import subprocess_env
from assistant.stack import free_port, start_stack
from bench.processes import rss_mb

ROUNDS = 2
SINGLE_CONVERSATIONS = 8   # 2 rounds x 8 x 8 turns: 128 latencies per p95
CONCURRENT = 20
# What a receptionist's conversation mixes: free text, button payloads, a knowledge question.
SIGNPOST_TURNS = [
    "hello",
    "my patient says her partner hit her last night and she is scared to go home",
    '/inform{"immediate_danger": false}',
    "what is a marac?",
    "not sure",
    "no",
    "/show_advice",
    "thanks",
]
# The stock bot's own moods, in its own words.
STOCK_TURNS = ["hi", "I am feeling sad", "yes", "no", "great, thanks", "are you a bot?", "hello", "bye"]

Send = Callable[[str, str], list]


def rest_sender(url: str) -> Send:
    """The one REST client both bots get: a POST with the sender and the message."""
    def send(sender: str, message: str) -> list:
        request = urllib.request.Request(url, data=json.dumps({"sender": sender, "message": message}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())
    return send


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    turns: int = 0
    seconds: float = 0.0

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else float("nan")

    @property
    def throughput(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0


def drive(send: Send, turns: Sequence[str], conversations: int, concurrent: int, figures: Figures) -> None:
    def one(_: int) -> None:
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        for message in turns:
            started = time.perf_counter()
            send(sender, message)
            figures.latencies.append(time.perf_counter() - started)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrent) as pool:
        list(pool.map(one, range(conversations)))
    figures.seconds += time.perf_counter() - started
    figures.turns += conversations * len(turns)


def stock_bot_dir() -> Path:
    """A `rasa init` project with its trained model, built once per Rasa version."""
    import importlib.metadata

    target = PROJECT_ROOT / ".cache" / f"stock-bot-rasa-{importlib.metadata.version('rasa')}"
    if list((target / "models").glob("*.tar.gz")):
        return target
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(tmp) / "bot"
        build.mkdir()   # `rasa init` wants the folder to exist
        print("building and training the stock `rasa init` bot (once)...", flush=True)
        subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(build)],
                       env=subprocess_env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(build, target)
    return target


class StockBot:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.log = open(folder / "bench-rasa.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rasa", "run", "--model", "models", "--port", str(self.port),
             "--interface", "127.0.0.1"],
            cwd=folder, env=subprocess_env(), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.send = rest_sender(f"http://127.0.0.1:{self.port}/webhooks/rest/webhook")
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the stock bot exited ({self.process.returncode}); see {folder}/bench-rasa.log")
            try:
                if self.send("warm-up", "hi"):
                    return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError("the stock bot did not answer within 240 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=30)
        self.log.close()


def _ratio_line(name: str, ours: float, theirs: float, target: str, ok: bool) -> str:
    verdict = "met" if ok else "NOT met"
    return f"  {name:<34} Signpost {ours:8.1f}   stock {theirs:8.1f}   ratio {ours / theirs:5.2f}  {target}  {verdict}"


# Signpost twice: as it runs, and with every message encoded afresh. The bench
# conversation repeats its short replies, so the first reuses more sentence
# vectors than real typing does (bench.phrase_reuse: 25% of held-out typed
# replies, 0% of openings); the second is the bound with no reuse at all.
SIGNPOST_VARIANTS = {"signpost": {}, "signpost, no reuse": {"SIGNPOST_REUSE_PHRASE_VECTORS": "0"}}


def main() -> None:
    stock_folder = stock_bot_dir()
    with tempfile.TemporaryDirectory() as workdir:
        stacks: dict = {}
        stock = None
        try:
            for name, env in SIGNPOST_VARIANTS.items():
                folder = Path(workdir) / str(len(stacks))
                stacks[name] = start_stack(rasa_port=free_port(), actions_port=free_port(), with_web=False,
                                           tracker_db=folder / "tracker.db", log_dir=folder / "logs", extra_env=env)
            stock = StockBot(stock_folder)
            senders = {"stock": stock.send, **{name: rest_sender(stack.rest_url) for name, stack in stacks.items()}}
            turns = {name: STOCK_TURNS if name == "stock" else SIGNPOST_TURNS for name in senders}
            for name, send in senders.items():   # warm all: first turns load lazily
                drive(send, turns[name], 2, 1, Figures())
            results = {(bot, n): Figures() for bot in senders for n in (1, CONCURRENT)}
            for _ in range(ROUNDS):   # A B C A B C
                for concurrent, conversations in ((1, SINGLE_CONVERSATIONS), (CONCURRENT, CONCURRENT)):
                    for name, send in senders.items():
                        drive(send, turns[name], conversations, concurrent, results[name, concurrent])
            memory = {name: (rss_mb(stack.processes["rasa"].pid), rss_mb(stack.processes["actions"].pid))
                      for name, stack in stacks.items()}
            memory_stock = rss_mb(stock.process.pid)
        finally:
            if stock is not None:
                stock.stop()
            for stack in stacks.values():
                stack.stop()
    print(f"{ROUNDS} rounds, the bots in turn; {SINGLE_CONVERSATIONS} conversations one at a time and {CONCURRENT} "
          f"at once per round, 8 turns each")
    for concurrent in (1, CONCURRENT):
        for name in senders:
            figures = results[name, concurrent]
            print(f"{concurrent:2d} concurrent, {name:<19} p50 {1000 * figures.p(0.5):5.0f} ms "
                  f"p95 {1000 * figures.p(0.95):5.0f} ms, {figures.throughput:5.1f} turns/s")
    theirs_1, theirs_n = results["stock", 1], results["stock", CONCURRENT]
    for name in stacks:
        ours_1, ours_n = results[name, 1], results[name, CONCURRENT]
        print(f"against issue 12's targets ({name}):")
        for ours, theirs, concurrent in ((ours_1, theirs_1, 1), (ours_n, theirs_n, CONCURRENT)):
            print(_ratio_line(f"p95 ms, {concurrent} concurrent", 1000 * ours.p(0.95), 1000 * theirs.p(0.95),
                              "<= 1.5x", ours.p(0.95) <= 1.5 * theirs.p(0.95)))
        print(_ratio_line(f"throughput turns/s, {CONCURRENT} conc.", ours_n.throughput, theirs_n.throughput,
                          ">= 0.8x", ours_n.throughput >= 0.8 * theirs_n.throughput))
        rasa, actions = memory[name]
        print(f"  resident memory: Signpost Rasa {rasa:.0f} MB + actions {actions:.0f} MB = {rasa + actions:.0f} MB "
              f"(target <= 1600: {'met' if rasa + actions <= 1600 else 'NOT met'}); stock Rasa {memory_stock:.0f} MB")


if __name__ == "__main__":
    main()
