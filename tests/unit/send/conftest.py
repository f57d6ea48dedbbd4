"""Fixtures for the sender service against a real aiosmtpd on 127.0.0.1 (tests/servers/smtp.py).

- ``smtp_server``: a running ``SmtpServer`` with STARTTLS and AUTH for user "ann" / password "secret".
- ``sending_account``: an IMAP account (never synced here) whose SMTP settings point at ``smtp_server``, with
  a local Sent folder; the Local Folders account exists too.
- ``clock``: a ``FakeClock`` the service reads instead of the real time (``clock.advance(seconds)``).
- ``new_service``: ``new_service(**options) -> SendService`` started against them, stopped after the test.
- ``outgoing(...)``: builds an ``OutgoingMessage`` with CRLF bytes (import it from here).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from realmail_desktop.core.config import Settings
from realmail_desktop.core.events import EventBus
from realmail_desktop.send import SendOptions, SendService
from realmail_desktop.store import (
    Account,
    FolderRole,
    ImapSecurity,
    ImapSettings,
    OutgoingMessage,
    RemoteFolder,
    SmtpSettings,
    Store,
)
from tests.servers.smtp import SmtpServer, running_smtp

PASSWORD = "secret"
FAST = SendOptions(retry_first_seconds=10.0, retry_max_seconds=60.0, idle_close_seconds=30.0)
NewService = Callable[..., Awaitable[SendService]]


class FakeClock:
    """Wall-clock seconds the test moves by hand (the outbox schedules by it; nothing sleeps)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def outgoing(
    account_id: int,
    n: int = 1,
    *,
    send_at: float,
    to: str = "bob@example.org",
    bcc: tuple[str, ...] = (),
    priority: int = 2,
    body: str = "Hello there.",
    answers: int | None = None,
    forwards: tuple[int, ...] = (),
) -> OutgoingMessage:
    message_id = f"<m{n}.{time.monotonic_ns()}@realmail.test>"
    raw = (
        "From: Ann <ann@example.org>\r\n"
        f"To: {to}\r\n"
        f"Subject: Message {n}\r\n"
        "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n"
        f"Message-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"{body}\r\n"
        ".a line that starts with a dot\r\n"
    ).encode()
    return OutgoingMessage(
        account_id=account_id,
        raw=raw,
        message_id=message_id,
        mail_from="ann@example.org",
        recipients=(to, *bcc),
        send_at=send_at,
        priority=priority,
        answers=answers,
        forwards=forwards,
    )


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp(users={"ann": PASSWORD}) as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def sending_account(store: Store, smtp_server: SmtpServer, local_account: Account) -> Account:
    account, _ = await store.accounts.create_imap(
        "Ann", "ann@example.org", ImapSettings(host="127.0.0.1", port=1, security=ImapSecurity.NONE, username="ann")
    )
    await store.sending.set_smtp_settings(
        account.id, SmtpSettings(host=smtp_server.host, port=smtp_server.port, security=ImapSecurity.STARTTLS)
    )
    # The folders its server would list (no sync runs here: what the sent copy needs is queued, not replayed).
    await store.accounts.reconcile_folders(
        account.id,
        [
            RemoteFolder(remote_name=name, path=name, delimiter="/", role=role)
            for name, role in (("INBOX", FolderRole.INBOX), ("Sent", FolderRole.SENT), ("Drafts", FolderRole.DRAFTS))
        ],
    )
    return account


@pytest.fixture
async def new_service(
    store: Store, bus: EventBus, smtp_server: SmtpServer, clock: FakeClock
) -> AsyncIterator[NewService]:
    services: list[SendService] = []

    async def make(*, options: SendOptions = FAST, **kwargs: Any) -> SendService:
        service = SendService(
            store,
            bus,
            kwargs.pop("password_for", lambda _account: PASSWORD),
            settings=kwargs.pop("settings", Settings(extra_ca_file=smtp_server.ca_file)),
            options=options,
            clock=clock,
            **kwargs,
        )
        services.append(service)
        await service.start()
        return service

    yield make
    for service in services:
        await service.stop()
