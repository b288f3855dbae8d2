"""How many examples a Hypothesis property test tries.

`make test` tries each property's full count. `make test-fast` sets
SIGNPOST_FAST_PROPERTIES=1 and tries a quarter of it (at least 25), so the unit
lane stays under a minute on two cores; the assertions are the same, and
failures found before are replayed from .hypothesis/ in both lanes.
"""
from __future__ import annotations

import os

FAST = os.environ.get("SIGNPOST_FAST_PROPERTIES") == "1"


def examples(full: int) -> int:
    """``full`` normally; a quarter of it (at least 25, at most ``full``) in the fast lane."""
    return min(full, max(25, full // 4)) if FAST else full
