"""OpenID Connect sign-in against a real provider process (tests/workspace/oidc_provider.py): a
reviewer and an author sign in through their organisation, local accounts keep working beside
it, and an expired, tampered or wrongly-nonced ID token is refused with a clear page."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant import PROJECT_ROOT
from assistant.stack import free_port
from assistant.workspace.oidc import OidcConfigError, oidc_settings

from .conftest import Running, axe_violations, sign_in, wait_for

CLIENT_ID = "signpost-workspace-test"
REVIEWERS = "signpost-reviewers"


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The test provider, at http://localhost:PORT (the workspace is 127.0.0.1: another site)."""
    secret = tmp_path / "client-secret"
    secret.write_text("a-test-client-secret\n")
    secret.chmod(0o600)
    port = free_port()
    log = tmp_path / "provider.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "tests.workspace.oidc_provider", "--port", str(port),
                                    "--client-id", CLIENT_ID, "--secret-file", str(secret)], cwd=PROJECT_ROOT,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        issuer = f"http://localhost:{port}"
        wait_for(f"{issuer}/.well-known/openid-configuration", process, log)
        yield issuer, secret
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)


@pytest.fixture
def oidc_workspace(provider, start_workspace: Callable[..., Running]) -> Running:
    issuer, secret = provider
    return start_workspace(env={"SIGNPOST_WORKSPACE_OIDC_ISSUER": issuer,
                                "SIGNPOST_WORKSPACE_OIDC_CLIENT_ID": CLIENT_ID,
                                "SIGNPOST_WORKSPACE_OIDC_SECRET_FILE": str(secret),
                                "SIGNPOST_WORKSPACE_OIDC_REVIEWERS": REVIEWERS})


def sign_in_with_organisation(page, base: str, who: str, mode: str = "good", path: str = "/") -> None:
    page.goto(base + path)
    page.get_by_role("button", name="Sign in with your organisation").click()
    page.get_by_role("heading", name="Test provider sign-in").wait_for()
    assert page.url.startswith("http://localhost:")
    page.get_by_label(who).check()
    page.get_by_label("Token").select_option(mode)
    page.get_by_role("button", name="Continue").click()


def test_a_reviewer_and_an_author_sign_in_through_their_organisation(oidc_workspace, new_page):
    base = oidc_workspace.url
    arthur = new_page()
    sign_in_with_organisation(arthur, base, "arthur", path="/contacts")
    arthur.get_by_role("heading", name="Contacts").wait_for()             # back where he was going
    assert arthur.url == f"{base}/contacts"
    assert "Signed in as arthur@example.org (author)" in arthur.locator("form.signout").inner_text()
    cookie = next(c for c in arthur.context.cookies(base) if c["name"] == "signpost_ws")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    # an author's edit goes into a draft (the forms' CSRF tokens work for him like for anyone)
    arthur.locator("tbody tr").first.get_by_role("link", name="Edit").click()
    arthur.get_by_label("Number, address or instructions").fill("0100 000 0003")
    arthur.get_by_role("button", name="Save in my draft").click()
    arthur.get_by_role("heading", name="Draft by arthur@example.org").wait_for()
    assert arthur.get_by_role("button", name="Approve this change").count() == 0

    rita = new_page()
    sign_in_with_organisation(rita, base, "rita", path="/drafts")
    rita.get_by_role("heading", name="Drafts").wait_for()
    assert "Signed in as rita@example.org (reviewer)" in rita.locator("form.signout").inner_text()
    rita.get_by_role("link", name=re.compile("Draft by arthur@example.org")).click()
    rita.get_by_role("button", name="Approve this change").click()          # the group makes her a reviewer
    assert "Approved" in rita.get_by_role("status").first.inner_text()

    # local accounts keep working beside it
    alice = new_page()
    sign_in(alice, base, "alice")
    assert "(author)" in alice.locator("form.signout").inner_text()


@pytest.mark.parametrize("mode,words", [
    ("expired", "The identity token has expired"),
    ("tampered", "signature does not match"),
    ("wrong_nonce", "its nonce does not match"),
    ("wrong_audience", "issued for another application"),
])
def test_a_bad_identity_token_is_refused_with_a_clear_page(oidc_workspace, new_page, mode, words):
    page = new_page()
    sign_in_with_organisation(page, oidc_workspace.url, "arthur", mode=mode)
    page.get_by_role("heading", name="Sign-in refused").wait_for()
    assert words in page.locator("#signin-refused").inner_text()
    assert not axe_violations(page)
    page.goto(oidc_workspace.url + "/")
    assert page.url.startswith(f"{oidc_workspace.url}/signin")             # nobody was signed in


def test_a_callback_this_browser_did_not_start_is_refused(oidc_workspace, new_page):
    page = new_page()
    page.goto(f"{oidc_workspace.url}/signin")
    assert not axe_violations(page)
    # starting the flow is a form like any other: without its CSRF token it is refused
    status = page.evaluate("""async () => (await fetch('/signin/oidc', {method: 'POST', redirect: 'manual',
        headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'next=/'})).status""")
    assert status == 403
    page.goto(f"{oidc_workspace.url}/signin/oidc/callback?code=made-up&state=made-up")
    page.get_by_role("heading", name="Sign-in refused").wait_for()
    assert "not started from this browser" in page.locator("#signin-refused").inner_text()


def test_without_settings_the_sign_in_page_offers_local_accounts_only(workspace, new_page):
    page = new_page()
    page.goto(workspace.url + "/signin")
    assert page.get_by_role("button", name="Sign in", exact=True).is_visible()
    assert page.get_by_role("button", name="Sign in with your organisation").count() == 0


def test_incomplete_settings_stop_the_workspace_rather_than_fall_back(tmp_path):
    assert oidc_settings({}) is None
    with pytest.raises(OidcConfigError, match="CLIENT_ID"):
        oidc_settings({"SIGNPOST_WORKSPACE_OIDC_ISSUER": "https://login.example/tenant/v2.0"})
    full = {"SIGNPOST_WORKSPACE_OIDC_ISSUER": "https://login.example/tenant/v2.0",
            "SIGNPOST_WORKSPACE_OIDC_CLIENT_ID": "x", "SIGNPOST_WORKSPACE_OIDC_REVIEWERS": "g",
            "SIGNPOST_WORKSPACE_OIDC_SECRET_FILE": str(tmp_path / "missing")}
    with pytest.raises(OidcConfigError, match="cannot read"):
        oidc_settings(full)
    (tmp_path / "missing").write_text("s3cret")
    assert oidc_settings(full).client_id == "x"
    with pytest.raises(OidcConfigError, match="https"):
        oidc_settings({**full, "SIGNPOST_WORKSPACE_OIDC_ISSUER": "http://login.example/tenant"})
