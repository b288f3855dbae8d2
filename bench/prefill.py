"""Pre-fill precision and recall on the hand-written dev set of messy descriptions.

A prediction counts as correct only with the gold value; a fact filled that the
message does not state, or with the wrong value, is a false pre-fill.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from assistant import PROJECT_ROOT
from assistant.extraction import extract_facts
from assistant.guidance import load_guidance

DEV_SET = PROJECT_ROOT / "tests" / "extraction" / "dev_set.yaml"
HOLDOUT_SET = PROJECT_ROOT / "tests" / "extraction" / "holdout_set.yaml"


def load_dev_set(path: Path = DEV_SET) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def score(cases: list[dict[str, Any]], guidance: Any = None) -> dict[str, Any]:
    true_pos = false_pos = false_neg = 0
    wrong: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    for case in cases:
        gold = case.get("facts") or {}
        found = {fact: e.value for fact, e in extract_facts(case["text"], guidance).items()}
        for fact, value in found.items():
            if fact in gold and gold[fact] == value:
                true_pos += 1
            else:
                false_pos += 1
                wrong[fact] += 1
        for fact, value in gold.items():
            if found.get(fact, object()) != value:
                false_neg += 1
                missed[fact] += 1
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0
    return {"cases": len(cases), "precision": precision, "recall": recall, "true_pos": true_pos,
            "false_pos": false_pos, "false_neg": false_neg, "wrong": wrong, "missed": missed}


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
    _report("dev set (phrasings tuned on it)", score(load_dev_set(DEV_SET), guidance))
    _report("held-out set (never tuned on)", score(load_dev_set(HOLDOUT_SET), guidance))


if __name__ == "__main__":
    main()
