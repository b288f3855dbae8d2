"""Try the pre-fill on a message: `python -m assistant.extraction "pt says OH choked her"`.

For guidance authors checking a new phrasing in pathways/phrasings.yaml: it
prints each fact the message states and the words that stated it.
"""
from __future__ import annotations

import argparse
import sys

from assistant.extraction import PhrasingsError, extract_facts
from assistant.guidance import GuidanceError, load_guidance


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.extraction", description=__doc__.splitlines()[0])
    parser.add_argument("message", nargs="+", help="the message, as a professional would type it")
    args = parser.parse_args(argv)
    try:
        found = extract_facts(" ".join(args.message), load_guidance())
    except (PhrasingsError, GuidanceError) as exc:
        print(f"Cannot read the guidance: {exc}", file=sys.stderr)
        return 1
    if not found:
        print("No facts clearly stated.")
    for fact, extracted in found.items():
        print(f"{fact} = {extracted.value!r}   (from: \"{extracted.evidence}\")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
