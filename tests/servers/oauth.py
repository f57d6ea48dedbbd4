"""A fake OAuth 2.0 authorization server on loopback (HTTP, 127.0.0.1) that behaves like Google's for an
installed app: authorize (consents at once and redirects the test "browser" to the loopback redirect URI),
token (authorization_code with the PKCE S256 verifier checked, refresh_token), revoke, and introspect (what
Dovecot's oauth2 passdb calls to check a token presented with XOAUTH2/OAUTHBEARER).

``FakeOAuthServer`` runs a ``ThreadingHTTPServer`` on a thread of its own. Its clock is ``now`` (settable by a
test, so tokens expire without sleeping); ``token_lifetime`` is the ``expires_in`` of new access tokens. It
records every grant it served in ``grants`` and every introspection in ``introspections``. ``consent_as`` is the
address the "person" signs in as (default: the authorize request's ``login_hint``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

HOST = "127.0.0.1"
CLIENT_ID = "realmail-test.apps.example"
CLIENT_SECRET = "test-client-secret"


@dataclass
class _Code:
    challenge: str
    redirect_uri: str
    scopes: frozenset[str]
    email: str


@dataclass
class _Grant:
    """One sign-in: a refresh token and the access tokens issued from it."""

    email: str
    scopes: frozenset[str]
    refresh_token: str
    revoked: bool = False
    access_tokens: dict[str, float] = field(default_factory=dict)  # token → expiry (server clock)


class FakeOAuthServer:
    """``start()``/``stop()`` (or ``with``); ``base_url``; endpoints under ``/authorize``, ``/token``,
    ``/revoke``, ``/introspect``."""

    def __init__(self, *, token_lifetime: float = 3600.0) -> None:
        self.token_lifetime = token_lifetime
        self.now = time.time()
        self.consent_as: str | None = None
        self.deny_consent = False
        self.unticked: frozenset[str] = frozenset()  # scopes the "person" unticks on the consent page
        self.grants: list[str] = []  # grant types served: "authorization_code", "refresh_token"
        self.introspections: list[tuple[str, bool]] = []  # (token, active)
        self.authorize_requests: list[dict[str, str]] = []
        self._codes: dict[str, _Code] = {}
        self._grants: dict[str, _Grant] = {}  # refresh token → grant
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------------------------
    def start(self) -> None:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-oauth", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FakeOAuthServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake OAuth server is not started")
        return f"http://{HOST}:{self._server.server_address[1]}"

    # -- what tests do ------------------------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Move the server's clock: access tokens issued before may expire."""
        with self._lock:
            self.now += seconds

    def revoke_all(self, email: str) -> None:
        """The person revoked RealMail's access in their Google account: every grant of `email` ends."""
        with self._lock:
            for grant in self._grants.values():
                if grant.email == email:
                    grant.revoked = True

    def issue_token(self, email: str, scopes: frozenset[str] = frozenset({"https://mail.google.com/"})) -> str:
        """An access token for `email` straight from the server (as if another app had one)."""
        with self._lock:
            grant = self._new_grant(email, scopes)
            return self._new_access_token(grant)

    def refresh_tokens_of(self, email: str) -> list[str]:
        with self._lock:
            return [g.refresh_token for g in self._grants.values() if g.email == email and not g.revoked]

    # -- endpoints (called on the server's threads) -------------------------------------------------------------
    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.authorize_requests.append(query)
        redirect = query.get("redirect_uri", "")
        parts = urlsplit(redirect)
        if query.get("client_id") != CLIENT_ID or parts.scheme != "http" or parts.hostname != HOST:
            return 400, {}, b"bad client or redirect_uri"
        if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
            return 400, {}, b"code flow with PKCE S256 only"
        state = query.get("state", "")
        if self.deny_consent:
            return 302, {"Location": f"{redirect}?{urlencode({'error': 'access_denied', 'state': state})}"}, b""
        scopes = frozenset(query.get("scope", "").split()) - self.unticked
        if query.get("include_granted_scopes") == "true":
            with self._lock:
                for grant in self._grants.values():
                    if grant.email == (self.consent_as or query.get("login_hint", "")) and not grant.revoked:
                        scopes |= grant.scopes
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = _Code(
                query.get("code_challenge", ""), redirect, scopes, self.consent_as or query.get("login_hint", "")
            )
        return (
            302,
            {"Location": f"{redirect}?{urlencode({'code': code, 'state': state, 'scope': ' '.join(scopes)})}"},
            b"",
        )

    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> tuple[int, dict[str, object]]:
        client_id, client_secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        kind = form.get("grant_type", "")
        with self._lock:
            if kind == "authorization_code":
                code = self._codes.pop(form.get("code", ""), None)
                if code is None or code.redirect_uri != form.get("redirect_uri"):
                    return 400, {"error": "invalid_grant", "error_description": "Bad code or redirect_uri."}
                verifier = form.get("code_verifier", "")
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if digest != code.challenge:
                    return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed."}
                grant = self._new_grant(code.email, code.scopes)
                self.grants.append(kind)
                return 200, {
                    **self._access(grant),
                    "refresh_token": grant.refresh_token,
                    "id_token": _id_token(code.email),
                }
            if kind == "refresh_token":
                found = self._grants.get(form.get("refresh_token", ""))
                if found is None or found.revoked:
                    return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
                self.grants.append(kind)
                return 200, self._access(found)
        return 400, {"error": "unsupported_grant_type"}

    def revoke(self, form: dict[str, str]) -> int:
        token = form.get("token", "")
        with self._lock:
            for grant in self._grants.values():
                if token == grant.refresh_token or token in grant.access_tokens:
                    grant.revoked = True
                    return 200
        return 400

    def introspect(self, form: dict[str, str]) -> dict[str, object]:
        token = form.get("token", "")
        with self._lock:
            for grant in self._grants.values():
                expiry = grant.access_tokens.get(token)
                if expiry is not None:
                    active = not grant.revoked and self.now < expiry
                    self.introspections.append((token, active))
                    return {"active": active, "email": grant.email, "scope": " ".join(sorted(grant.scopes))}
        self.introspections.append((token, False))
        return {"active": False}

    # -- internals (hold the lock) ------------------------------------------------------------------------------
    def _new_grant(self, email: str, scopes: frozenset[str]) -> _Grant:
        grant = _Grant(email, scopes, "1//" + secrets.token_urlsafe(24))
        self._grants[grant.refresh_token] = grant
        return grant

    def _new_access_token(self, grant: _Grant) -> str:
        token = "ya29." + secrets.token_urlsafe(24)
        grant.access_tokens[token] = self.now + self.token_lifetime
        return token

    def _access(self, grant: _Grant) -> dict[str, object]:
        return {
            "access_token": self._new_access_token(grant),
            "expires_in": int(self.token_lifetime),
            "token_type": "Bearer",
            "scope": " ".join(sorted(grant.scopes)),
        }


