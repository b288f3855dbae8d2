"""OpenID Connect sign-in (e.g. Microsoft Entra ID): the authorization-code flow with PKCE.

An organisation sets:
  SIGNPOST_WORKSPACE_OIDC_ISSUER        e.g. https://login.microsoftonline.com/TENANT/v2.0
  SIGNPOST_WORKSPACE_OIDC_CLIENT_ID     the app registration's client id
  SIGNPOST_WORKSPACE_OIDC_SECRET_FILE   a file holding the client secret (never the secret itself)
  SIGNPOST_WORKSPACE_OIDC_REVIEWERS     the group or app-role value that makes a person a reviewer
and may set:
  SIGNPOST_WORKSPACE_OIDC_AUTHORS       a group or app-role value a person needs to sign in at all
                                        (unset: everyone the provider signs in for this app is an author)
  SIGNPOST_WORKSPACE_OIDC_CLAIM         the claim holding those values (default: both `groups` and `roles`)
  SIGNPOST_WORKSPACE_OIDC_REDIRECT_URI  the callback address the provider knows, when the workspace is
                                        behind a reverse proxy (default: this host's /signin/oidc/callback)

The flow: the sign-in page's button posts (with its CSRF token) to /signin/oidc,
which keeps a random state, nonce and PKCE verifier for this browser and sends
it to the provider's authorization endpoint (from the issuer's discovery
document). The provider sends the browser back to /signin/oidc/callback with a
code; the workspace exchanges it at the token endpoint with the client secret
and the verifier, and accepts the ID token only when its signature checks
against the provider's published keys (JWKS) and its issuer, audience, expiry
and nonce are right. Nothing from the tokens is stored but the person's name
and role in the in-memory session.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
import jwt

from .accounts import NAME_PATTERN, Author

PREFIX = "SIGNPOST_WORKSPACE_OIDC_"
REQUIRED = ("ISSUER", "CLIENT_ID", "SECRET_FILE", "REVIEWERS")
CALLBACK_PATH = "/signin/oidc/callback"
FLOW_COOKIE = "signpost_ws_oidc"          # SameSite=Lax: it must come back on the provider's redirect
FLOW_SECONDS = 600
LEEWAY_SECONDS = 60                       # clock drift allowed between the provider and this machine
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
LOOPBACK = ("localhost", "127.0.0.1", "::1")


class OidcConfigError(RuntimeError):
    """The OIDC settings are incomplete or unusable; the workspace refuses to start rather than
    quietly fall back to local accounts when an organisation asked for its own sign-in."""


OidcNotAvailable = OidcConfigError  # the name it had before sign-in was implemented


class SignInRefused(Exception):
    """The provider's answer cannot be accepted; the message says why, in plain words."""


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    secret_file: str
    reviewers: str
    authors: str | None = None
    claim: str | None = None
    redirect_uri: str | None = None

    def secret(self) -> str:
        return read_secret(Path(self.secret_file))


def read_secret(file: Path) -> str:
    try:
        secret = file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise OidcConfigError(f"cannot read {PREFIX}SECRET_FILE ({file}): {exc.strerror or exc}") from None
    if not secret:
        raise OidcConfigError(f"{PREFIX}SECRET_FILE ({file}) is empty: put the client secret in it")
    return secret


def _secure_url(url: str, what: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK):
        return
    raise OidcConfigError(f"{what} must be an https:// address (http only on this machine), not {url!r}")


def oidc_settings(environ: dict | None = None) -> OidcSettings | None:
    """The OIDC settings, None when none is set; raises OidcConfigError when they are incomplete."""
    env = os.environ if environ is None else environ
    if not any(k.startswith(PREFIX) and v for k, v in env.items()):
        return None
    missing = [PREFIX + k for k in REQUIRED if not env.get(PREFIX + k, "").strip()]
    if missing:
        raise OidcConfigError(f"OpenID Connect sign-in is partly configured: set {', '.join(missing)} too "
                              "(or unset every SIGNPOST_WORKSPACE_OIDC_* to use local author accounts)")
    settings = OidcSettings(
        issuer=env[PREFIX + "ISSUER"].strip().rstrip("/"), client_id=env[PREFIX + "CLIENT_ID"].strip(),
        secret_file=env[PREFIX + "SECRET_FILE"].strip(), reviewers=env[PREFIX + "REVIEWERS"].strip(),
        authors=env.get(PREFIX + "AUTHORS", "").strip() or None, claim=env.get(PREFIX + "CLAIM", "").strip() or None,
        redirect_uri=env.get(PREFIX + "REDIRECT_URI", "").strip() or None)
    _secure_url(settings.issuer, f"{PREFIX}ISSUER")
    if settings.redirect_uri:
        _secure_url(settings.redirect_uri, f"{PREFIX}REDIRECT_URI")
        if not urlsplit(settings.redirect_uri).path.endswith(CALLBACK_PATH):
            raise OidcConfigError(f"{PREFIX}REDIRECT_URI must end with {CALLBACK_PATH}")
    settings.secret()  # unreadable or empty: say so at start, not at the first sign-in
    return settings


