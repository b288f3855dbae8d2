"""A small, real OpenID Connect provider for the workspace's sign-in tests (never for use elsewhere).

`python -m tests.workspace.oidc_provider --port P --client-id ID --secret-file FILE` serves, at
http://localhost:P: the discovery document, an authorization endpoint whose page asks who is signing
in (and, for the tests, how the ID token should go wrong), a token endpoint that checks the client
secret, the code, the redirect address and the PKCE verifier, and the JWKS of an RS256 key made at
start with `cryptography`. The issuer is "localhost" while the workspace is "127.0.0.1", so the
browser treats the redirect back as cross-site, as with a real provider.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import time
from html import escape
from pathlib import Path
from urllib.parse import urlencode

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

KID = "test-key-1"
USERS = {
    "rita": {"preferred_username": "rita@example.org", "name": "Rita Reviewer",
             "groups": ["staff", "signpost-reviewers"]},
    "arthur": {"preferred_username": "arthur@example.org", "name": "Arthur Author", "groups": ["staff"]},
}
MODES = ("good", "expired", "tampered", "wrong_nonce", "wrong_audience")


def make_app(port: int, client_id: str, secret: str) -> web.Application:
    issuer = f"http://localhost:{port}"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public_jwk.update({"kid": KID, "use": "sig", "alg": "RS256"})
    codes: dict[str, dict] = {}

    async def discovery(_request: web.Request) -> web.Response:
        return web.json_response({
            "issuer": issuer, "authorization_endpoint": f"{issuer}/authorize", "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/jwks", "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"], "scopes_supported": ["openid"]})

    async def jwks(_request: web.Request) -> web.Response:
        return web.json_response({"keys": [public_jwk]})

    async def authorize_page(request: web.Request) -> web.Response:
        q = request.query
        if q.get("client_id") != client_id or q.get("response_type") != "code" or "openid" not in q.get("scope", ""):
            return web.Response(status=400, text="bad authorization request")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge") or not q.get("redirect_uri"):
            return web.Response(status=400, text="PKCE (S256) and a redirect_uri are required")
        hidden = "".join(f'<input type="hidden" name="{k}" value="{escape(q.get(k, ""))}">'
                         for k in ("redirect_uri", "state", "nonce", "code_challenge"))
        users = "".join(f'<label><input type="radio" name="user" value="{u}"{" checked" if i == 0 else ""}> {u}</label>'
                        for i, u in enumerate(USERS))
        modes = "".join(f'<option value="{m}">{m}</option>' for m in MODES)
        html = (f'<!doctype html><html lang="en"><title>Test provider</title><h1>Test provider sign-in</h1>'
                f'<form method="post" action="/authorize">{hidden}<fieldset><legend>Who</legend>{users}</fieldset>'
                f'<label for="mode">Token</label><select id="mode" name="mode">{modes}</select>'
                f'<button type="submit">Continue</button></form></html>')
        return web.Response(text=html, content_type="text/html")

    async def authorize(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        user, mode = str(form.get("user")), str(form.get("mode", "good"))
        if user not in USERS or mode not in MODES:
            return web.Response(status=400, text="unknown user or mode")
        code = secrets.token_urlsafe(24)
        codes[code] = {"redirect_uri": str(form["redirect_uri"]), "nonce": str(form["nonce"]),
                       "challenge": str(form["code_challenge"]), "user": user, "mode": mode,
                       "expires": time.time() + 60}
        target = str(form["redirect_uri"])
        return web.HTTPFound(f"{target}?{urlencode({'code': code, 'state': str(form['state'])})}")

    async def token(request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        if not hmac.compare_digest(auth, expected):
            return web.json_response({"error": "invalid_client"}, status=401)
        form = await request.post()
        grant = codes.pop(str(form.get("code")), None)   # a code works once
        if grant is None or grant["expires"] < time.time() or form.get("grant_type") != "authorization_code":
            return web.json_response({"error": "invalid_grant"}, status=400)
        verifier = str(form.get("code_verifier", ""))
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if form.get("redirect_uri") != grant["redirect_uri"] or digest != grant["challenge"]:
            return web.json_response({"error": "invalid_grant", "error_description": "PKCE or redirect"}, status=400)
        now, mode = int(time.time()), grant["mode"]
        claims = {"iss": issuer, "aud": client_id, "sub": f"sub-{grant['user']}", "iat": now, "exp": now + 300,
                  "nonce": grant["nonce"], **USERS[grant["user"]]}
        if mode == "expired":
            claims.update(iat=now - 3600, exp=now - 1800)
        elif mode == "wrong_nonce":
            claims["nonce"] = "not-the-nonce-the-workspace-sent"
        elif mode == "wrong_audience":
            claims["aud"] = "another-application"
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})
        if mode == "tampered":  # an author makes themself a reviewer without the provider's key
            head, _, rest = id_token.partition(".")
            _, _, signature = rest.partition(".")
            forged = dict(claims, groups=["signpost-reviewers"])
            body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
            id_token = f"{head}.{body}.{signature}"
        return web.json_response({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                                  "expires_in": 300, "id_token": id_token})

    app = web.Application()
    app.router.add_get("/.well-known/openid-configuration", discovery)
    app.router.add_get("/jwks", jwks)
    app.router.add_get("/authorize", authorize_page)
    app.router.add_post("/authorize", authorize)
    app.router.add_post("/token", token)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--secret-file", type=Path, required=True)
    args = parser.parse_args()
    secret = args.secret_file.read_text(encoding="utf-8").strip()
    web.run_app(make_app(args.port, args.client_id, secret), host="localhost", port=args.port, print=None,
                access_log=None)


if __name__ == "__main__":
    main()
