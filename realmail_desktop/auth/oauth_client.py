"""OAuth 2.0 for an installed app, the HTTP side: which client and endpoints (Google's by default, a person's own
`client_secret.json`, or a local fake), PKCE values, and the token endpoint's calls (code exchange, refresh,
revoke) over urllib — blocking, so callers run them in a worker thread. The one place their failures become
our errors: `invalid_grant` is `SignInRequiredError` ("sign in again")."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from realmail_desktop.core.config import Settings
from realmail_desktop.core.errors import AuthenticationFailedError, KnownError, ServerError, ServerUnreachableError
from realmail_desktop.core.logs import get_logger

GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 (an endpoint, not a token)
GOOGLE_REVOKE_URI = "https://oauth2.googleapis.com/revoke"
MAIL_SCOPE = "https://mail.google.com/"  # IMAP and SMTP with XOAUTH2
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive.file"  # only files RealMail created
IDENTITY_SCOPES = ("openid", "email")  # the ID token names the address that signed in
_TIMEOUT = 30.0
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_log = get_logger("auth")


class SignInRequiredError(AuthenticationFailedError):
    """The sign-in ended (revoked, expired, password changed): only signing in again helps."""


@dataclass(frozen=True, slots=True)
class OAuthClient:
    """An OAuth client registration and the provider's endpoints. Desktop apps are public clients: the
    `client_secret` of an "installed" Google client is not secret, and may be empty for other providers."""

    client_id: str
    client_secret: str
    auth_uri: str = GOOGLE_AUTH_URI
    token_uri: str = GOOGLE_TOKEN_URI
    revoke_uri: str = GOOGLE_REVOKE_URI


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What the token endpoint gave: an access token until `expires_at` (Unix time), a refresh token (only at
    sign-in, and not always on refresh), the scopes granted and the address of the ID token ('' if none)."""

    access_token: str
    expires_at: float
    refresh_token: str | None = None
    scopes: frozenset[str] = frozenset()
    email: str = ""

    def __repr__(self) -> str:  # never print tokens, even in a test failure or a traceback
        return f"TokenGrant(expires_at={self.expires_at:.0f}, scopes={sorted(self.scopes)}, email={self.email!r})"


def google_client(settings: Settings | None = None) -> OAuthClient:
    """RealMail's Google client as configured: `REALMAIL_GOOGLE_CLIENT_SECRET_FILE` (a `client_secret.json`
    downloaded from the Google Cloud console, "Desktop app"), else `REALMAIL_GOOGLE_CLIENT_ID` /
    `REALMAIL_GOOGLE_CLIENT_SECRET`; the endpoints can be moved with `REALMAIL_GOOGLE_AUTH_URI`,
    `_TOKEN_URI`, `_REVOKE_URI` (tests point them at a local fake). Raises KnownError when no client is set."""
    settings = settings or Settings()
    client_id, client_secret = settings.google_client_id, settings.google_client_secret
    auth_uri, token_uri = settings.google_auth_uri, settings.google_token_uri
    if settings.google_client_secret_file is not None:
        installed = read_client_secret_file(settings.google_client_secret_file)
        client_id, client_secret = installed.client_id, installed.client_secret
        auth_uri, token_uri = installed.auth_uri, installed.token_uri
    if not client_id:
        raise KnownError(
            "Google sign-in is not set up in this copy of RealMail.",
            hint="Set REALMAIL_GOOGLE_CLIENT_ID, or REALMAIL_GOOGLE_CLIENT_SECRET_FILE to your own client_secret.json.",
        )
    return OAuthClient(client_id, client_secret, auth_uri, token_uri, settings.google_revoke_uri)


def read_client_secret_file(path: Path) -> OAuthClient:
    """A Google `client_secret.json` ({"installed": {client_id, client_secret, auth_uri, token_uri}})."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        section = data.get("installed") or data.get("web")
        return OAuthClient(
            str(section["client_id"]),
            str(section.get("client_secret", "")),
            str(section.get("auth_uri", GOOGLE_AUTH_URI)),
            str(section.get("token_uri", GOOGLE_TOKEN_URI)),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KnownError(
            f"{path} is not a usable client_secret.json.",
            hint='Download it from the Google Cloud console for a "Desktop app" client.',
        ) from exc


# --- PKCE (RFC 7636) ---------------------------------------------------------------------------------------------


def new_verifier() -> str:
    """A code verifier: 64 random bytes, base64url (86 characters, within RFC 7636's 43–128)."""
    return secrets.token_urlsafe(64)


def challenge_of(verifier: str) -> str:
    """The S256 code challenge: base64url(SHA-256(verifier)) without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


def authorization_url(
    client: OAuthClient,
    *,
    redirect_uri: str,
    scopes: tuple[str, ...],
    state: str,
    challenge: str,
    login_hint: str = "",
) -> str:
    """The consent page's URL: code flow, PKCE S256, offline access (a refresh token), incremental consent."""
    query = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "access_type": "offline",
        "prompt": "consent",  # Google gives a refresh token again only with consent
        "include_granted_scopes": "true",
    }
    if login_hint:
        query["login_hint"] = login_hint
    return f"{client.auth_uri}?{urlencode(query)}"