def _id_token(email: str) -> str:
    """An OpenID Connect ID token as Google sends it from the token endpoint (signature not checked by clients
    that got it straight from that endpoint over TLS: OpenID Connect Core §3.1.3.7)."""

    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = {"iss": "https://accounts.example", "email": email, "email_verified": True}
    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeOAuthServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: pytest fails on unexpected output only through warnings, but keep the run readable

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != "/authorize":
            self._send(404, {}, b"")
            return
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        status, headers, body = self.server_fake.authorize(query)
        self._send(status, headers, body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        path = urlsplit(self.path).path
        fake = self.server_fake
        if path == "/token":
            status, answer = fake.token(form, _basic(self.headers.get("Authorization", "")))
            self._json(status, answer)
        elif path == "/revoke":
            self._send(fake.revoke(form), {}, b"")
        elif path == "/introspect":
            self._json(200, fake.introspect(form))
        else:
            self._send(404, {}, b"")

    def _json(self, status: int, answer: dict[str, object]) -> None:
        self._send(status, {"Content-Type": "application/json"}, json.dumps(answer).encode())

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _basic(header: str) -> tuple[str, str] | None:
    kind, _, value = header.partition(" ")
    if kind.lower() != "basic":
        return None
    user, _, password = base64.b64decode(value).decode().partition(":")
    return user, password


class FollowingBrowser:
    """The system browser as a test sees it: opens the consent URL and follows the fake's redirect to RealMail's
    loopback listener, on a thread of its own (a real browser is another process). Errors are recorded."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.pages: list[str] = []
        self.errors: list[BaseException] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, url: str) -> None:
        self.opened.append(url)
        thread = threading.Thread(target=self._visit, args=(url,), daemon=True)
        self.threads.append(thread)
        thread.start()

    def _visit(self, url: str) -> None:
        try:
            with urllib.request.urlopen(url, timeout=10) as page:
                self.pages.append(page.read().decode())
        except Exception as exc:  # recorded: a test asserts on it, and a thread must not raise
            self.errors.append(exc)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=10)


@contextmanager
def running_fake_oauth(**options: float) -> Iterator[FakeOAuthServer]:
    server = FakeOAuthServer(**options)
    server.start()
    try:
        yield server
    finally:
        server.stop()
