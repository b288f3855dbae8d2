"""Entry point for the Rasa server: ``python -m assistant.rasa_server run …``.

Settings Rasa's CLI cannot make, applied before handing over to it:
- CORS answers only the configured origins and never with
  ``Access-Control-Allow-Credentials`` (Rasa hard-codes credentials on; the
  widget sends none, so a foreign page gains nothing by riding a cookie).
- The HTTP API token comes from SIGNPOST_API_TOKEN in the environment, not
  the command line, where any local user could read it with ``ps``.
- The action-response check builds its JSON Schema validator once
  (:mod:`assistant.rasa_speedups`; it was half the server's busy time).
"""
from __future__ import annotations

import os
import sys
from typing import Any


def _configure_cors_without_credentials(app: Any, cors_origins: Any = "") -> None:
    from sanic_cors import CORS

    app.config.CORS_AUTOMATIC_OPTIONS = True
    app.config.CORS_SUPPORTS_CREDENTIALS = False
    app.config.CORS_EXPOSE_HEADERS = "filename"
    CORS(app, resources={r"/*": {"origins": cors_origins or ""}}, automatic_options=True,
         supports_credentials=False)


def main() -> None:
    import rasa.server

    from assistant import rasa_speedups

    rasa_speedups.install()
    rasa.server.configure_cors = _configure_cors_without_credentials
    token = os.environ.get("SIGNPOST_API_TOKEN")
    if token and not any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in sys.argv):
        # One argument with "=": a token that begins with "-" (token_urlsafe makes one
        # in about 1 in 32 starts) would otherwise be read by argparse as an option.
        sys.argv.append(f"--auth-token={token}")
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
