"""Google sign-in for an installed app: the loopback + PKCE flow in the system browser (`LoopbackSignIn`,
cancellable), and the access tokens of signed-in accounts (`OAuthTokens`: refresh token in the keyring,
access tokens kept in memory and refreshed by themselves shortly before they expire).

The token provider the sync engine and the sender take is `OAuthTokens.token_for` — `async (account_id) -> str`,
a current access token, or `SignInRequiredError` when the person must sign in again.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from realmail_desktop.auth import oauth_client
from realmail_desktop.auth.oauth_client import (
    DRIVE_SCOPE,
    IDENTITY_SCOPES,
    MAIL_SCOPE,
    OAuthClient,
    SignInRequiredError,
    TokenGrant,
)
from realmail_desktop.auth.secrets import SecretKind, SecretStore
from realmail_desktop.core.errors import KeyringUnavailableError, KnownError
from realmail_desktop.core.logs import get_logger

BrowserOpener = Callable[[str], object]  # opens a URL in the system browser (the UI passes QDesktopServices)
_REFRESH_MARGIN = 120.0  # seconds before expiry when a token is renewed (clock skew, a slow login)
_MAX_REQUEST = 16_384
_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>RealMail</title></head>"
    "<body style='font-family:sans-serif;margin:3em'><h1>{title}</h1><p>{text}</p></body></html>"
)
_log = get_logger("auth")


def mail_scopes(*, drive: bool = False) -> tuple[str, ...]:
    """What to ask for: mail (IMAP/SMTP), the address, and Drive's `drive.file` only when Drive is turned on
    (incremental consent: Google adds it to what the person granted before)."""
    return (*IDENTITY_SCOPES, MAIL_SCOPE, *((DRIVE_SCOPE,) if drive else ()))


class LoopbackSignIn:
    """One sign-in: listens on `http://127.0.0.1:<free port>/`, opens the consent page with `opener`, waits for
    Google's redirect with the code, checks `state`, and exchanges the code (with the PKCE verifier) in a
    worker thread. Cancelling the task that awaits `run()` closes the listener at once."""

    def __init__(
        self,
        client: OAuthClient,
        opener: BrowserOpener,
        *,
        scopes: tuple[str, ...] = mail_scopes(),
        login_hint: str = "",
        ca_file: Path | None = None,
    ) -> None:
        self._client = client
        self._opener = opener
        self._scopes = scopes
        self._login_hint = login_hint
        self._ca_file = ca_file
        self._state = secrets.token_urlsafe(24)
        self._verifier = oauth_client.new_verifier()
        self._code: asyncio.Future[str] | None = None
        self.redirect_uri = ""

    async def run(self) -> TokenGrant:
        loop = asyncio.get_running_loop()
        self._code = loop.create_future()
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        try:
            port = server.sockets[0].getsockname()[1]
            self.redirect_uri = f"http://127.0.0.1:{port}/"
            url = oauth_client.authorization_url(
                self._client,
                redirect_uri=self.redirect_uri,
                scopes=self._scopes,
                state=self._state,
                challenge=oauth_client.challenge_of(self._verifier),
                login_hint=self._login_hint,
            )
            _log.info("sign-in: waiting for the browser on 127.0.0.1:%d", port)
            self._opener(url)
            code = await self._code
        finally:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)
        grant = await asyncio.to_thread(
            oauth_client.exchange_code, self._client, code, self._verifier, self.redirect_uri, ca_file=self._ca_file
        )
        # The person may untick a scope on the consent page: without mail access the account cannot work.
        missing = [s for s in self._scopes if s not in IDENTITY_SCOPES and grant.scopes and s not in grant.scopes]
        if missing:
            raise KnownError(
                "Google did not give RealMail all the access it asked for.",
                hint="Sign in again and leave every box ticked (RealMail needs to read and send your mail).",
            )
        return grant

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One request from the browser: the redirect with `code` (or `error`), or anything else (a favicon)."""
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        line = head[:_MAX_REQUEST].split(b"\r\n", 1)[0].decode("latin-1")
        method, _, rest = line.partition(" ")
        query = {k: v[0] for k, v in parse_qs(urlsplit(rest.rpartition(" ")[0]).query).items()}
        status, title, text = "404 Not Found", "Nothing here", ""
        code = self._code
        if method == "GET" and code is not None and not code.done() and ("code" in query or "error" in query):
            if not secrets.compare_digest(query.get("state", ""), self._state):
                status, title, text = "400 Bad Request", "This sign-in is not RealMail's", "Close this page."
            elif "error" in query:
                status, title, text = "200 OK", "Sign-in cancelled", "You can close this page and return to RealMail."
                code.set_exception(
                    KnownError("Google sign-in was cancelled or refused.", hint="Sign in again to add the account.")
                )
            else:
                status, title = "200 OK", "Signed in"
                text = "You can close this page and return to RealMail."
                code.set_result(query["code"])
        body = _PAGE.format(title=title, text=text).encode()
        writer.write(
            f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\nCache-Control: no-store\r\n\r\n".encode()
            + body
        )
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()


@dataclass(frozen=True, slots=True)
class _Cached:
    access_token: str
    expires_at: float


