"""NLU intent F1 by 5-fold cross-validation on assistant/data/nlu.yml."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from assistant import PROJECT_ROOT
from assistant.model_cache import subprocess_env

FOLDS = 5


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run(
            [sys.executable, "-m", "rasa", "test", "nlu", "--nlu", "assistant/data/nlu.yml",
             "--config", "config.yml", "--cross-validation", "--folds", str(FOLDS),
             "--out", out, "--no-plot", "--no-errors", "--no-warnings"],
            cwd=PROJECT_ROOT, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=1800,
        )
        report_path = Path(out) / "intent_report.json"
        if result.returncode != 0 or not report_path.exists():
            raise RuntimeError(f"rasa test nlu failed:\n{result.stdout[-3000:]}")
        report = json.loads(report_path.read_text())
    weighted, macro = report["weighted avg"], report["macro avg"]
    print(f"NLU intent classification, {FOLDS}-fold cross-validation "
          f"({int(weighted['support'])} examples):")
    print(f"  intent F1 weighted {weighted['f1-score']:.3f}  macro {macro['f1-score']:.3f}  "
          f"accuracy {report.get('accuracy', float('nan')):.3f}")
    worst = sorted(((v["f1-score"], k) for k, v in report.items()
                    if isinstance(v, dict) and "f1-score" in v and k not in {"weighted avg", "macro avg", "micro avg"}))[:4]
    print("  weakest intents: " + ", ".join(f"{name} {f1:.2f}" for f1, name in worst))


if __name__ == "__main__":
    main()
