"""The `signpost` command for guidance authors.

Each area of the project registers its own sub-commands, so this module only
wires them together: guidance commands live in ``assistant.guidance.cli``,
knowledge commands in ``assistant.knowledge.cli``.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signpost",
        description="Check, try and compare Signpost's referral guidance and knowledge base.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    # Imported here so `signpost validate` never pays for loading the
    # sentence-transformers model that the knowledge commands need.
    from assistant.guidance.cli import register as register_guidance
    from assistant.knowledge.cli import register as register_knowledge
    from assistant.workspace.cli import register as register_authors

    register_guidance(subparsers)
    register_knowledge(subparsers)
    register_authors(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
