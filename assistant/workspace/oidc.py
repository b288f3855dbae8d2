"""OpenID Connect sign-in (e.g. Microsoft Entra ID): the configuration, not yet the sign-in.

An organisation would set:
  SIGNPOST_WORKSPACE_OIDC_ISSUER      e.g. https://login.microsoftonline.com/TENANT/v2.0
  SIGNPOST_WORKSPACE_OIDC_CLIENT_ID   the app registration's client id
  SIGNPOST_WORKSPACE_OIDC_SECRET_FILE a file holding the client secret (never the secret itself)
  SIGNPOST_WORKSPACE_OIDC_REVIEWERS   the group or app-role claim value that makes a reviewer
The authorization-code flow is not implemented in this version. Rather than
quietly fall back to local accounts when an organisation asked for its own
sign-in, the workspace refuses to start while these are set.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

PREFIX = "SIGNPOST_WORKSPACE_OIDC_"


class OidcNotAvailable(RuntimeError):
    pass


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    secret_file: str
    reviewers: str


def oidc_settings(environ: dict | None = None) -> OidcSettings | None:
    env = os.environ if environ is None else environ
    if not any(k.startswith(PREFIX) and v for k, v in env.items()):
        return None
    raise OidcNotAvailable("OpenID Connect sign-in is configured (SIGNPOST_WORKSPACE_OIDC_*) but not available in this "
                           "version; unset those variables to use local author accounts (`signpost authors add`).")
