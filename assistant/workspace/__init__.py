"""The authors' workspace: a safeguarding lead updates the guidance in a browser, safely.

Run it with ``python -m assistant.workspace --port 8090 --pathways pathways
--knowledge knowledge --state .workspace`` (``make workspace``). Authors sign in
with local accounts (``signpost authors add NAME --role author|reviewer``) or, when
configured, their organisation's OpenID Connect sign-in (oidc.py), see
the guidance in plain words, edit contacts, settings, questions, rules,
worked examples and knowledge articles into a draft,
see the draft's impact on every worked example, and publish it once a
reviewer other than the author has approved it. Publishing writes the files
the bot reads (it picks them up on its next message) and records who, when
and why in a git history kept in the state folder, with a diff and rollback.
It never shows conversations.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from assistant import KNOWLEDGE_DIR, PATHWAYS_DIR, PROJECT_ROOT

DEFAULT_PORT = 8090
DEFAULT_STATE = PROJECT_ROOT / ".workspace"


def state_dir() -> Path:
    return Path(os.environ.get("SIGNPOST_WORKSPACE_STATE") or DEFAULT_STATE)


def command(port: int = DEFAULT_PORT, pathways: Path = PATHWAYS_DIR, knowledge: Path = KNOWLEDGE_DIR,
            state: Path | None = None, host: str = "127.0.0.1") -> list[str]:
    """The command line that serves the workspace (for `make run` and the tests)."""
    return [sys.executable, "-m", "assistant.workspace", "--port", str(port), "--host", host,
            "--pathways", str(pathways), "--knowledge", str(knowledge), "--state", str(state or state_dir())]
