"""The schema-aware YAML editor's server side: the routes its page script calls.

Kept apart from app.py so the editor (static/, this module) changes on its own.
"""
from __future__ import annotations

from aiohttp import web


def add_routes(router: web.UrlDispatcher) -> None:
    """Adds the editor's routes (none yet beyond app.py's /api/check-rule)."""
