"""Helpers for the sync tests against Dovecot: realistic messages, a running SyncService for one user, waiting
on bus events (never sleeping), and the server's and the store's mailboxes side by side for comparison."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from imapclient import IMAPClient

from realmail_desktop.core.events import AccountState, AccountStatus, Changes, Event, EventBus
from realmail_desktop.store import Account, ImapSecurity, Store
from realmail_desktop.sync import SyncOptions, SyncService
from tests.servers.dovecot import DovecotServer, ImapUser

TIMEOUT = 20.0
FAST = SyncOptions(
    first_chunk=10,
    chunk=25,
    body_batch_count=20,
    retry_first_seconds=0.05,
    retry_max_seconds=0.5,
    io_timeout_seconds=10.0,
)
_FLAGS = {"\\Seen", "\\Flagged", "\\Answered", "\\Draft"}


def message(n: int, *, folder: str = "INBOX", attachment: bool = False, days_ago: float = 1.0, tag: str = "") -> bytes:
    """A small but real message: encoded subject, a plain body, sometimes a PDF attachment."""
    when = format_datetime(datetime.fromtimestamp(time.time() - days_ago * 86_400 - n, UTC))
    head = (
        f"From: Sender {n % 5} <sender{n % 5}@example.com>\r\nTo: Ann <ann@example.com>\r\n"
        f"Subject: =?utf-8?q?Caf=C3=A9_{n}?= {folder} {tag}\r\nDate: {when}\r\n"
        f"Message-ID: <{tag}m{n}.{folder.replace('/', '-')}@example.com>\r\nMIME-Version: 1.0\r\n"
    )
    text = f"Hello number {n} in {folder}.\r\nSecond line with the word quokka{n}.\r\n"
    if not attachment:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text).encode()
    return (
        head + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n'
        f"{text}\r\n--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=r{n}.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n"
    ).encode()


@contextlib.asynccontextmanager
async def expecting(
    bus: EventBus, kind: type[Event], predicate: Callable[[Any], bool], within: float = TIMEOUT
) -> AsyncIterator[asyncio.Future[Any]]:
    """Listen before acting: `async with expecting(...) as seen: act()`; the block ends when it arrived."""
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def on_event(event: Any) -> None:
        if not future.done() and predicate(event):
            future.set_result(event)

    unsubscribe = bus.subscribe(kind, on_event)
    try:
        yield future
        await asyncio.wait_for(future, within)
    finally:
        unsubscribe()


async def next_event(
    bus: EventBus, kind: type[Event], predicate: Callable[[Any], bool], within: float = TIMEOUT
) -> Any:
    """The first `kind` event matching `predicate` from now on."""
    async with expecting(bus, kind, predicate, within) as seen:
        pass
    return seen.result()


async def until(bus: EventBus, condition: Callable[[], bool], within: float = TIMEOUT) -> None:
    """Until `condition()` holds: checked now and after each store change (Changes) on the bus."""
    if condition():
        return
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_changes(_changes: Changes) -> None:
        if not future.done() and condition():
            future.set_result(None)

    unsubscribe = bus.subscribe(Changes, on_changes)
    try:
        await asyncio.wait_for(future, within)
    finally:
        unsubscribe()


def status_is(account_id: int, state: AccountState) -> Callable[[AccountStatus], bool]:
    return lambda s: s.account_id == account_id and s.state is state


@dataclass
class SyncRun:
    """A SyncService over the store, with one IMAP account for a Dovecot user."""

    store: Store
    bus: EventBus
    service: SyncService
    account: Account
    passwords: dict[int, str] = field(default_factory=dict)

    async def wait_state(self, state: AccountState, within: float = TIMEOUT) -> AccountStatus:
        current = self.service.status(self.account.id)
        if current is not None and current.state is state:
            return current
        return await next_event(self.bus, AccountStatus, status_is(self.account.id, state), within)  # type: ignore[no-any-return]

    def restarted(self, options: SyncOptions = FAST) -> SyncRun:
        """The same profile and account with a new SyncService (as after quitting and starting RealMail)."""
        service = SyncService(self.store, self.bus, self.passwords.get, options=options)
        return SyncRun(self.store, self.bus, service, self.account, self.passwords)

    async def synced(self) -> None:
        """Until the account has finished a full sync without trouble (a sync cut short is run again)."""
        for _attempt in range(5):
            await self.service.check_now(self.account.id)
            status = self.service.status(self.account.id)
            if status is not None and status.state is AccountState.IDLE:
                return
        raise AssertionError(f"no clean sync: {self.service.status(self.account.id)}")


async def start_sync(
    store: Store,
    bus: EventBus,
    dovecot: DovecotServer,
    user: ImapUser,
    *,
    port: int | None = None,
    options: SyncOptions = FAST,
    sync_window_days: int = 30,
) -> SyncRun:
    passwords: dict[int, str] = {}
    service = SyncService(store, bus, passwords.get, options=options)
    account = await service.add_imap_account(
        name=user.name,
        address=f"{user.name}@example.com",
        host=dovecot.host,
        port=port or dovecot.port,
        security=ImapSecurity.NONE,
        username=user.name,
        password=user.password,
        sync_window_days=sync_window_days,
    )
    passwords[account.id] = user.password
    return SyncRun(store, bus, service, account, passwords)


@contextlib.asynccontextmanager
async def started(run: SyncRun, state: AccountState | None = AccountState.IDLE) -> AsyncIterator[SyncRun]:
    """``async with started(run):`` the run's service is running (and has reached `state`) inside the block and
    stopped after it."""
    await run.service.start()
    try:
        if state is not None:
            await run.wait_state(state)
        yield run
    finally:
        await run.service.stop()


def subscribed_folders(client: IMAPClient, *names: str) -> None:
    """Create and subscribe each of `names` on the server, as another client would."""
    for name in names:
        client.create_folder(name)
        client.subscribe_folder(name)


def folder_id(run: SyncRun, remote_name: str) -> int:
    row = run.store.db.reader.execute(
        "SELECT id FROM folders WHERE account_id = ? AND remote_name = ?", (run.account.id, remote_name)
    ).fetchone()
    return int(row[0])


@dataclass(frozen=True)
class Mailbox:
    """Folder → sorted (Message-ID, flags) pairs, and Message-ID → raw bytes where bodies are known."""

    folders: dict[str, list[tuple[str, frozenset[str]]]]
    bodies: dict[str, bytes]


def server_mailbox(client: IMAPClient, folders: Iterable[str] | None = None) -> Mailbox:
    names = list(folders) if folders is not None else [name for _f, _d, name in client.list_folders()]
    result: dict[str, list[tuple[str, frozenset[str]]]] = {}
    bodies: dict[str, bytes] = {}
    for name in names:
        client.select_folder(name, readonly=True)
        rows = []
        uids = client.search("ALL")
        for values in client.fetch(uids, ["FLAGS", "BODY.PEEK[]"]).values():
            raw = values[b"BODY[]"]
            mid = next(
                (
                    line.split(b":", 1)[1].strip().decode()
                    for line in raw.split(b"\r\n")
                    if line.lower().startswith(b"message-id:")
                ),
                "",
            )
            flags = frozenset(f.decode() for f in values[b"FLAGS"]) & _FLAGS
            rows.append((mid, flags))
            bodies[mid] = raw
        result[name] = sorted(rows, key=lambda r: (r[0], sorted(r[1])))
    client.unselect_folder()
    return Mailbox(result, bodies)


def local_mailbox(store: Store, account_id: int) -> Mailbox:
    conn = store.db.reader
    result: dict[str, list[tuple[str, frozenset[str]]]] = {}
    bodies: dict[str, bytes] = {}
    folders = conn.execute(
        "SELECT id, remote_name FROM folders WHERE account_id = ? AND remote_name IS NOT NULL", (account_id,)
    )
    for folder_id, name in folders.fetchall():
        rows = []
        for mid, seen, flagged, answered, draft, raw in conn.execute(
            "SELECT m.message_id, m.is_seen, m.is_flagged, m.is_answered, m.is_draft, b.raw FROM messages m"
            " LEFT JOIN message_bodies b ON b.message_id = m.id WHERE m.folder_id = ?",
            (folder_id,),
        ):
            flags = {
                f
                for f, on in (("\\Seen", seen), ("\\Flagged", flagged), ("\\Answered", answered), ("\\Draft", draft))
                if on
            }
            rows.append((mid, frozenset(flags)))
            if raw is not None:
                bodies[mid] = bytes(raw)
        result[name] = sorted(rows, key=lambda r: (r[0], sorted(r[1])))
    return Mailbox(result, bodies)


def uids_unique(store: Store, account_id: int) -> bool:
    """No message stored twice in a folder (the same Message-ID on two rows)."""
    row = store.db.reader.execute(
        "SELECT COUNT(*) FROM (SELECT folder_id, message_id FROM messages WHERE account_id = ?"
        " GROUP BY folder_id, message_id HAVING COUNT(*) > 1)",
        (account_id,),
    ).fetchone()
    return int(row[0]) == 0
