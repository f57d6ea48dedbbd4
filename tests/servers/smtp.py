"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 with STARTTLS (the test CA of tests/servers/tls.py),
AUTH PLAIN/LOGIN and XOAUTH2, and behaviours to order — answer 4xx N times, answer 5xx, drop the connection
after DATA without replying. It records every envelope with the exact bytes received.

aiosmtpd's Controller runs the server on a loop in a thread of its own, so a test's loop (or the app's) is
a real client of it. Pitfalls (FIELD-NOTES): ``Controller(port=0)`` fails — a free port is picked first; any
handler attribute named ``auth_*`` is advertised as a mechanism, so other fields are named differently.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.servers.dovecot import free_port
from tests.servers.tls import CertificateFiles, session_certificates

HOST = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Received:
    """One DATA the server took in: the envelope and the exact bytes (dot-unstuffed, as sent)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    login: str | None
    acknowledged: bool  # False: the connection was dropped before the reply (the client cannot know)
    mail_options: tuple[str, ...] = ()  # the MAIL FROM parameters (SIZE=, BODY=8BITMIME …) of an accepted one


@dataclass
class Behaviour:
    """What the server answers to DATA; changeable while it runs (``server.behaviour.reject = None``)."""

    temporary_failures: int = 0  # answer "451" this many times, then accept
    reject: str | None = None  # answer this (a 5xx line) every time
    drops: int = 0  # drop the connection after DATA without a reply, this many times
    hold: threading.Event | None = None  # one DATA waits until this is set or the client disconnects
    unknown_recipients: frozenset[str] = frozenset()  # RCPT TO these is answered "550 5.1.1 … unknown"
    hold_after: int = 0  # let this many DATA through before holding one
    holding: threading.Event = field(default_factory=threading.Event)  # set when a DATA starts waiting
    max_sessions: int = 0  # >0: a login while this many sessions are logged in gets "432 4.3.2" (Exchange: 3)


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self._server.behaviour.unknown_recipients:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        owner = self._server
        data = bytes(envelope.original_content or b"")
        auth = session.auth_data
        who = auth.login.decode() if isinstance(auth, LoginPassword) else None
        hold = owner.behaviour.hold
        if hold is not None and owner.behaviour.hold_after > 0:
            owner.behaviour.hold_after -= 1
            hold = None
        if hold is not None:
            owner.behaviour.hold = None
            owner.behaviour.holding.set()
            assert server.transport is not None
            # Until the test releases it, or the client goes away (then it never hears a reply).
            try:
                for _ in range(600):
                    if server.transport.is_closing() or await asyncio.to_thread(hold.wait, 0.05):
                        break
            except asyncio.CancelledError:  # aiosmtpd cancels the handler when the client hangs up
                with owner.lock:
                    owner.record(Received(envelope.mail_from or "", tuple(envelope.rcpt_tos), data, who, False))
                raise
            if server.transport.is_closing():  # the client went away meanwhile: it never hears a reply
                with owner.lock:
                    owner.record(Received(envelope.mail_from or "", tuple(envelope.rcpt_tos), data, who, False))
                return "250 OK (never seen by the client)"
        with owner.lock:
            behaviour = owner.behaviour
            if behaviour.drops > 0:
                behaviour.drops -= 1
                owner.record(Received(envelope.mail_from or "", tuple(envelope.rcpt_tos), data, who, False))
                assert server.transport is not None
                server.transport.abort()  # no reply: the client cannot tell whether it was taken
                return "250 OK (never seen by the client)"
            if behaviour.temporary_failures > 0:
                behaviour.temporary_failures -= 1
                return "451 4.3.0 Try again later (test server)"
            if behaviour.reject is not None:
                return behaviour.reject
            owner.count += 1
            options = tuple(envelope.mail_options)
            owner.record(Received(envelope.mail_from or "", tuple(envelope.rcpt_tos), data, who, True, options))
            return f"250 2.0.0 Ok: queued as T{owner.count}"

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        """SASL XOAUTH2 (Google's): base64 of ``user=<u>\\x01auth=Bearer <token>\\x01\\x01``."""
        if len(args) < 2:
            answer = await server.challenge_auth("", encode_to_b64=False)
            if not isinstance(answer, bytes):
                return AuthResult(success=False, handled=False)
            blob = answer
        else:
            try:
                blob = base64.b64decode(args[1], validate=True)
            except ValueError:
                return AuthResult(success=False, handled=False)
        fields = dict(part.split("=", 1) for part in blob.decode("utf-8", "replace").split("\x01") if "=" in part)
        user, bearer = fields.get("user", ""), fields.get("auth", "")
        if self._server.tokens.get(user) == bearer.removeprefix("Bearer "):
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        return AuthResult(success=False, handled=False, message="535 5.7.8 Invalid token (test server)")


class _Controller(Controller):
    """aiosmtpd's Controller that also ends the sessions still open when it stops (else their sockets leak
    into a later test as ResourceWarnings)."""

    def __init__(self, *args: Any, reuse_port: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions: list[SMTP] = []
        self._reuse_port = reuse_port

    def _create_server(self) -> Any:
        if not self._reuse_port:
            return super()._create_server()
        return self.loop.create_server(
            self._factory_invoker, host=self.hostname, port=self.port, ssl=self.ssl_context, reuse_port=True
        )

    def _trigger_server(self) -> None:
        if not self._reuse_port:
            super()._trigger_server()
            return
        # Sharing the port, the test connection may reach another process: make the SMTP object on the
        # server's loop directly instead (aiosmtpd does this only to catch errors in factory() early).
        self.loop.call_soon_threadsafe(self._factory_invoker)

    def factory(self) -> SMTP:
        smtp = super().factory()
        self.sessions.append(smtp)
        return smtp

    def stop(self, no_assert: bool = False) -> None:
        async def close_sessions() -> None:
            for smtp in self.sessions:
                if smtp.transport is not None:
                    smtp.transport.abort()
            for _ in range(3):  # let connection_lost close the sockets
                await asyncio.sleep(0)

        with contextlib.suppress(RuntimeError, TimeoutError):
            asyncio.run_coroutine_threadsafe(close_sessions(), self.loop).result(5)
        super().stop(no_assert)


@dataclass
class SmtpServer:
    """A running test SMTP server. ``received`` lists every DATA in order; ``accepted()`` those acknowledged."""

    starttls: bool = True
    users: dict[str, str] = field(default_factory=dict)  # user → password; empty: no AUTH needed
    tokens: dict[str, str] = field(default_factory=dict)  # user → XOAUTH2 access token
    behaviour: Behaviour = field(default_factory=Behaviour)
    host: str = HOST
    port: int = 0
    reuse_port: bool = False  # opt-in: processes share the port (SO_REUSEPORT; bench/send.py)
    certificates: CertificateFiles | None = None  # default: this process's session_certificates()
    size_limit: int | None = 33554432  # announced as EHLO "SIZE n" (aiosmtpd's default); None/0: not announced
    received: list[Received] = field(default_factory=list)
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _changed: threading.Condition = field(init=False)
    _controller: _Controller | None = None

    def __post_init__(self) -> None:
        self._changed = threading.Condition(self.lock)

    @property
    def ca_file(self) -> Path:
        return (self.certificates or session_certificates()).ca_cert

    def record(self, item: Received) -> None:  # called with the lock held
        self.received.append(item)
        self._changed.notify_all()

    def accepted(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.acknowledged]

    def start(self) -> None:
        kwargs: dict[str, Any] = {"auth_require_tls": self.starttls, "data_size_limit": self.size_limit}
        if self.starttls:
            files = self.certificates or session_certificates()
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(files.server_cert, files.server_key)
            kwargs.update(tls_context=context, require_starttls=True)
        if self.users or self.tokens:
            kwargs.update(authenticator=self._authenticate, auth_required=True)
        self.port = self.port or free_port()  # a restart keeps the port (the "server is back" tests)
        self._controller = _Controller(
            _Handler(self), hostname=self.host, port=self.port, reuse_port=self.reuse_port, **kwargs
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        known = mechanism in ("PLAIN", "LOGIN") and isinstance(data, LoginPassword)
        if self.behaviour.max_sessions and self._logged_in(server) >= self.behaviour.max_sessions:
            return AuthResult(success=False, handled=False, message="432 4.3.2 Concurrent connections limit exceeded")
        if known and self.users.get(data.login.decode()) == data.password.decode():
            return AuthResult(success=True, auth_data=data)
        return AuthResult(success=False, handled=False)

    def _logged_in(self, asking: SMTP) -> int:
        """Other sessions logged in and still connected (read on the server's loop, which owns them)."""
        sessions = self._controller.sessions if self._controller is not None else []
        return sum(
            1
            for other in sessions
            if other is not asking
            and other.session is not None
            and other.session.authenticated
            and other.transport is not None
            and not other.transport.is_closing()
        )

    def wait_received(self, count: int, timeout: float = 20.0) -> list[Received]:
        """Block until ``count`` DATA commands arrived (call through ``asyncio.to_thread``)."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"{len(self.received)} of {count} messages arrived at the test SMTP server")
            return list(self.received)

    async def received_at_least(self, count: int, within: float = 20.0) -> list[Received]:
        return await asyncio.to_thread(self.wait_received, count, within)


@contextlib.contextmanager
def running_smtp(**options: Any) -> Iterator[SmtpServer]:
    """``with running_smtp(users={"ann": "pw"}) as server:`` — started, and stopped afterwards."""
    server = SmtpServer(**options)
    server.start()
    try:
        yield server
    finally:
        server.stop()
