"""Drive v3 over `httpx.AsyncClient`: authorised requests with one token refresh after a 401, retries with
back-off and jitter for 5xx, 429 and dropped connections, and Google's error bodies turned into our errors.

This is the one place httpx exceptions and Drive's error reasons become `DriveError`s (STYLE.md §9).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from realmail_desktop.auth.oauth_client import SignInRequiredError
from realmail_desktop.bridges.drive.errors import (
    DriveAccessRevokedError,
    DriveError,
    DriveQuotaExceededError,
    DriveRefusedError,
    DriveSharingForbiddenError,
    DriveUnreachableError,
)
from realmail_desktop.bridges.drive.tokens import TokenSource
from realmail_desktop.core.http_setup import shared_tls_context
from realmail_desktop.core.logs import get_logger

GOOGLE_API = "https://www.googleapis.com"
_PIECE = 256 * 1024
_log = get_logger("drive")

# Drive's `error.errors[].reason` values (developers.google.com/drive/api/guides/handle-errors).
_QUOTA = frozenset({"storageQuotaExceeded", "quotaExceeded", "teamDriveFileLimitExceeded"})
_SHARING = frozenset(
    {
        "publishOutNotPermitted",
        "cannotShareTeamDriveWithNonGoogleAccounts",
        "teamDriveDomainUsersOnlyRestriction",
        "domainPolicy",
        "sharingNotSupported",
        "invalidSharingRequest",
        "shareOutNotPermitted",
    }
)
_RATE = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "sharingRateLimitExceeded", "backendError"})
_REVOKED = frozenset({"authError", "insufficientPermissions", "appNotAuthorizedToFile", "insufficientFilePermissions"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to keep trying: `attempts` failures in a row without progress, with full-jitter exponential
    back-off between them (`base` × 2ⁿ seconds, at most `cap`)."""

    attempts: int = 8
    base: float = 0.5
    cap: float = 30.0

    async def pause(self, failures: int) -> None:
        await asyncio.sleep(random.uniform(0, min(self.cap, self.base * 2 ** max(0, failures - 1))))  # noqa: S311


class Transient(Exception):  # noqa: N818 (internal signal, never leaves the bridge)
    """A failure worth retrying: 5xx, 429, a rate-limit 403, or a dropped connection."""


class SessionGone(Exception):  # noqa: N818
    """The resumable session URL answered 404/410: it expired; the upload must start again."""


def error_reasons(response: httpx.Response) -> tuple[set[str], str]:
    """The reasons and message of Google's JSON error body (empty when the body is something else)."""
    try:
        body = response.json()
    except ValueError:
        return set(), response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return set(), ""
    items = error.get("errors")
    if not isinstance(items, list):
        items = []
    reasons = {str(item.get("reason", "")) for item in items if isinstance(item, dict)}
    return reasons, str(error.get("message", ""))[:200]


def check(response: httpx.Response, *, sharing: bool = False, session: bool = False) -> None:
    """Raise for an error status: `Transient` (retry), `SessionGone`, or a `DriveError` for the person.
    `sharing`: a plain 403 from permissions.create means the organisation forbids it; `session`: the request
    went to a resumable session URL, where 404/410 means it expired."""
    status = response.status_code
    if status < 400 or status == 401:
        return
    if session and status in (404, 410):
        raise SessionGone
    if status == 429 or status >= 500:
        raise Transient(f"HTTP {status}")
    reasons, message = error_reasons(response)
    if status == 403:
        if reasons & _QUOTA:
            raise DriveQuotaExceededError
        if reasons & _SHARING or (sharing and not reasons & (_RATE | _REVOKED)):
            raise DriveSharingForbiddenError
        if reasons & _RATE:
            raise Transient(f"HTTP 403 {' '.join(sorted(reasons))}")
        if reasons & _REVOKED:
            raise DriveAccessRevokedError
    raise DriveRefusedError(status, message)


async def _pieces(body: bytes | memoryview) -> AsyncIterator[bytes]:
    """A request body in 256 KiB pieces, so the HTTP layer copies one piece at a time, never the whole chunk
    (one 8 MiB body cost +49 MB of peak RSS in bench/drive.py: h11's join and the socket's buffer copy it)."""
    view = memoryview(body)
    for start in range(0, len(body), _PIECE):
        yield bytes(view[start : start + _PIECE])


class DriveApi:
    """Authorised Drive requests for one account. `base_url` is Google's, or a local fake's in tests and the
    benchmark; `transport` is for tests only. The HTTP client is made at the first request (see core/http_setup.py)."""

    def __init__(
        self,
        tokens: TokenSource,
        *,
        base_url: str = GOOGLE_API,
        retry: RetryPolicy | None = None,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self._tokens = tokens
        self._token = ""
        self._timeout = timeout
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    async def client(self) -> httpx.AsyncClient:
        """This account's HTTP client, made at the first call (the TLS context: core/http_setup.py)."""
        if self._client is None:
            tls = await shared_tls_context()
            if self._client is None:  # another request of this api made it meanwhile
                # follow_redirects stays off: a 308 is the resumable protocol's "go on", never a redirect
                # (FIELD-NOTES).
                self._client = httpx.AsyncClient(
                    timeout=self._timeout, transport=self._transport, verify=tls, follow_redirects=False
                )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def token(self) -> str:
        if not self._token:
            try:
                self._token = await self._tokens.access_token()
            except SignInRequiredError as exc:
                raise DriveAccessRevokedError from exc
        return self._token

    async def refresh_token(self) -> None:
        """Drive refused the token: ask for a new one (once per refusal; a second 401 means access ended)."""
        try:
            self._token = await self._tokens.refreshed()
        except SignInRequiredError as exc:
            raise DriveAccessRevokedError from exc

    async def send_once(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | memoryview | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """One request with the token; a 401 refreshes the token and repeats once. Transport failures become
        `Transient`. `body` is sent in pieces (see `_pieces`)."""
        client = await self.client()
        for refreshed in (False, True):
            auth = {"Authorization": f"Bearer {await self.token()}", **(headers or {})}
            if body is not None:
                auth["Content-Length"] = str(len(body))
                kwargs["content"] = _pieces(body)  # a new stream for each attempt
            try:
                response = await client.request(method, url, headers=auth, **kwargs)
            except httpx.TransportError as exc:
                raise Transient(type(exc).__name__) from exc
            if response.status_code != 401:
                return response
            if refreshed:
                raise DriveAccessRevokedError
            _log.info("Drive refused the access token; refreshing it")
            await self.refresh_token()
        raise AssertionError("unreachable")

    async def call(self, method: str, path: str, *, sharing: bool = False, **kwargs: Any) -> dict[str, Any]:
        """A metadata call (`/drive/v3/...`) with retries; returns the JSON body (`{}` for an empty one)."""
        failures = 0
        while True:
            try:
                response = await self.send_once(method, f"{self.base_url}{path}", **kwargs)
                check(response, sharing=sharing)
            except Transient as exc:
                failures += 1
                if failures >= self.retry.attempts:
                    raise DriveUnreachableError(str(exc)) from exc
                _log.info("Drive %s %s failed (%s); retry %d", method, path, exc, failures)
                await self.retry.pause(failures)
                continue
            if not response.content:
                return {}
            try:
                body = response.json()
            except ValueError as exc:
                raise DriveError("Google Drive sent an answer RealMail cannot read.", hint="Try again later.") from exc
            return body if isinstance(body, dict) else {}
