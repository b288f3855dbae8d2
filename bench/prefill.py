"""Pre-fill precision and recall on the hand-written sets of messy descriptions."""
from __future__ import annotations

from typing import Any

from assistant.extraction.evaluate import DEV_SET, HOLDOUT_SET, load_cases, score
from assistant.guidance import load_guidance


def _report(name: str, result: dict[str, Any]) -> None:
    print(f"{name}: {result['cases']} descriptions, {result['true_pos'] + result['false_neg']} stated facts")
    print(f"  pre-fill precision {result['precision']:.3f}  recall {result['recall']:.3f}  "
          f"(correct {result['true_pos']}, false pre-fills {result['false_pos']}, missed {result['false_neg']})")
    if result["wrong"]:
        print("  false pre-fills by fact:", dict(result["wrong"].most_common()))
    if result["missed"]:
        print("  missed by fact:", dict(result["missed"].most_common()))


def main() -> None:
    guidance = load_guidance()
    _report("dev set (phrasings tuned on it)", score(load_cases(DEV_SET), guidance))
    _report("held-out set (never tuned on)", score(load_cases(HOLDOUT_SET), guidance))


if __name__ == "__main__":
    main()
