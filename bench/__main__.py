"""Runs every benchmark module in turn; each prints its own figures.

A module takes part by defining ``main() -> None``. They run in a fixed order
so that successive runs print comparable reports.
"""
from __future__ import annotations

import importlib
import sys
import time

MODULES = ["bench.decide", "bench.knowledge", "bench.prefill", "bench.typed_replies", "bench.nlu", "bench.conversation",
           "bench.phrase_reuse", "bench.versus_stock", "bench.replicas"]


def run() -> int:
    failed = []
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                print(f"[{name}] not present, skipped")
                continue
            raise
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        try:
            module.main()
        except Exception as exc:  # a broken bench must not hide the others' figures
            failed.append(name)
            print(f"[{name}] FAILED: {exc!r}")
        print(f"[{name}] took {time.perf_counter() - started:.1f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run())