# --- the token endpoint (blocking) -----------------------------------------------------------------------------


def exchange_code(
    client: OAuthClient, code: str, verifier: str, redirect_uri: str, *, ca_file: Path | None = None
) -> TokenGrant:
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": redirect_uri}
    return _grant(_post(client, client.token_uri, form, ca_file), refresh_token=None)


def refresh(client: OAuthClient, refresh_token: str, *, ca_file: Path | None = None) -> TokenGrant:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return _grant(_post(client, client.token_uri, form, ca_file), refresh_token=refresh_token)


def revoke(client: OAuthClient, token: str, *, ca_file: Path | None = None) -> None:
    """Ask the provider to end this grant. A token it no longer knows is fine (already revoked)."""
    with contextlib.suppress(SignInRequiredError):
        _post(client, client.revoke_uri, {"token": token}, ca_file)


def _grant(answer: dict[str, Any], *, refresh_token: str | None) -> TokenGrant:
    try:
        access = str(answer["access_token"])
        lifetime = float(answer.get("expires_in", 3600))
    except (KeyError, TypeError, ValueError) as exc:
        raise ServerError("The sign-in server gave an answer RealMail does not understand.") from exc
    return TokenGrant(
        access_token=access,
        expires_at=time.time() + lifetime,
        refresh_token=str(answer.get("refresh_token") or refresh_token or "") or None,
        scopes=frozenset(str(answer.get("scope", "")).split()),
        email=_id_token_email(str(answer.get("id_token", ""))),
    )


def _id_token_email(id_token: str) -> str:
    """The `email` claim of an ID token received straight from the token endpoint over TLS (OpenID Connect
    Core §3.1.3.7 lets such a client skip the signature check)."""
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims.get("email", "")) if isinstance(claims, dict) else ""
    except (IndexError, ValueError):
        return ""


def _post(client: OAuthClient, url: str, form: dict[str, str], ca_file: Path | None) -> dict[str, Any]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "https" and not (parts.scheme == "http" and host in _LOOPBACK):
        raise KnownError(f"The sign-in address {url} is not encrypted.", hint="Use an https:// address.")
    body = urlencode({**form, "client_id": client.client_id, "client_secret": client.client_secret}).encode()
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    )
    context = ssl.create_default_context()
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT, context=context) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise _refusal(exc, host) from exc
    except ssl.SSLCertVerificationError as exc:
        raise ServerUnreachableError(
            f"The security certificate of {host} could not be verified.", hint="Someone may be intercepting it."
        ) from exc
    except OSError as exc:  # URLError, timeouts, refused, reset
        raise ServerUnreachableError(f"{host} could not be reached to sign in.", hint="Check your connection.") from exc
    if not raw:
        return {}
    try:
        answer = json.loads(raw)
    except ValueError as exc:
        raise ServerError(f"{host} gave an answer RealMail does not understand.") from exc
    return answer if isinstance(answer, dict) else {}


def _refusal(exc: urllib.error.HTTPError, host: str) -> KnownError:
    try:
        answer = json.loads(exc.read() or b"{}")
        error = str(answer.get("error", "")) if isinstance(answer, dict) else ""
    except ValueError:
        error = ""
    _log.info("%s refused a token request: HTTP %s %s", host, exc.code, error or "(no error code)")
    if error == "invalid_grant" or (exc.code == 400 and not error and "revoke" in (exc.url or "")):
        return SignInRequiredError(
            "Your sign-in has ended (it was revoked, or it expired).", hint="Sign in again to keep using this account."
        )
    if error in ("invalid_client", "unauthorized_client"):
        return KnownError(
            f"{host} does not accept RealMail's sign-in client.",
            hint="Check REALMAIL_GOOGLE_CLIENT_ID or your client_secret.json.",
        )
    if exc.code >= 500:
        return ServerUnreachableError(f"{host} cannot sign you in right now.", hint="Try again in a moment.")
    return ServerError(f"{host} refused the sign-in ({exc.code} {error}).".replace(" )", ")"))
