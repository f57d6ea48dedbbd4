"""SmtpPool: the connections to one account's SMTP server — lazy connect, TLS or STARTTLS with verified
certificates, AUTH (password or XOAUTH2), reuse across a batch, a few in parallel, closed when idle; it passes
on the message size limit the server announces (EHLO SIZE) when that differs from the account's."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiosmtplib

from realmail_desktop.core.errors import AuthenticationFailedError
from realmail_desktop.core.logs import get_logger
from realmail_desktop.send.options import SendOptions
from realmail_desktop.send.smtp_errors import SendingNotSetUpError, translate
from realmail_desktop.store import ImapSecurity, SendingAccount, SmtpAuth

_log = get_logger("send")
PasswordFor = Callable[[int], str | None]  # account id → its password from the keyring (blocking; run in a thread)
TokenFor = Callable[[int], Awaitable[str]]  # account id → a fresh OAuth2 access token (XOAUTH2)
SizeLimitSeen = Callable[[int, int], None]  # (account id, announced SIZE) → keep it (must not block)
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def is_loopback(host: str) -> bool:
    return host.strip().lower() in _LOOPBACK


class SmtpPool:
    """Up to `options.connections_per_account` logged-in SMTP sessions to one account's server."""

    def __init__(
        self,
        account: SendingAccount,
        password_for: PasswordFor,
        *,
        token_for: TokenFor | None = None,
        options: SendOptions | None = None,
        extra_ca_file: Path | None = None,
        size_limit_seen: SizeLimitSeen | None = None,
    ) -> None:
        self.account = account
        self._size_limit_seen = size_limit_seen
        self._password_for = password_for
        self._token_for = token_for
        self._options = options or SendOptions()
        self._extra_ca_file = extra_ca_file
        self._slots = asyncio.Semaphore(self._options.connections_per_account)
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []  # (session, loop time it was last used)
        self._tls: asyncio.Future[ssl.SSLContext] | None = None  # made once, off the loop (see _tls_context)
        self.connects = 0  # sessions opened so far (the benchmark and tests read it)

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[aiosmtplib.SMTP]:
        """A logged-in session for one or more messages; a session that failed is closed, not reused."""
        async with self._slots:
            smtp = await self._take()
            healthy = False
            try:
                yield smtp
                healthy = smtp.is_connected
            finally:
                if healthy:
                    self._idle.append((smtp, asyncio.get_running_loop().time()))
                else:
                    smtp.close()

    def close_idle(self) -> float | None:
        """Close sessions idle for longer than the idle limit; returns the loop time the next one expires."""
        now = asyncio.get_running_loop().time()
        keep = []
        for smtp, used in self._idle:
            if now - used >= self._options.idle_close_seconds or not smtp.is_connected:
                smtp.close()  # no QUIT: an idle session the server may have dropped already
            else:
                keep.append((smtp, used))
        self._idle = keep
        return min((used + self._options.idle_close_seconds for _, used in keep), default=None)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for smtp, _ in idle:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, asyncio.TimeoutError):
                await asyncio.wait_for(smtp.quit(), 5)
            smtp.close()

    async def _take(self) -> aiosmtplib.SMTP:
        while self._idle:
            smtp, _ = self._idle.pop()
            if smtp.is_connected:
                return smtp
            smtp.close()
        return await self._connect()

    async def _connect(self) -> aiosmtplib.SMTP:
        settings = self.account.smtp
        if settings.security is ImapSecurity.NONE and not is_loopback(settings.host):
            raise SendingNotSetUpError(
                f"Sending through {settings.host} without encryption is not allowed.",
                hint="Choose SSL/TLS or STARTTLS in the account's SMTP settings.",
            )
        context = await self._tls_context() if settings.security is not ImapSecurity.NONE else None
        smtp = aiosmtplib.SMTP(
            hostname=settings.host,
            port=settings.port,
            use_tls=settings.security is ImapSecurity.TLS,
            start_tls=settings.security is ImapSecurity.STARTTLS,
            tls_context=context,
            timeout=self._options.io_timeout_seconds,
        )
        try:
            await smtp.connect()
            await self._login(smtp)
        except asyncio.CancelledError:
            smtp.close()
            raise
        except Exception as exc:
            if smtp.is_connected:  # e.g. the login was refused: say goodbye rather than drop the line
                with contextlib.suppress(aiosmtplib.SMTPException, OSError, asyncio.TimeoutError):
                    await asyncio.wait_for(smtp.quit(), 5)
            smtp.close()
            raise translate(exc, settings.host, settings.port) from exc
        self.connects += 1
        _log.debug("connected to %s:%s for account %s", settings.host, settings.port, self.account.account_id)
        return smtp

    async def _tls_context(self) -> ssl.SSLContext:
        """One verifying context for all sessions: loading the system's CA store takes ~70 ms, which on the
        loop's thread would freeze the window once per connection."""
        if self._tls is None:
            self._tls = asyncio.ensure_future(asyncio.to_thread(self._make_tls_context))
        return await asyncio.shield(self._tls)

    def _make_tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self._extra_ca_file is not None:
            context.load_verify_locations(cafile=str(self._extra_ca_file))
        return context

    def _note_size_limit(self, smtp: aiosmtplib.SMTP) -> None:
        """RFC 1870: "SIZE n" is the largest message the server takes; a bare "SIZE" or "SIZE 0" sets none. A
        server that does not announce it tells us nothing, and the stored value stays. Only a change is passed
        on: this pool's account then carries the new value, so the next session writes nothing."""
        announced = smtp.esmtp_extensions.get("size")
        if announced is None or self._size_limit_seen is None:
            return
        size = int(announced) if announced.strip().isdigit() else 0
        if size != self.account.smtp_size_limit:
            self.account = self.account.model_copy(update={"smtp_size_limit": size})
            self._size_limit_seen(self.account.account_id, size)

    async def _login(self, smtp: aiosmtplib.SMTP) -> None:
        if not smtp.esmtp_extensions:  # aiosmtplib forgets them at STARTTLS (RFC 3207 §4.2) and does not ask again
            await smtp.ehlo()
        self._note_size_limit(smtp)
        login = self.account.login
        if self.account.smtp.auth is SmtpAuth.XOAUTH2:
            if self._token_for is None:
                raise AuthenticationFailedError(
                    "This account signs in with Google, which is not set up here.", hint="Sign in to the account again."
                )
            await smtp.auth_xoauth2(login, await self._token_for(self.account.account_id))
            return
        if not smtp.supports_extension("auth"):
            return  # a relay that needs no login (a local MTA, a test server)
        password = await asyncio.to_thread(self._password_for, self.account.account_id)
        if password is None:
            raise AuthenticationFailedError(
                "No password is saved for sending from this account.", hint="Enter the account's password again."
            )
        await smtp.login(login, password)
