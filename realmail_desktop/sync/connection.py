"""ImapConnection: one logged-in IMAP connection, its blocking imapclient calls run on a thread of its own.

This is the one place that talks to imapclient, and the one place its, socket's and ssl's exceptions are
translated into ours (AuthenticationFailedError, CertificateError, ServerUnreachableError, ServerError).
Callers serialise commands with `async with conn.in_folder(name)`, which also SELECTs the folder if needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import imaplib
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import LoginError

from realmail_desktop.core.errors import (
    AccountError,
    AuthenticationFailedError,
    CertificateError,
    ServerError,
    ServerUnreachableError,
)
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import ImapAuth, ImapSecurity, ImapSettings
from realmail_desktop.sync import imap_commands as commands
from realmail_desktop.sync.fetch_reply import FetchLines
from realmail_desktop.sync.imap_commands import Fetched, ListedFolder, Selected

T = TypeVar("T")
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_log = get_logger("sync")


def is_loopback(host: str) -> bool:
    return host.strip().lower() in _LOOPBACK


def translate(exc: BaseException, host: str, port: int) -> AccountError:  # noqa: PLR0911 (one case per kind)
    """Our error for anything imapclient, imaplib, socket or ssl raised (the one translation point)."""
    if isinstance(exc, AccountError):
        return exc
    if isinstance(exc, LoginError):
        text = str(exc)
        if "UNAVAILABLE" in text.upper():  # RFC 5530: a temporary failure, not a wrong password
            return ServerError(f"{host} cannot log you in right now.", hint="RealMail will try again shortly.")
        return AuthenticationFailedError(
            f"{host} did not accept the user name or password.", hint="Check them and enter the password again."
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return CertificateError(
            f"The security certificate of {host} could not be verified ({exc.verify_message}).",
            hint="Someone may be intercepting the connection. View the certificate before trusting it.",
            details=str(exc.verify_message or exc),
        )
    if isinstance(exc, socket.gaierror):
        return ServerUnreachableError(
            f"The server name {host} could not be found.", hint="Check the server name and your internet connection."
        )
    if isinstance(exc, ConnectionRefusedError):
        return ServerUnreachableError(
            f"{host} refused the connection on port {port}.", hint="The server may be down, or the port wrong."
        )
    if isinstance(exc, TimeoutError):  # socket.timeout is TimeoutError
        return ServerUnreachableError(f"{host} did not answer in time.", hint="Check your internet connection.")
    if isinstance(exc, imaplib.IMAP4.abort | OSError | EOFError):  # ssl.SSLError is an OSError
        return ServerUnreachableError(f"The connection to {host} was lost.", hint="Check your internet connection.")
    if isinstance(exc, imaplib.IMAP4.error):  # NO / BAD / a reply imapclient could not parse
        return ServerError(f"{host} refused a command: {str(exc)[:300]}")
    raise exc  # not from the world: a bug of ours, reported as one


def certificate_details(host: str, port: int, timeout: float, *, starttls: bool = False) -> str:
    """The server's certificate as it presented it (fingerprint and PEM), for "View certificate": over
    implicit TLS, or after STARTTLS on the plain port. Empty when it cannot be had."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only to show the certificate that failed verification
    try:
        if starttls:
            plain = imaplib.IMAP4(host, port, timeout=timeout)
            try:
                plain.starttls(context)
                der = plain.sock.getpeercert(binary_form=True)  # type: ignore[attr-defined]
            finally:
                with contextlib.suppress(Exception):
                    plain.shutdown()
        else:
            with (
                socket.create_connection((host, port), timeout=timeout) as raw,
                context.wrap_socket(raw, server_hostname=host) as secure,
            ):
                der = secure.getpeercert(binary_form=True)
    except (OSError, imaplib.IMAP4.error):
        return ""
    if not der:
        return ""
    digest = hashlib.sha256(der).hexdigest().upper()
    fingerprint = ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
    return f"SHA-256 fingerprint: {fingerprint}\n{ssl.DER_cert_to_PEM_cert(der)}"