class OAuthTokens:
    """Access tokens of the accounts that signed in with OAuth. Refresh tokens live in `secrets`
    (`SecretKind.REFRESH_TOKEN`); access tokens only in memory. `client_for` says which client an account uses
    (today: the Google client for every one). `clock` is for tests."""

    def __init__(
        self,
        secrets: SecretStore,
        client_for: Callable[[int], OAuthClient],
        *,
        clock: Callable[[], float] = time.time,
        margin: float = _REFRESH_MARGIN,
        ca_file: Path | None = None,
    ) -> None:
        self._secrets = secrets
        self._client_for = client_for
        self._clock = clock
        self._margin = margin
        self._ca_file = ca_file
        self._cache: dict[int, _Cached] = {}
        self._scopes: dict[int, frozenset[str]] = {}  # what the provider last said was granted
        self._lock = threading.Lock()
        self._refreshing: dict[int, threading.Lock] = {}

    def adopt(self, account_id: int, grant: TokenGrant, *, session_only: bool = False) -> None:
        """Keep a new sign-in: its refresh token in the keyring (or this session's memory, when the person chose
        that without a keyring) and its access token in memory. Raises KeyringUnavailableError (nothing kept)."""
        if not grant.refresh_token:
            raise KnownError("Google did not allow offline access.", hint="Sign in again and allow RealMail access.")
        if session_only:
            self._secrets.remember_for_session(account_id, grant.refresh_token, SecretKind.REFRESH_TOKEN)
        else:
            self._secrets.set_secret(account_id, SecretKind.REFRESH_TOKEN, grant.refresh_token)
        with self._lock:
            self._cache[account_id] = _Cached(grant.access_token, self._expiry(grant))
            self._scopes[account_id] = grant.scopes
        _log.info("account %s signed in (%s)", account_id, " ".join(sorted(grant.scopes)) or "no scopes listed")

    async def token_for(self, account_id: int) -> str:
        """A current access token for the account (what the SMTP sender's `token_for` takes): `token` on a
        worker thread."""
        return await asyncio.to_thread(self.token, account_id)

    def token(self, account_id: int, renew: bool = False) -> str:
        """A current access token, blocking (keyring and token endpoint): the cached one while it has more than
        `margin` seconds left (and `renew` is False: the server refused it), else a refreshed one — one refresh
        at a time per account. Raises SignInRequiredError when there is no sign-in or it ended (the refresh
        token is then dropped), ServerUnreachableError when the provider cannot be reached."""
        with self._lock:
            lock = self._refreshing.setdefault(account_id, threading.Lock())
        with lock:
            cached = None if renew else self._fresh(account_id)
            if cached is not None:
                return cached
            refresh_token = self._secrets.get_secret(account_id, SecretKind.REFRESH_TOKEN)
            if not refresh_token:
                raise SignInRequiredError(
                    "This account is not signed in.", hint="Sign in with Google again to keep using it."
                )
            try:
                grant = oauth_client.refresh(self._client_for(account_id), refresh_token, ca_file=self._ca_file)
            except SignInRequiredError:
                _log.warning("account %s: the sign-in ended; its refresh token is dropped", account_id)
                self.forget(account_id)
                self._secrets.delete_secret(account_id, SecretKind.REFRESH_TOKEN)
                raise
            if grant.refresh_token and grant.refresh_token != refresh_token:  # rotated by the provider
                self._secrets.set_secret(account_id, SecretKind.REFRESH_TOKEN, grant.refresh_token)
            with self._lock:
                self._cache[account_id] = _Cached(grant.access_token, self._expiry(grant))
                if grant.scopes:
                    self._scopes[account_id] = grant.scopes
            _log.debug("account %s: access token refreshed", account_id)
            return grant.access_token

    async def revoke(self, account_id: int) -> None:
        """Sign out: ask the provider to end the grant (best effort: offline is fine) and forget every token."""
        refresh_token = await asyncio.to_thread(self._secrets.get_secret, account_id, SecretKind.REFRESH_TOKEN)
        self.forget(account_id)
        if refresh_token:
            try:
                await asyncio.to_thread(
                    oauth_client.revoke, self._client_for(account_id), refresh_token, ca_file=self._ca_file
                )
            except KnownError as exc:
                _log.info("account %s: the provider was not told of the sign-out (%s)", account_id, exc.message)
        await asyncio.to_thread(self._secrets.delete_secret, account_id, SecretKind.REFRESH_TOKEN)

    async def forget_account(self, account_id: int) -> None:
        """The account was removed: sign out at the provider (best effort) and delete every secret of it. Without
        a keyring there is nothing stored to delete (this session's copies go all the same)."""
        try:
            await self.revoke(account_id)  # also a session-only sign-in
            await asyncio.to_thread(self._secrets.delete_account_secrets, account_id)
        except KeyringUnavailableError:
            _log.info("account %s removed; no keyring to delete its secrets from", account_id)
        self._secrets.forget_session(account_id)

    def forget(self, account_id: int) -> None:
        """Drop the account's access token from memory (the refresh token stays)."""
        with self._lock:
            self._cache.pop(account_id, None)

    def granted_scopes(self, account_id: int) -> frozenset[str]:
        """The scopes the provider last reported for the account (empty until a sign-in or refresh this
        session): whether Drive (`DRIVE_SCOPE`) was granted, for instance."""
        with self._lock:
            return self._scopes.get(account_id, frozenset())

    def expires_at(self, account_id: int) -> float | None:
        with self._lock:
            cached = self._cache.get(account_id)
        return cached.expires_at if cached is not None else None

    def _fresh(self, account_id: int) -> str | None:
        with self._lock:
            cached = self._cache.get(account_id)
        if cached is not None and self._clock() < cached.expires_at - self._margin:
            return cached.access_token
        return None

    def _expiry(self, grant: TokenGrant) -> float:
        # The grant's expiry was computed on the wall clock; re-base it on ours (a test's clock may differ).
        return self._clock() + max(0.0, grant.expires_at - time.time())
