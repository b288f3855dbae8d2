"""`python -m assistant.workspace`: serve the authors' workspace."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from aiohttp import web

from assistant import KNOWLEDGE_DIR, PATHWAYS_DIR

from . import DEFAULT_PORT, state_dir
from .oidc import OidcClient, OidcConfigError, oidc_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.workspace", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("SIGNPOST_WORKSPACE_PORT", DEFAULT_PORT)))
    parser.add_argument("--host", default=os.environ.get("SIGNPOST_WORKSPACE_HOST", "127.0.0.1"),
                        help="where to listen (loopback by default; put it behind the reverse proxy)")
    parser.add_argument("--pathways", type=Path, default=PATHWAYS_DIR, help="the guidance folder the bot reads")
    parser.add_argument("--knowledge", type=Path, default=KNOWLEDGE_DIR, help="the knowledge articles folder")
    parser.add_argument("--state", type=Path, default=state_dir(),
                        help="accounts, drafts and the history (a git repository); not in the guidance folder")
    parser.add_argument("--secure-cookies", action="store_true",
                        default=os.environ.get("SIGNPOST_WORKSPACE_SECURE_COOKIES") == "1",
                        help="mark the session cookie Secure (when served over HTTPS)")
    args = parser.parse_args(argv)
    try:
        settings = oidc_settings()
    except OidcConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from .app import make_app
    from .workspace import Workspace
    if args.state.resolve().is_relative_to(args.pathways.resolve()):
        print("error: --state must not be inside the guidance folder", file=sys.stderr)
        return 2
    workspace = Workspace(args.pathways, args.knowledge, args.state)
    if not workspace.accounts.all() and settings is None:
        print("note: no author accounts yet; add one with `signpost authors add NAME --role reviewer`", file=sys.stderr)
    logging.basicConfig(level=logging.WARNING)
    print(f"Signpost workspace on http://{args.host}:{args.port} (guidance: {workspace.pathways})", flush=True)
    # access_log off: URLs carry no personal data, but there is no reason to keep them
    if settings is not None:
        print(f"Sign-in: workspace accounts, and the organisation's through {settings.issuer}", flush=True)
    oidc = OidcClient(settings) if settings is not None else None
    web.run_app(make_app(workspace, secure_cookies=args.secure_cookies, oidc=oidc), host=args.host, port=args.port,
                access_log=None, print=None, handle_signals=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
