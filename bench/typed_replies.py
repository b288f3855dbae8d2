"""Typed replies to the bot's own questions: accuracy on the tune and held-out halves,
and the safety counts (false restarts, false stops, false danger alarms; target 0)."""
from __future__ import annotations

import sys

from assistant.conversation.evaluate import HELDOUT, TUNE, load_cases, score
from assistant.guidance import load_guidance


def main(verbose: bool = False) -> None:
    g = load_guidance()
    for name, path in (("tune (answer words tuned on it)", TUNE), ("held-out (never tuned on)", HELDOUT)):
        result = score(load_cases(path), g)
        print(f"{name}: {result['cases']} replies, typed-reply accuracy {result['accuracy']:.3f} "
              f"({result['right']} right); false restarts {result['false_restarts']}, "
              f"false stops {result['false_stops']}, false danger alarms {result['false_alarms']}")
        for line in result["wrong"] if verbose else []:
            print("   wrong:", line)


if __name__ == "__main__":
    main(verbose="-v" in sys.argv)
