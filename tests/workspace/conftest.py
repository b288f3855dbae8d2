"""The real workspace server on a temporary copy of pathways/, and headless Debian Chromium.

Each test gets its own copy of the guidance (with its own history, accounts
and drafts), so publishing in one test never touches the project's files or
another test. Every server is stopped by its process id.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

from assistant import KNOWLEDGE_DIR, PATHWAYS_DIR, PROJECT_ROOT
from assistant.stack import free_port
from assistant.workspace import command
from assistant.workspace.accounts import Accounts

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
PASSWORDS = {"alice": "alice-password-1", "bob": "bob-password-12", "carol": "carol-password-3"}
ROLES = {"alice": "author", "bob": "reviewer", "carol": "reviewer"}


@dataclass
class Running:
    url: str
    pathways: Path
    state: Path
    process: subprocess.Popen
    log: Path
    knowledge: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the workspace exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)  # polling interval while the server starts, not a fixed wait for a result
    raise AssertionError(f"the workspace did not answer within {timeout} s")


def copy_pathways(target: Path) -> Path:
    shutil.copytree(PATHWAYS_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def copy_knowledge(target: Path) -> Path:
    shutil.copytree(KNOWLEDGE_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.fixture(scope="session")
def accounts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three test authors, hashed once (argon2 is slow on purpose)."""
    state = tmp_path_factory.mktemp("workspace-accounts")
    accounts = Accounts(state)
    for name, password in PASSWORDS.items():
        accounts.add(name, ROLES[name], password)
    return accounts.file


@pytest.fixture
def start_workspace(tmp_path: Path, accounts_file: Path) -> Iterator[Callable[..., Running]]:
    running: list[Running] = []

    def _start(pathways: Path | None = None, knowledge: Path | None = None,
               env: dict[str, str] | None = None) -> Running:
        folder = pathways or copy_pathways(tmp_path / f"pathways{len(running)}")
        # a copy of the articles too: publishing an article never touches the project's own
        articles = knowledge or copy_knowledge(tmp_path / f"knowledge{len(running)}")
        state = tmp_path / f"state{len(running)}"
        state.mkdir()
        shutil.copy(accounts_file, state / accounts_file.name)
        port = free_port()
        log = tmp_path / f"workspace{len(running)}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(command(port, folder, articles, state), cwd=PROJECT_ROOT,
                                       env={**os.environ, **(env or {})},
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        server = Running(f"http://127.0.0.1:{port}", folder, state, process, log, articles)
        running.append(server)
        wait_for(f"{server.url}/signin", process, log)
        return server

    yield _start
    for server in running:
        server.stop()


@pytest.fixture
def workspace(start_workspace: Callable[..., Running]) -> Running:
    return start_workspace()


@pytest.fixture
def new_page(browser) -> Iterator[Callable[[], Page]]:
    """A page in a fresh browser context (its own cookies: one per person signed in)."""
    contexts = []

    def _new() -> Page:
        # bypass_csp lets the test inject axe-core; the workspace's own pages run under its strict CSP
        context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        context.set_default_timeout(30000)  # the 2-core machine may be busy
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()


def sign_in(page: Page, base: str, name: str, path: str = "/") -> None:
    page.goto(base + path)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text(f"Signed in as {name}").wait_for()


def axe_violations(page: Page) -> list[dict]:
    """WCAG 2.0/2.1 A and AA violations axe-core finds on the page as it is."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document,
            {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.slice(0, 3).map(n => n.html)}));
    }""")
