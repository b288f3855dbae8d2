"""Only the channels are public: the Rasa HTTP API needs the operator token, CORS
answers only the widget's origins (never with credentials), the action server
listens on loopback, and the store and logs are private to the service user."""
from __future__ import annotations

import json
import stat
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def _call(url: str, method: str = "GET", body: object = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_without_the_token_trackers_events_and_the_model_are_refused(rasa_stack):
    rasa_stack.send("api-probe", "hello")
    base = rasa_stack.rasa_url
    assert _call(f"{base}/conversations/api-probe/tracker")[0] == 401
    event = [{"event": "slot", "name": "facts", "value": {}}]
    assert _call(f"{base}/conversations/api-probe/tracker/events", "POST", event)[0] == 401
    assert _call(f"{base}/model", "DELETE")[0] == 401
    assert _call(f"{base}/conversations/api-probe/tracker?token=wrong")[0] == 401
    # Nothing changed: the bot still answers and the conversation is intact.
    assert rasa_stack.send("api-probe", "hello")


def test_with_the_token_an_operator_can_still_read(rasa_stack):
    rasa_stack.send("api-operator", "hello")
    status, _, body = _call(rasa_stack.api("/conversations/api-operator/tracker"))
    assert status == 200
    assert json.loads(body)["sender_id"] == "api-operator"
    assert rasa_stack.tracker("api-operator")["sender_id"] == "api-operator"


def test_cors_refuses_a_foreign_origin_and_never_allows_credentials(rasa_stack):
    foreign = {"Origin": "https://evil.example"}
    _, headers, _ = _call(rasa_stack.rest_url, "POST", {"sender": "cors-1", "message": "hello"}, foreign)
    lowered = {k.lower(): v for k, v in headers.items()}
    assert "access-control-allow-origin" not in lowered
    assert "access-control-allow-credentials" not in lowered
    _, headers, _ = _call(rasa_stack.rest_url, "OPTIONS", None,
                          {**foreign, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in {k.lower() for k in headers}


def test_cors_allows_the_widget_origin_without_credentials(rasa_stack):
    origin = rasa_stack.cors_origins[0]
    _, headers, _ = _call(rasa_stack.rest_url, "POST", {"sender": "cors-2", "message": "hello"}, {"Origin": origin})
    lowered = {k.lower(): v for k, v in headers.items()}
    assert lowered.get("access-control-allow-origin") == origin
    assert lowered.get("access-control-allow-credentials", "false").lower() != "true"


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening socket on ``port`` (from /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            for line in handle.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


def test_the_action_server_listens_on_loopback_only(rasa_stack):
    addresses = _listening_addresses(rasa_stack.actions_port)
    assert addresses, "the action server listens nowhere"
    assert addresses <= {"0100007F", "00000000000000000000000001000000"}, addresses
    assert _listening_addresses(rasa_stack.rasa_port) <= {"0100007F"}


def test_the_store_and_logs_are_private(rasa_stack):
    db = rasa_stack.tracker_db
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    for path in rasa_stack.logs.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