@dataclass
class Flow:
    """One browser's sign-in in progress: what must come back from the provider."""
    state: str
    nonce: str
    verifier: str
    redirect_uri: str
    target: str
    session_id: str
    started: float = field(default_factory=time.monotonic)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def challenge(verifier: str) -> str:
    """PKCE S256: the hash of the verifier, which only this workspace knows until the exchange."""
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


class OidcClient:
    """The provider as the workspace uses it: discovery, the authorization URL, the code exchange and
    the ID token check. Discovery and keys are fetched on first use and kept; the keys are fetched
    again when a token names a key the workspace has not seen (the provider rotated them)."""

    def __init__(self, settings: OidcSettings):
        self.settings = settings
        self._secret = settings.secret()
        self._discovery: dict[str, Any] | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._flows: dict[str, Flow] = {}
        self._lock = threading.Lock()
        self._http: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    def _client(self) -> aiohttp.ClientSession:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        return self._http

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with self._client().get(url, headers={"Accept": "application/json"}) as response:
                if response.status != 200:
                    raise SignInRefused(f"The organisation's sign-in service answered {response.status} at {url}.")
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise SignInRefused(f"The organisation's sign-in service could not be reached ({type(exc).__name__}). "
                                "Try again in a minute, or sign in with a workspace account.") from None
        if not isinstance(data, dict):
            raise SignInRefused(f"The organisation's sign-in service sent something unexpected at {url}.")
        return data

    async def discovery(self) -> dict[str, Any]:
        if self._discovery is None:
            doc = await self._get_json(self.settings.issuer + "/.well-known/openid-configuration")
            if str(doc.get("issuer", "")).rstrip("/") != self.settings.issuer:
                raise SignInRefused("The sign-in service's discovery document names another issuer "
                                    f"({doc.get('issuer')!r}); check {PREFIX}ISSUER.")
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(doc.get(key), str):
                    raise SignInRefused(f"The sign-in service's discovery document has no {key}.")
                try:
                    _secure_url(doc[key], key)
                except OidcConfigError as exc:
                    raise SignInRefused(str(exc)) from None
            self._discovery = doc
        return self._discovery

    # ---- starting ------------------------------------------------------------

    def redirect_uri(self, request_base: str) -> str:
        return self.settings.redirect_uri or request_base.rstrip("/") + CALLBACK_PATH

    async def start(self, request_base: str, target: str, session_id: str) -> tuple[str, str]:
        """(flow id for the browser's cookie, the provider's authorization URL to send it to)."""
        doc = await self.discovery()
        flow = Flow(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48),
                    self.redirect_uri(request_base), target, session_id)
        flow_id = secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            for old in [k for k, f in self._flows.items() if now - f.started > FLOW_SECONDS]:
                del self._flows[old]
            if len(self._flows) > 5000:  # never grow without bound, whoever is pressing the button
                self._flows.pop(next(iter(self._flows)))
            self._flows[flow_id] = flow
        query = urlencode({"response_type": "code", "client_id": self.settings.client_id,
                           "redirect_uri": flow.redirect_uri, "scope": "openid profile email",
                           "state": flow.state, "nonce": flow.nonce,
                           "code_challenge": challenge(flow.verifier), "code_challenge_method": "S256"})
        endpoint = doc["authorization_endpoint"]
        return flow_id, f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    # ---- coming back ---------------------------------------------------------

    def take_flow(self, flow_id: str | None, state: str | None) -> Flow:
        """The flow this browser started, once (a replayed callback finds nothing)."""
        with self._lock:
            flow = self._flows.pop(flow_id, None) if flow_id else None
        if flow is None or time.monotonic() - flow.started > FLOW_SECONDS:
            raise SignInRefused("This sign-in was not started from this browser, or took longer than "
                                f"{FLOW_SECONDS // 60} minutes. Start again from the sign-in page.")
        if not state or not hmac.compare_digest(flow.state, state):
            raise SignInRefused("The answer from the sign-in service does not belong to the sign-in this "
                                "browser started (its state does not match). Start again from the sign-in page.")
        return flow

    async def finish(self, flow: Flow, code: str) -> Author:
        """Exchanges the code for tokens and returns who signed in, with their role."""
        doc = await self.discovery()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": flow.redirect_uri,
                "code_verifier": flow.verifier, "client_id": self.settings.client_id}
        headers = {"Accept": "application/json"}
        methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        if "client_secret_basic" in methods:
            pair = f"{_form_quote(self.settings.client_id)}:{_form_quote(self._secret)}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        else:
            form["client_secret"] = self._secret
        try:
            async with self._client().post(doc["token_endpoint"], data=form, headers=headers) as response:
                answer = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError):
            raise SignInRefused("The organisation's sign-in service could not be reached to finish signing in. "
                                "Try again in a minute.") from None
        if status != 200 or not isinstance(answer, dict) or not isinstance(answer.get("id_token"), str):
            what = answer.get("error") if isinstance(answer, dict) else None
            raise SignInRefused(f"The sign-in service refused to finish the sign-in ({what or status}). "
                                "Start again from the sign-in page.")
        claims = await self.verify(answer["id_token"], flow.nonce)
        return self.author(claims)

    async def _key(self, kid: str | None) -> jwt.PyJWK:
        for fresh in (False, True):
            if fresh or not self._keys:
                jwks = await self._get_json((await self.discovery())["jwks_uri"])
                try:
                    keyset = jwt.PyJWKSet.from_dict(jwks)
                except jwt.PyJWTError:
                    raise SignInRefused("The sign-in service publishes no key the workspace can use.") from None
                self._keys = {str(k.key_id): k for k in keyset.keys}
            if kid is None and len(self._keys) == 1:
                return next(iter(self._keys.values()))
            if kid in self._keys:
                return self._keys[kid]
        raise SignInRefused("The identity token is signed with a key the sign-in service does not publish.")

    async def verify(self, token: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims, when its signature, issuer, audience, expiry and nonce are right."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise SignInRefused("The identity token from the sign-in service is not a token.") from None
        if header.get("alg") not in ALGORITHMS:
            raise SignInRefused(f"The identity token is signed with {header.get('alg')!r}, which is not accepted.")
        key = await self._key(header.get("kid"))
        try:
            claims = jwt.decode(token, key.key, algorithms=[header["alg"]], audience=self.settings.client_id,
                                issuer=self.settings.issuer, leeway=LEEWAY_SECONDS,
                                options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        except jwt.ExpiredSignatureError:
            raise SignInRefused("The identity token has expired. Start again from the sign-in page; if it "
                                "happens again, check this machine's clock.") from None
        except jwt.InvalidSignatureError:
            raise SignInRefused("The identity token's signature does not match the sign-in service's keys: "
                                "it was changed on the way, or did not come from the service.") from None
        except jwt.InvalidAudienceError:
            raise SignInRefused("The identity token was issued for another application.") from None
        except jwt.InvalidIssuerError:
            raise SignInRefused("The identity token was issued by another sign-in service.") from None
        except jwt.PyJWTError as exc:
            raise SignInRefused(f"The identity token cannot be accepted ({exc}).") from None
        if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
            raise SignInRefused("The identity token does not belong to the sign-in this browser started "
                                "(its nonce does not match). Start again from the sign-in page.")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.settings.client_id:
            raise SignInRefused("The identity token was issued for another application.")
        return claims

    def author(self, claims: dict[str, Any]) -> Author:
        """Who signed in and their role: reviewer when the group or role claim holds the reviewers' value."""
        values: set[str] = set()
        for claim in [self.settings.claim] if self.settings.claim else ["groups", "roles"]:
            held = claims.get(claim)
            values.update(str(v) for v in (held if isinstance(held, list) else [held] if held else []))
        reviewer = self.settings.reviewers in values
        if self.settings.authors and not reviewer and self.settings.authors not in values:
            raise SignInRefused("Your organisation account is not one of the workspace's authors. "
                                "Ask your Signpost administrator to add you to its group.")
        name = str(claims.get("preferred_username") or claims.get("email") or claims["sub"])[:120]
        if NAME_PATTERN.match(name):
            # a bare name could be a local account's: the organisation's host keeps them apart
            name = f"{name}@{urlsplit(self.settings.issuer).hostname}"
        return Author(name, "reviewer" if reviewer else "author")


def _form_quote(value: str) -> str:
    from urllib.parse import quote_plus
    return quote_plus(value)