class ImapConnection:
    """A logged-in connection. Every method is a coroutine; the blocking work runs on the connection's thread."""

    def __init__(self, client: Any, executor: ThreadPoolExecutor, settings: ImapSettings) -> None:
        self._client = client
        self._executor = executor
        self._host, self._port = settings.host, settings.port
        self._lock = asyncio.Lock()
        self._selected: Selected | None = None
        self._broken = False
        self.capabilities: frozenset[str] = frozenset()

    # --- opening and closing ---------------------------------------------------------------------------------
    @classmethod
    async def open(
        cls, settings: ImapSettings, password: str, *, extra_ca_file: Path | None = None, io_timeout: float = 30.0
    ) -> ImapConnection:
        """Connect, secure and log in (`io_timeout`: seconds any socket operation may take) with the password, or
        with AUTHENTICATE XOAUTH2 when `settings.auth` says so (`password` is then an access token). Raises our
        AccountError subclasses only."""
        if settings.security is ImapSecurity.NONE and not is_loopback(settings.host):
            raise ServerError(
                "An unencrypted connection is allowed only to this computer (127.0.0.1).",
                hint="Choose TLS or STARTTLS.",
            )
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"imap-{settings.host}")
        connecting = executor.submit(_connect, settings, password, extra_ca_file, io_timeout)
        try:
            client = await asyncio.wrap_future(connecting)
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):  # stopped while connecting: close what may still come
                connecting.add_done_callback(_shutdown_if_connected)
            executor.shutdown(wait=False)
            if isinstance(exc, ssl.SSLCertVerificationError):
                details = await asyncio.to_thread(
                    certificate_details,
                    settings.host,
                    settings.port,
                    io_timeout,
                    starttls=settings.security is ImapSecurity.STARTTLS,
                )
                error = translate(exc, settings.host, settings.port)
                assert isinstance(error, CertificateError)
                error.details = f"{error.details}\n{details}".strip()
                raise error from exc
            if isinstance(exc, Exception):
                raise translate(exc, settings.host, settings.port) from exc
            raise
        connection = cls(client, executor, settings)
        try:
            connection.capabilities = await connection._call(commands.enable_extensions)
        except BaseException:
            await connection.close()
            raise
        return connection

    async def close(self) -> None:
        """LOGOUT (when the connection still works) and join the connection's thread. A connection left
        mid-command (cancelled) is cut at the socket, so a long FETCH does not hold up quitting."""
        if not self._broken:
            with contextlib.suppress(AccountError):
                await self._call(commands.logout, timeout_to=5.0)
        else:
            with contextlib.suppress(OSError):
                # The plain socket's shutdown, also under TLS: it wakes the thread's blocked read at once
                # without touching the TLS object that thread is using.
                socket.socket.shutdown(self._client.socket(), socket.SHUT_RDWR)
            await asyncio.get_running_loop().run_in_executor(self._executor, commands.shutdown, self._client)
        await asyncio.to_thread(self._executor.shutdown, True)

    @property
    def broken(self) -> bool:
        return self._broken

    @property
    def selected_name(self) -> str | None:
        """The folder this connection has selected (the server's STATUS of it may lag behind: RFC 3501 §6.3.10)."""
        return self._selected.name if self._selected is not None else None

    # --- running commands ------------------------------------------------------------------------------------
    async def _call(self, command: Callable[..., T], *args: Any, timeout_to: float | None = None) -> T:
        if self._broken:
            raise ServerUnreachableError(f"The connection to {self._host} was lost.")
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, partial(_run, command, self._client, args, timeout_to))
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # The command still runs on the thread and its reply may be half read: this connection is done.
            self._broken = True
            raise
        except Exception as exc:
            error = translate(exc, self._host, self._port)
            if isinstance(error, ServerUnreachableError):
                self._broken = True
            raise error from exc

    @asynccontextmanager
    async def in_folder(self, name: str, *, refresh: bool = False, readonly: bool = False) -> AsyncIterator[Selected]:
        """Hold the connection for a few commands, with `name` selected (SELECTed again when `refresh`;
        EXAMINEd when `readonly`)."""
        async with self._lock:
            selected = self._selected
            if refresh or selected is None or selected.name != name:
                self._selected = None
                selected = self._selected = await self._call(commands.select, name, readonly)
            yield selected

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """Hold the connection for commands that need no selected folder (LIST, CREATE …)."""
        async with self._lock:
            yield

    def has(self, capability: str) -> bool:
        return capability in self.capabilities

    # --- commands (call inside `in_folder`) ------------------------------------------------------------------
    async def list_folders(self) -> list[ListedFolder]:
        return await self._call(commands.list_folders, self.capabilities)

    async def search_uids(self, low: int, high: int | None = None) -> list[int]:
        """UIDs of the selected folder from `low` to `high` (None: to the last), ascending."""
        return await self._call(commands.search_uids, low, high)

    async def search_uid_set(self, uid_set: str) -> list[int]:
        """Which UIDs of `uid_set` the selected folder still has."""
        return await self._call(commands.search_uid_set, uid_set)

    async def search(self, criteria: list[Any], charset: str | None = None) -> list[int]:
        """UIDs of the selected folder matching SEARCH `criteria` (imapclient's list form), ascending."""
        return await self._call(commands.search_criteria, criteria, charset)

    async def search_message_id(self, message_id: str) -> list[int]:
        return await self._call(commands.search_message_id, message_id)

    async def fetch_header_lines(self, uid_set: str, *, gmail: bool = False, structure: bool = True) -> FetchLines:
        """The FETCH of header rows' fields (with `gmail`, also X-GM-LABELS and X-GM-THRID; with `structure`,
        BODYSTRUCTURE), its replies unparsed: sync/header_reader.py reads them, in another process where it can."""
        return await self._call(commands.fetch_header_lines, uid_set, gmail, structure)

    async def fetch_flags(
        self, uid_set: str, changed_since: int | None = None, *, gmail: bool = False
    ) -> tuple[list[Fetched], list[int]]:
        """Flags of `uid_set` (only those changed since a modseq, with CONDSTORE), and UIDs VANISHED (QRESYNC);
        with `gmail`, each message's X-GM-LABELS too."""
        return await self._call(commands.fetch_flags, uid_set, changed_since, "QRESYNC" in self.capabilities, gmail)

    async def fetch_bodies(self, uid_set: str) -> list[Fetched]:
        return await self._call(commands.fetch_bodies, uid_set)

    async def store_flags(self, uid_set: str, add: list[str], remove: list[str]) -> None:
        await self._call(commands.store_flags, uid_set, add, remove)

    async def store_gmail_labels(self, uid_set: str, add: list[str], remove: list[str]) -> None:
        """UID STORE ±X-GM-LABELS (Gmail) on the selected folder."""
        await self._call(commands.store_gmail_labels, uid_set, add, remove)

    async def move(self, uid_set: str, destination: str) -> dict[int, int]:
        """Move to `destination`; returns source UID → new UID where the server said (COPYUID)."""
        return await self._call(commands.move, uid_set, destination, self.capabilities)

    async def delete(self, uid_set: str) -> None:
        """STORE \\Deleted and expunge these UIDs (only these, with UIDPLUS)."""
        await self._call(commands.delete, uid_set, self.capabilities)

    async def create_folder(self, name: str) -> None:
        await self._call(commands.create_folder, name)

    async def rename_folder(self, name: str, new_name: str) -> None:
        self._selected = None
        await self._call(commands.rename_folder, name, new_name)

    async def delete_folder(self, name: str) -> None:
        self._selected = None  # it may be the selected one: select again next time
        await self._call(commands.delete_folder, name)

    async def set_subscribed(self, name: str, subscribed: bool) -> None:
        """SUBSCRIBE or UNSUBSCRIBE (call inside `held`)."""
        await self._call(commands.set_subscribed, name, subscribed)

    async def append(self, name: str, raw: bytes, flags: list[str], internaldate: int | None) -> int | None:
        """APPEND one message to `name` (call inside `held` or `in_folder`); its UID there when told."""
        return await self._call(commands.append, name, raw, flags, internaldate)

    async def idle(self, on_news: Callable[[], None], stop: threading.Event, renew_seconds: float) -> None:
        """IDLE on the selected folder until `stop` is set, calling `on_news` (from the connection's thread)
        whenever the server reports new, changed or expunged messages. Raises when the connection drops."""
        async with self._lock:
            await self._call(commands.idle_until, on_news, stop, renew_seconds)


