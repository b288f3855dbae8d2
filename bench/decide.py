"""`make bench`: how long one decide() and one next_questions() take on the real guidance."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from assistant import PATHWAYS_DIR
from assistant.guidance import decide, load_guidance, next_questions
from assistant.guidance.scenarios import load_scenarios


def _per_call_ms(func: Callable[[], object], repeat: int = 7, number: int = 200) -> tuple[float, float]:
    """(median, worst) milliseconds per call over `repeat` batches of `number` calls."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            func()
        timings.append((time.perf_counter() - started) * 1000 / number)
    return statistics.median(timings), max(timings)


def main() -> None:
    started = time.perf_counter()
    guidance = load_guidance(PATHWAYS_DIR)
    load_ms = (time.perf_counter() - started) * 1000
    cases = [s.facts for s in load_scenarios(PATHWAYS_DIR / "scenarios")
             if (s.area or guidance.area) == guidance.area]
    everything = {"immediate_danger": True, "strangulation": True, "children_in_household": True, "suicide_risk": True,
                  "recent_incident": True, "victim_consents_police": False, "dash_score": 18,
                  "honour_based_abuse": True}

    def all_cases_decide() -> None:
        for facts in cases:
            decide(guidance, facts)

    def all_cases_questions() -> None:
        for facts in cases:
            next_questions(guidance, facts)

    median, worst = _per_call_ms(all_cases_decide, number=20)
    print(f"guidance {guidance.version}: {len(guidance.rules)} rules, {len(guidance.facts)} facts")
    print(f"load_guidance (validate all areas): {load_ms:.1f} ms")
    print(f"decide, mean over {len(cases)} scenarios: {median / len(cases):.3f} ms per call "
          f"(worst batch {worst / len(cases):.3f} ms; target < 5 ms)")
    median, _ = _per_call_ms(lambda: decide(guidance, everything))
    print(f"decide, many facts known: {median:.3f} ms per call")
    median, _ = _per_call_ms(lambda: decide(guidance, {}))
    print(f"decide, nothing known: {median:.3f} ms per call")
    median, worst = _per_call_ms(all_cases_questions, number=5)
    print(f"next_questions, mean over {len(cases)} scenarios: {median / len(cases):.3f} ms per call")


if __name__ == "__main__":
    main()
