"""Bot Framework authentication, both ways.

Incoming: every request from the Bot Connector carries a JWT signed with one
of Microsoft's published keys; ``RequestAuthenticator`` checks signature,
issuer, audience (our app id), expiry, the channel endorsement and that the
token was issued for the serviceUrl in the activity.

Outgoing: replies carry an access token from Microsoft's OAuth endpoint
(client credentials); ``TokenClient`` caches it until shortly before expiry.

Both endpoints are parameters so tests can point them at loopback fakes; the
defaults are Microsoft's. No Rasa import.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
TOKEN_ISSUER = "https://api.botframework.com"
# Multi-tenant bots get tokens here; a single-tenant bot uses its tenant's endpoint.
TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
TENANT_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
TOKEN_SCOPE = "https://api.botframework.com/.default"

KEYS_MAX_AGE = 24 * 3600.0       # Microsoft rotates signing keys; refresh daily
# A token signed with a key id we have not seen makes us refetch the keys at
# once (Microsoft may have rotated just after our last fetch), but a flood of
# made-up key ids costs at most one fetch per this many seconds.
KEYS_REFETCH_MIN_INTERVAL = 1.0
CLOCK_SKEW = 300                 # seconds of leeway, as the Bot Framework SDKs allow
TOKEN_REFRESH_MARGIN = 300.0
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=10)


class AuthError(Exception):
    """The request is not from the Bot Connector (or cannot be checked now)."""


def bearer_token(header: str | None) -> str:
    if not header:
        raise AuthError("no Authorization header")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("the Authorization header is not a Bearer token")
    return token.strip()


class RequestAuthenticator:
    """Checks the JWT on each request from the Bot Connector."""

    def __init__(self, app_id: str, openid_metadata_url: str = OPENID_METADATA_URL,
                 issuer: str = TOKEN_ISSUER, clock: Callable[[], float] = time.monotonic) -> None:
        self.app_id = app_id
        self.openid_metadata_url = openid_metadata_url
        self.issuer = issuer
        self.clock = clock
        self.fetches = 0
        self._keys: dict[str, Mapping[str, Any]] = {}
        self._fetched_at = float("-inf")
        self._lock: asyncio.Lock | None = None

    async def _fetch_keys(self) -> None:
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
            async with session.get(self.openid_metadata_url) as response:
                response.raise_for_status()
                metadata = await response.json(content_type=None)
            async with session.get(metadata["jwks_uri"]) as response:
                response.raise_for_status()
                keys = (await response.json(content_type=None))["keys"]
        self._keys = {key["kid"]: key for key in keys if isinstance(key, Mapping) and "kid" in key}
        self._fetched_at = self.clock()
        self.fetches += 1

    def _fresh(self) -> bool:
        return self.clock() - self._fetched_at <= KEYS_MAX_AGE

    async def _key(self, key_id: str) -> Mapping[str, Any]:
        known = self._keys.get(key_id)
        if known is not None and self._fresh():
            return known  # the common case never waits for a fetch
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if key_id not in self._keys or not self._fresh():
                # An unseen key id is refetched even just after a fetch (Microsoft
                # may have rotated meanwhile): wait out the short minimum interval
                # rather than refuse a genuine message.
                wait = KEYS_REFETCH_MIN_INTERVAL - (self.clock() - self._fetched_at)
                if 0 < wait <= KEYS_REFETCH_MIN_INTERVAL:
                    await asyncio.sleep(wait)
                try:
                    await self._fetch_keys()
                except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError) as exc:
                    # Keep the keys we have: a short Microsoft outage should not lock everyone out.
                    log.warning("could not refresh Bot Framework signing keys: %s", type(exc).__name__)
        key = self._keys.get(key_id)
        if key is None:
            raise AuthError("the token is signed with an unknown key")
        return key

    async def check(self, authorization: str | None, channel_id: str, service_url: str) -> dict[str, Any]:
        """The token's claims when it is valid for this activity; raises AuthError."""
        token = bearer_token(authorization)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError("the token is not a JWT") from exc
        key_json = await self._key(str(header.get("kid", "")))
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(dict(key_json)))
            if not isinstance(public_key, RSAPublicKey):  # a published signing key is never a private one
                raise AuthError("the signing key is not a public key")
            claims = jwt.decode(
                token,
                key=public_key,
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=self.issuer,
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise AuthError(f"the token did not verify ({type(exc).__name__})") from exc
        # Fail closed: a key without endorsements, an activity without a
        # channelId or a token without a serviceUrl claim is refused, not waved through.
        endorsements = key_json.get("endorsements")
        if not channel_id:
            raise AuthError("the activity names no channel")
        if not isinstance(endorsements, list) or channel_id not in endorsements:
            raise AuthError("the signing key is not endorsed for this channel")
        claimed_url = claims.get("serviceurl") or claims.get("serviceUrl")
        if not isinstance(claimed_url, str) or not claimed_url:
            raise AuthError("the token has no serviceUrl claim")
        if claimed_url.rstrip("/") != service_url.rstrip("/"):
            raise AuthError("the token was issued for another serviceUrl")
        return claims


class TokenClient:
    """Access tokens for sending replies, cached until shortly before they expire."""

    def __init__(self, app_id: str, app_password: str, token_url: str = TOKEN_URL,
                 scope: str = TOKEN_SCOPE) -> None:
        self.app_id = app_id
        self.app_password = app_password
        self.token_url = token_url
        self.scope = scope
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock: asyncio.Lock | None = None

    @property
    def enabled(self) -> bool:
        # The Bot Framework Emulator talks to a bot without an app id unauthenticated.
        return bool(self.app_id and self.app_password)

    def forget(self) -> None:
        """Drop the cached token (the connector refused it)."""
        self._token = None

    async def authorization(self, session: aiohttp.ClientSession) -> dict[str, str]:
        """The Authorization header for a reply; raises AuthError when no token can be had."""
        if not self.enabled:
            return {}
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._token is None or time.monotonic() > self._expires_at - TOKEN_REFRESH_MARGIN:
                form = {"grant_type": "client_credentials", "client_id": self.app_id,
                        "client_secret": self.app_password, "scope": self.scope}
                try:
                    async with session.post(self.token_url, data=form) as response:
                        if response.status != 200:
                            raise AuthError(f"the token endpoint answered {response.status}")
                        body = await response.json(content_type=None)
                    self._token = str(body["access_token"])
                    self._expires_at = time.monotonic() + float(body.get("expires_in", 3600))
                except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError, TypeError) as exc:
                    raise AuthError(f"could not get an access token ({type(exc).__name__})") from exc
            return {"Authorization": f"Bearer {self._token}"}