def _shutdown_if_connected(connecting: Future[Any]) -> None:
    if not connecting.cancelled() and connecting.exception() is None:
        commands.shutdown(connecting.result())


def _run(command: Callable[..., T], client: Any, args: tuple[Any, ...], timeout_to: float | None) -> T:
    if timeout_to is not None:
        with contextlib.suppress(OSError):
            client.socket().settimeout(timeout_to)
    return command(client, *args)


def _connect(settings: ImapSettings, password: str, extra_ca_file: Path | None, timeout: float) -> Any:
    context = ssl.create_default_context()
    if extra_ca_file is not None:
        context.load_verify_locations(cafile=str(extra_ca_file))
    tls = settings.security is ImapSecurity.TLS
    began = time.monotonic()
    client = IMAPClient(
        settings.host,
        port=settings.port,
        ssl=tls,
        ssl_context=context if tls else None,
        timeout=SocketTimeout(connect=timeout, read=timeout),
    )
    try:
        client._imap.debug = 0  # imaplib's per-line debug logging: slow, and it would see the password
        if settings.security is ImapSecurity.STARTTLS:
            client.starttls(context)
        if settings.auth is ImapAuth.XOAUTH2:  # `password` is then an OAuth access token (Google sign-in)
            client.oauth2_login(settings.username, password)
        else:
            client.login(settings.username, password)
    except BaseException:
        with contextlib.suppress(Exception):
            client.shutdown()
        raise
    _log.debug("logged in to %s:%d in %.2f s", settings.host, settings.port, time.monotonic() - began)
    return client
