"""Precision and recall of pre-fill against hand-labelled descriptions.

A prediction counts as correct only with the gold value; a fact filled that the
message does not state, or with the wrong value, is a false pre-fill.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from assistant import PROJECT_ROOT
from assistant.extraction.extract import extract_facts

DEV_SET = PROJECT_ROOT / "tests" / "extraction" / "dev_set.yaml"
HOLDOUT_SET = PROJECT_ROOT / "tests" / "extraction" / "holdout_set.yaml"


def load_cases(path: Path = DEV_SET) -> list[dict[str, Any]]:
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
