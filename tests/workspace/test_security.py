"""Sign-in, sessions and forms: signed-out requests, CSRF, the sign-in rate limit."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from .conftest import PASSWORDS, sign_in

PAGES = ["/", "/pathways", "/rules", "/questions", "/contacts", "/areas", "/knowledge", "/try", "/drafts",
         "/history", "/draft", "/contacts/edit?key=x", "/rules/danger_now_999/edit"]


def test_a_signed_out_request_to_any_page_gets_the_sign_in_page(workspace, new_page):
    page = new_page()
    for path in PAGES:
        page.goto(workspace.url + path)
        assert page.url.startswith(f"{workspace.url}/signin"), path
        assert page.get_by_role("heading", name="Sign in").is_visible()
    # after signing in, the page asked for is the one shown
    page.goto(workspace.url + "/contacts")
    page.get_by_label("Name").fill("alice")
    page.get_by_label("Password").fill(PASSWORDS["alice"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Contacts").wait_for()
    assert page.url == f"{workspace.url}/contacts"


def test_a_signed_out_post_is_refused_and_changes_nothing(workspace):
    before = (workspace.pathways / "areas" / "sefton.yaml").read_text()
    data = urllib.parse.urlencode({"key": "areas/sefton.yaml|idva|0", "field": "phone", "value": "1",
                                   "last_verified": "2026-01-01"}).encode()
    request = urllib.request.Request(f"{workspace.url}/contacts/edit", data=data, method="POST")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(request)
        raise AssertionError("a signed-out POST was accepted")
    except urllib.error.HTTPError as exc:
        assert exc.code == 303 and exc.headers["Location"].startswith("/signin")
    assert (workspace.pathways / "areas" / "sefton.yaml").read_text() == before


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_session_cookie_is_httponly_and_samesite(workspace, new_page):
    page = new_page()
    sign_in(page, workspace.url, "alice")
    cookie = next(c for c in page.context.cookies() if c["name"] == "signpost_ws")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""          # no script can read it


def test_a_form_without_its_csrf_token_is_refused(workspace, new_page):
    page = new_page()
    sign_in(page, workspace.url, "alice", "/contacts")
    page.locator("tbody tr").first.get_by_role("link", name="Edit").click()
    before = {p: p.read_text() for p in workspace.pathways.rglob("*.yaml")}
    page.locator("main form input[name=csrf]").evaluate("el => el.remove()")
    page.get_by_label("Number, address or instructions").fill("0100 000 0000")
    page.get_by_role("button", name="Save in my draft").click()
    assert page.get_by_role("heading", name="Form refused").is_visible()
    assert "did not come from a page of the workspace" in page.get_by_role("alert").inner_text()
    # a wrong token is refused too, and so is a JSON call without the header
    status = page.evaluate("""async () => (await fetch('/api/check-rule', {method: 'POST',
        headers: {'Content-Type': 'application/json', 'X-CSRF-Token': 'forged'},
        body: JSON.stringify({rule: 'danger_now_999', text: 'id: x'})})).status""")
    assert status == 403
    page.goto(workspace.url + "/draft")
    assert page.get_by_text("You have no open draft").is_visible()
    assert before == {p: p.read_text() for p in workspace.pathways.rglob("*.yaml")}


def test_five_wrong_passwords_slow_sign_in_down(workspace, new_page):
    page = new_page()
    page.goto(workspace.url + "/signin")
    for attempt in range(5):
        page.get_by_label("Name").fill("bob")
        page.get_by_label("Password").fill(f"wrong-password-{attempt}")
        with page.expect_response(lambda r: r.url.endswith("/signin") and r.request.method == "POST") as answer:
            page.get_by_role("button", name="Sign in").click()
        assert answer.value.status == 401
        assert "do not match" in page.get_by_role("alert").inner_text()
    # the fifth wrong one says to wait; now even the right password must wait
    assert "wait" in page.get_by_role("alert").inner_text()
    page.get_by_label("Name").fill("bob")
    page.get_by_label("Password").fill(PASSWORDS["bob"])
    with page.expect_response(lambda r: r.url.endswith("/signin") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 429
    assert int(answer.value.headers["retry-after"]) > 0
    assert "Too many wrong passwords" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("heading", name="Sign in").is_visible()
    # another author is not locked out by bob's wrong passwords
    sign_in(page, workspace.url, "alice")


def test_signing_out_ends_the_session(workspace, new_page):
    page = new_page()
    sign_in(page, workspace.url, "alice")
    old = next(c["value"] for c in page.context.cookies() if c["name"] == "signpost_ws")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    page.goto(workspace.url + "/contacts")
    assert page.url.startswith(f"{workspace.url}/signin")
    # the old session id is dead even if someone kept it
    page.context.add_cookies([{"name": "signpost_ws", "value": old, "url": workspace.url}])
    page.goto(workspace.url + "/history")
    assert page.url.startswith(f"{workspace.url}/signin")
