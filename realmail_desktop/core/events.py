"""Events services publish and the bus that carries them; the UI listens through ui/qtbridge.py.

Events are frozen dataclasses. Handlers run on the event loop thread, in subscription order; a handler that
raises is logged as a bug and does not stop the others.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

_log = logging.getLogger("realmail.core.events")


@dataclass(frozen=True, slots=True)
class Event:
    """Base class of everything published on the bus."""


@dataclass(frozen=True, slots=True)
class Changes(Event):
    """What one committed write changed in the store (Anki's OpChanges idea): the UI decides what to redraw.

    `folders` lists every folder whose membership or counts changed; `messages_updated` lists messages whose
    flags or metadata changed in place (rows that can be repainted without a re-query); `remote_ops_queued`
    lists the accounts whose queue of actions for the server grew (the sync engine replays it).
    """

    accounts: bool = False
    folder_tree: bool = False
    folders: frozenset[int] = frozenset()
    messages_added: frozenset[int] = frozenset()
    messages_updated: frozenset[int] = frozenset()
    messages_removed: frozenset[int] = frozenset()
    remote_ops_queued: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        return not (
            self.accounts
            or self.folder_tree
            or self.folders
            or self.messages_added
            or self.messages_updated
            or self.messages_removed
            or self.remote_ops_queued
        )

    def merged(self, other: Changes) -> Changes:
        return Changes(
            accounts=self.accounts or other.accounts,
            folder_tree=self.folder_tree or other.folder_tree,
            folders=self.folders | other.folders,
            messages_added=self.messages_added | other.messages_added,
            messages_updated=self.messages_updated | other.messages_updated,
            messages_removed=self.messages_removed | other.messages_removed,
            remote_ops_queued=self.remote_ops_queued | other.remote_ops_queued,
        )


@dataclass(frozen=True, slots=True)
class TaskProgress(Event):
    """Long work (import, export, sync) moved on: `done` of `total` (total 0 = unknown)."""

    task_id: int
    label: str
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class TaskFinished(Event):
    """Long work ended; `summary` is one sentence for the status bar, `problems` the skipped items' reasons."""

    task_id: int
    label: str
    summary: str
    problems: tuple[str, ...] = field(default=())


_task_ids = itertools.count(1)


def new_task_id() -> int:
    """A process-unique id for one piece of long work, so progress events can be told apart."""
    return next(_task_ids)


class AccountState(StrEnum):
    CONNECTING = "connecting"
    SYNCING = "syncing"
    IDLE = "idle"  # connected and up to date, waiting for news (IMAP IDLE or the next check)
    OFFLINE = "offline"  # server unreachable; retrying with backoff, actions queue up meanwhile
    ERROR = "error"  # needs the person: wrong password, untrusted certificate; no retries until they act


class AccountAction(StrEnum):
    """What the person can do about an account's error; the UI offers it as a button."""

    NONE = ""
    REENTER_PASSWORD = "reenter_password"  # noqa: S105 (a button, not a password)
    RETRY = "retry"
    VIEW_CERTIFICATE = "view_certificate"
    SIGN_IN_AGAIN = "sign_in_again"  # an OAuth (Google) sign-in ended: revoked, expired, or another person's


@dataclass(frozen=True, slots=True)
class AccountStatus(Event):
    """An account's connection changed state; `message`/`hint` are plain words for the person."""

    account_id: int
    state: AccountState
    message: str = ""
    hint: str = ""
    action: AccountAction = AccountAction.NONE


@dataclass(frozen=True, slots=True)
class OutboxStatus(Event):
    """A message of the outbox moved on: `state` is queued / sending / sent / failed (store OutboxState values);
    `error` is the server's reply or the connection problem, in plain words, when it did not go out."""

    outbox_id: int
    account_id: int
    state: str
    error: str = ""
    hint: str = ""


@dataclass(frozen=True, slots=True)
class DriveUploadStatus(Event):
    """A queued message's big files going to Google Drive before it leaves the outbox. `state` is uploading /
    done / failed / cancelled; `name` the file being uploaded; `done` and `total` bytes over all of the
    message's big files; `error`/`hint` in plain words when it failed (the message then waits in the outbox)."""

    outbox_id: int
    account_id: int
    state: str
    name: str = ""
    done: int = 0
    total: int = 0
    error: str = ""
    hint: str = ""


@dataclass(frozen=True, slots=True)
class TelegramStatus(Event):
    """The Telegram bridge's connection: state is stopped / connecting / running / offline / error;
    `bot_username` once the bot answered; `message` plain words for the settings dialog."""

    state: str
    bot_username: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class TelegramPairingRequest(Event):
    """A private chat sent a valid pairing code: the desktop asks the person to confirm this Telegram name."""

    chat_id: int
    name: str
    username: str = ""


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]


class EventBus:
    """Synchronous publish/subscribe by event type (subclasses reach handlers of their base classes)."""

    def __init__(self) -> None:
        self._handlers: defaultdict[type[Event], list[Handler]] = defaultdict(list)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    def attach_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Bind the loop whose thread runs handlers; `publish` from other threads hops onto it."""
        self._loop = loop
        self._loop_thread = threading.get_ident()

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Register `handler` for `event_type`; returns a function that unsubscribes it."""
        self._handlers[event_type].append(handler)

        def unsubscribe() -> None:
            handlers = self._handlers.get(event_type, [])
            if handler in handlers:
                handlers.remove(handler)

        return unsubscribe

    def publish(self, event: Event) -> None:
        """Deliver `event` to its handlers, on the loop's thread (hopping there if called from a worker)."""
        if self._loop is not None and threading.get_ident() != self._loop_thread:
            self._loop.call_soon_threadsafe(self._deliver, event)
            return
        self._deliver(event)

    def _deliver(self, event: Event) -> None:
        for event_type in type(event).__mro__:
            for handler in list(self._handlers.get(event_type, ())):
                try:
                    handler(event)
                except Exception:
                    _log.exception("event handler %r failed on %s", handler, type(event).__name__)
