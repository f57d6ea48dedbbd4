"""Fixtures for tests against a real IMAP server: one Dovecot per test run, a fresh user per test.

- ``dovecot`` (session): the running ``DovecotServer`` (``host``, ``port``, ``tls_port``, ``ca_file``,
  ``add_user()``, ``fill_maildir()``, ``log_text()``).
- ``imap_user``: a new user with an empty mailbox (the special-use folders appear at its first login).
- ``other_client``: ``other_client(user=None) -> IMAPClient`` logged in over the plain port: "another client"
  changing the mailbox behind the app's back. Every client it made is logged out after the test.
- ``imap``: ``other_client()`` for ``imap_user``.
- ``new_run``: ``await new_run(port=None, options=FAST, sync_window_days=30) -> SyncRun`` for ``imap_user``.
- ``cutting_proxy``: a ``CuttingProxy`` in front of Dovecot's plain port, closed after the test.
- ``append_messages(client, folder, messages, flags=())``: a plain helper (import it from here) that uses
  MULTIAPPEND when the server has it.
- ``fake_oauth`` (session): the fake OAuth server (tests/servers/oauth.py); ``oauth_dovecot`` (session): a second
  Dovecot that also takes XOAUTH2/OAUTHBEARER, checking tokens at ``fake_oauth``'s introspection endpoint.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest
from imapclient import IMAPClient

from realmail_desktop.core.events import EventBus
from realmail_desktop.store import Store
from tests.integration.sync_support import SyncRun, start_sync
from tests.servers.dovecot import DovecotServer, ImapUser, running_dovecot
from tests.servers.oauth import FakeOAuthServer, running_fake_oauth
from tests.servers.proxy import CuttingProxy

OtherClient = Callable[..., IMAPClient]
NewRun = Callable[..., Awaitable[SyncRun]]


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """One real Dovecot for the whole run (starts in ~0.1 s, stops in ~1 s)."""
    with running_dovecot() as server:
        yield server


@pytest.fixture(scope="session")
def fake_oauth() -> Iterator[FakeOAuthServer]:
    with running_fake_oauth() as server:
        yield server


@pytest.fixture(scope="session")
def oauth_dovecot(fake_oauth: FakeOAuthServer) -> Iterator[DovecotServer]:
    """A Dovecot of its own for sign-in tests (started only when one runs)."""
    with running_dovecot(oauth2_introspection_url=f"{fake_oauth.base_url}/introspect") as server:
        yield server


@pytest.fixture
def imap_user(dovecot: DovecotServer) -> ImapUser:
    """A user of its own for each test: an empty mailbox, no server restart."""
    return dovecot.add_user()


@pytest.fixture
def other_client(dovecot: DovecotServer, imap_user: ImapUser) -> Iterator[OtherClient]:
    """``other_client(user=None)``: a new IMAPClient logged in as ``user`` (default: ``imap_user``)."""
    clients: list[IMAPClient] = []

    def connect(user: ImapUser | None = None) -> IMAPClient:
        who = user or imap_user
        client = IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=30)
        clients.append(client)
        client.login(who.name, who.password)
        return client

    yield connect
    for client in clients:
        with contextlib.suppress(Exception):
            client.logout()
        with contextlib.suppress(Exception):
            client.shutdown()


@pytest.fixture
def imap(other_client: OtherClient) -> IMAPClient:
    """``other_client()``: another client logged in as ``imap_user``."""
    return other_client()


@pytest.fixture
def new_run(store: Store, bus: EventBus, dovecot: DovecotServer, imap_user: ImapUser) -> NewRun:
    """``await new_run(port=None, options=FAST, sync_window_days=30)``: ``start_sync`` for ``imap_user``."""

    def new(**options: Any) -> Awaitable[SyncRun]:
        return start_sync(store, bus, dovecot, imap_user, **options)

    return new


@pytest.fixture
def cutting_proxy(dovecot: DovecotServer) -> Iterator[CuttingProxy]:
    """A proxy to Dovecot's plain port that can cut, truncate and refuse connections."""
    proxy = CuttingProxy((dovecot.host, dovecot.port))
    try:
        yield proxy
    finally:
        proxy.close()


def append_messages(
    client: IMAPClient,
    folder: str,
    messages: Sequence[bytes],
    flags: Sequence[str | bytes] = (),
    msg_time: datetime | None = None,
    batch: int = 500,
) -> list[int]:
    """Append ``messages`` to ``folder`` with the same ``flags``; returns their UIDs (UIDPLUS), in order.

    One MULTIAPPEND per ``batch`` messages when the server has it (one APPEND each is ~60/s on a big Maildir
    folder), else one APPEND per message.
    """
    uids: list[int] = []
    if not messages:
        return uids
    if client.has_capability("MULTIAPPEND"):
        for start in range(0, len(messages), batch):
            chunk = [
                {"msg": raw, "flags": tuple(flags), **({"date": msg_time} if msg_time else {})}
                for raw in messages[start : start + batch]
            ]
            uids.extend(_appended_uids(client.multiappend(folder, chunk)))
    else:
        for raw in messages:
            uids.extend(_appended_uids(client.append(folder, raw, tuple(flags), msg_time)))
    return uids


def _appended_uids(response: object) -> list[int]:
    """UIDs from an ``[APPENDUID validity uid-set]`` response code (RFC 4315), e.g. ``b"[APPENDUID 7 3:5] ..."``.

    ``append`` gives the response text; ``multiappend`` gives imaplib's ``(typ, [text])``.
    """
    parts = response[1] if isinstance(response, tuple) else [response]
    text = " ".join(p.decode("ascii", "replace") if isinstance(p, bytes) else str(p) for p in parts)
    marker = text.find("[APPENDUID ")
    if marker < 0:
        return []
    uid_set = text[marker + 1 :].split("]", 1)[0].split()[2]
    uids: list[int] = []
    for part in uid_set.split(","):
        low, _, high = part.partition(":")
        uids.extend(range(int(low), int(high or low) + 1))
    return uids
