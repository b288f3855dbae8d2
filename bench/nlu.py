"""NLU intent F1 by 5-fold cross-validation on assistant/data/nlu.yml.

Rasa shuffles the folds from numpy's global random state, so one run moves by
about 0.02 F1 from the split alone. Each run here seeds that state, and the
figures are averaged over a few seeds, so two configs are compared on the
same splits: `python -m bench.nlu [config.yml]`.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean

from assistant import PROJECT_ROOT
from assistant.model_cache import subprocess_env

FOLDS = 5
SEEDS = (0, 1, 2)
AVERAGES = {"weighted avg", "macro avg", "micro avg"}
# Runs Rasa's own CLI after seeding the random state its fold shuffler uses.
SEEDED_RASA = "import sys, numpy; numpy.random.seed(int(sys.argv.pop(1))); from rasa.__main__ import main; main()"


def cross_validate(config: str, seed: int) -> dict:
    """Rasa's intent report for one seeded cross-validation run."""
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run(
            [sys.executable, "-c", SEEDED_RASA, str(seed), "test", "nlu", "--nlu", "assistant/data/nlu.yml",
             "--config", config, "--cross-validation", "--folds", str(FOLDS),
             "--out", out, "--no-plot", "--no-errors", "--no-warnings"],
            cwd=PROJECT_ROOT, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=1800,
        )
        report_path = Path(out) / "intent_report.json"
        if result.returncode != 0 or not report_path.exists():
            raise RuntimeError(f"rasa test nlu failed:\n{result.stdout[-3000:]}")
        return json.loads(report_path.read_text())


def main(config: str = "config.yml") -> None:
    """Prints intent F1 (weighted, macro, per intent) averaged over SEEDS, and the time per run."""
    started = time.monotonic()
    reports = [cross_validate(config, seed) for seed in SEEDS]
    per_run = (time.monotonic() - started) / len(SEEDS)
    intents = sorted(k for k, v in reports[0].items() if isinstance(v, dict) and k not in AVERAGES)

    def avg(key: str, field: str = "f1-score") -> float:
        return mean(r[key][field] for r in reports)

    print(f"NLU intent classification, {FOLDS}-fold cross-validation "
          f"({int(reports[0]['weighted avg']['support'])} examples), mean of seeds {list(SEEDS)}:")
    print(f"  intent F1 weighted {avg('weighted avg'):.3f}  macro {avg('macro avg'):.3f}  "
          f"accuracy {mean(r.get('accuracy', float('nan')) for r in reports):.3f}")
    print("  weighted F1 per seed: " + ", ".join(f"{r['weighted avg']['f1-score']:.3f}" for r in reports))
    worst = sorted((avg(name), name) for name in intents)[:4]
    print("  weakest intents: " + ", ".join(f"{name} {f1:.2f}" for f1, name in worst))
    print("  per intent: " + ", ".join(f"{name} {avg(name):.2f}" for name in intents))
    print(f"  one {FOLDS}-fold run (5 trainings and evaluations) took {per_run:.0f} s")


if __name__ == "__main__":
    main(*sys.argv[1:2])
