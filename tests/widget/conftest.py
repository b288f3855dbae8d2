"""Headless Chromium for the widget tests: Debian's browser, never a download.

The servers come from the session fixture ``rasa_stack`` (tests/conftest.py),
which starts the real Rasa server, the action server and the demo page.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .chat import ChatPage

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "widget"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 768}   # the receptionist's screen the card is read on at a glance


@pytest.fixture(scope="session")
def artefacts() -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS


@pytest.fixture
def open_chat(browser, rasa_stack) -> Iterator[Callable[..., ChatPage]]:
    """Opens the demo page in a fresh browser context (its own sessionStorage)."""
    contexts = []

    def _open(viewport: dict = DESKTOP, path: str = "") -> ChatPage:
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        chat = ChatPage(page, rasa_stack.web_url, rasa_stack.rasa_url)
        chat.open(path)
        return chat

    yield _open
    for context in contexts:
        context.close()
