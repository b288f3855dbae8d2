"""Session fixtures shared by every test folder.

``rasa_stack`` starts the real Rasa server, action server and (when
channels/web/serve.py exists) the demo page on random free ports, trained once
per training-data hash via assistant.model_cache. Use it as::

    def test_x(rasa_stack):
        replies = rasa_stack.send("sender-1", "hello")   # REST channel
        rasa_stack.rasa_url, rasa_stack.actions_url, rasa_stack.web_url
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Tests keep their last good guidance/knowledge/phrasings copies away from the repo's .rasa/.
os.environ.setdefault("SIGNPOST_STATE_DIR", tempfile.mkdtemp(prefix="signpost-state-"))

from assistant.stack import Stack, free_port, start_stack  # noqa: E402

# Test lanes (`make test-fast` runs `unit` only; `make test` runs all):
#   unit      pure Python, no server, no browser
#   stack     boots the real Rasa and action servers (or another real server of ours)
#   services  needs the machine's PostgreSQL, Redis or nginx
#   browser   drives headless Chromium
#   reference checks our code against a reference implementation it must import
#             (sentence-transformers on torch: about 15 s of imports alone)
# A test may mark itself; otherwise its folder or its fixtures decide, so a new
# test lands in the right lane without anyone remembering to mark it.
LANES = ("stack", "services", "browser", "reference")
_FOLDER_LANES = {"widget": "browser", "deploy": "services", "e2e": "stack", "stories": "stack",
                 "workspace": "browser", "faults": "stack", "privacy": "stack",
                 "scaleout": "services"}
_STACK_FIXTURES = {"rasa_stack"}
# Costly session or module fixtures: under `make test-fast`'s workers (--dist
# loadgroup) every test that uses one runs on the same worker, so it is built once.
_SHARED_FIXTURE_GROUPS = {"kb": "knowledge-index", "embedder": "knowledge-index", "triages": "stopping-walks"}


@pytest.hookimpl(tryfirst=True)   # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        lanes = {m.name for m in item.iter_markers() if m.name in LANES or m.name == "e2e"}
        folder = item.path.parent.name
        if folder in _FOLDER_LANES:
            lanes.add(_FOLDER_LANES[folder])
        if _STACK_FIXTURES & set(getattr(item, "fixturenames", ())) or "e2e" in lanes:
            lanes.add("stack")
        lanes.discard("e2e")
        for lane in lanes:
            item.add_marker(lane)
        if not lanes:
            item.add_marker("unit")
        groups = {_SHARED_FIXTURE_GROUPS[f] for f in getattr(item, "fixturenames", ()) if f in _SHARED_FIXTURE_GROUPS}
        for group in sorted(groups):
            item.add_marker(pytest.mark.xdist_group(group))


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As the machine's own probe starts it: without the background-networking flags
# Chromium keeps trying hosts this closed network refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the whole session, shared by every page test.

    One, not one per folder: Playwright's sync API runs an event loop of its own
    in this thread, and a second instance started beside it refuses to run.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make install` adds Debian's chromium (apt-get install chromium).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("rasa_stack")
    stack = start_stack(
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        tracker_db=workdir / "tracker.db",
        log_dir=workdir / "logs",
    )
    try:
        yield stack
    finally:
        stack.stop()
