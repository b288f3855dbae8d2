"""`signpost authors add | remove | list`: the workspace's local author accounts."""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from . import state_dir
from .accounts import ROLES, AccountError, Accounts


def _accounts(args: argparse.Namespace) -> Accounts:
    return Accounts(Path(args.state))


def cmd_add(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("The same again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 1
    try:
        author = _accounts(args).add(args.name, args.role, password)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{author.name} can now sign in to the workspace as {author.role}.")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    if _accounts(args).remove(args.name):
        print(f"{args.name} can no longer sign in.")
        return 0
    print(f"error: there is no author called {args.name}", file=sys.stderr)
    return 1


def cmd_list(args: argparse.Namespace) -> int:
    for author in _accounts(args).all():
        print(f"{author.name}\t{author.role}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("authors", help="the workspace's author accounts (add, remove, list)")
    commands = parser.add_subparsers(dest="authors_command", metavar="ACTION")
    commands.required = True
    default = str(state_dir())
    p = commands.add_parser("add", help="add an author, or set a new password and role")
    p.add_argument("name")
    p.add_argument("--role", choices=ROLES, default="author", help="a reviewer can also approve others' changes")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input")
    p.add_argument("--state", default=default, help=f"the workspace's state folder (default: {default})")
    p.set_defaults(handler=cmd_add)
    p = commands.add_parser("remove", help="remove an author")
    p.add_argument("name")
    p.add_argument("--state", default=default)
    p.set_defaults(handler=cmd_remove)
    p = commands.add_parser("list", help="list the authors and their roles")
    p.add_argument("--state", default=default)
    p.set_defaults(handler=cmd_list)
