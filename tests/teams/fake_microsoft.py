"""A loopback stand-in for Microsoft: OpenID metadata, signing keys, the OAuth
token endpoint and the Bot Connector that receives the bot's replies.

It signs request tokens the way the Bot Connector does (RS256, issuer
https://api.botframework.com, audience = the bot's app id, a serviceurl
claim), so the channel's real JWT checks run against it.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

APP_ID = "00000000-1111-2222-3333-444444444444"
APP_PASSWORD = "test-app-password"
TENANT_ID = "tenant-1"
PSEUDONYM_KEY = "a-pseudonym-key-of-its-own-0123456789"
ACCESS_TOKEN = "fake-access-token"
KEY_ID = "signpost-test-key"
ISSUER = "https://api.botframework.com"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Received:
    method: str
    path: str               # URL-decoded
    authorization: str
    body: Any


@dataclass
class FakeMicrosoft:
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    endorsements: tuple[str, ...] = ("msteams", "emulator")
    received: list[Received] = field(default_factory=list)
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # statuses the connector answers first
    retry_after: str | None = None  # the Retry-After header sent with those failures
    key_id: str = KEY_ID
    key_fetches: int = 0
    refused: int = 0
    server: ThreadingHTTPServer | None = None
    _cond: threading.Condition = field(default_factory=threading.Condition)  # re-entrant lock

    # ---- addresses ----
    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def openid_url(self) -> str:
        return f"{self.url}/openid"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    @property
    def service_url(self) -> str:
        return f"{self.url}/connector/"

    # ---- tokens the Bot Connector would send ----
    def request_token(self, *, audience: str = APP_ID, service_url: str | None = None,
                      issuer: str = ISSUER, expires_in: int = 600, key: rsa.RSAPrivateKey | None = None,
                      kid: str | None = None, with_service_url: bool = True) -> str:
        now = int(time.time())
        claims = {"iss": issuer, "aud": audience, "iat": now - 5, "nbf": now - 5, "exp": now + expires_in}
        if with_service_url:
            claims["serviceurl"] = service_url or self.service_url
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.key_id})

    def rotate_key(self, key_id: str) -> None:
        """Microsoft publishes a new signing key (and stops signing with the old one)."""
        with self._cond:
            self.key = new_key()
            self.key_id = key_id

    # ---- what the connector got ----
    def activities(self) -> list[Received]:
        with self._cond:
            return [r for r in self.received if r.path.startswith("/connector/")]

    def replies_in(self, conversation_id: str) -> list[Received]:
        with self._cond:
            return [r for r in self.received if isinstance(r.body, dict)
                    and r.body.get("conversation", {}).get("id") == conversation_id]

    def wait_for_replies(self, conversation_id: str, count: int, timeout: float = 10.0) -> list[Received]:
        """The replies into one conversation, once ``count`` have come (or the timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.replies_in(conversation_id)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return self.replies_in(conversation_id)

    # ---- server ----
    def start(self) -> FakeMicrosoft:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet test output
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/openid":
                    self._send(200, {"issuer": ISSUER, "jwks_uri": f"{fake.url}/keys",
                                     "id_token_signing_alg_values_supported": ["RS256"]})
                elif self.path == "/keys":
                    fake.key_fetches += 1
                    jwk = json.loads(RSAAlgorithm.to_jwk(fake.key.public_key()))
                    jwk.update({"kid": fake.key_id, "use": "sig", "endorsements": list(fake.endorsements)})
                    self._send(200, {"keys": [jwk]})
                else:
                    self._send(404, {})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/token":
                    form = parse_qs(raw.decode())
                    fake.token_requests.append(form)
                    if form.get("client_secret") != [APP_PASSWORD]:
                        self._send(401, {"error": "invalid_client"})
                    else:
                        self._send(200, {"token_type": "Bearer", "expires_in": 3600,
                                         "access_token": ACCESS_TOKEN})
                    return
                with fake._cond:
                    status = fake.fail_next.pop(0) if fake.fail_next else 200
                    if status == 200:
                        fake.received.append(Received("POST", unquote(self.path),
                                                      self.headers.get("Authorization", ""),
                                                      json.loads(raw or b"null")))
                        fake._cond.notify_all()
                    else:
                        fake.refused += 1
                headers = {"Retry-After": fake.retry_after} if status != 200 and fake.retry_after else {}
                self._send(status, {"id": str(uuid.uuid4())} if status == 200 else {"error": "try later"}, headers)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, name="fake-microsoft", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def message_activity(fake: FakeMicrosoft, text: str = "", *, value: Any = None,
                     conversation_id: str | None = None,
                     user_id: str = "29:1user-aad-id", activity_id: str | None = None,
                     **extra: Any) -> dict[str, Any]:
    """A Teams ``message`` activity as the Bot Connector posts it."""
    activity: dict[str, Any] = {
        "type": "message",
        "id": activity_id or f"1700000000{uuid.uuid4().int % 1000:03d}",
        "timestamp": "2026-11-26T10:00:00.000Z",
        "serviceUrl": fake.service_url,
        "channelId": "msteams",
        "from": {"id": user_id, "name": "A Professional", "aadObjectId": "aad-object-id"},
        # Each message gets its own conversation unless told, so tests never mix replies.
        "conversation": {"id": conversation_id or f"a:1Teams-{uuid.uuid4().hex};messageid=17000",
                         "conversationType": "personal", "tenantId": TENANT_ID},
        "recipient": {"id": f"28:{APP_ID}", "name": "Signpost"},
        "text": text,
        "textFormat": "plain",
        "locale": "en-GB",
        "channelData": {"tenant": {"id": TENANT_ID}},
    }
    if value is not None:
        activity["value"] = value
    activity.update(extra)
    return activity
