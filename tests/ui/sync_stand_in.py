"""A stand-in for the sync engine (everything `ui.sync_control.SyncControl` asks), recording the account and
folder settings calls and carrying them out on the real store as the engine does locally (no server)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from realmail_desktop.core.errors import KnownError
from realmail_desktop.store import Account, FolderRole, ImapSecurity, ImapSettings, RemoteFolder, Store


@dataclass
class RecordingEngine:
    """`windows`, `subscriptions` and `removed` record the calls; set `refuse` to make the next calls fail."""

    store: Store
    windows: list[tuple[int, int]] = field(default_factory=list)
    subscriptions: list[tuple[int, bool]] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    logins: list[dict[str, Any]] = field(default_factory=list)
    refuse: KnownError | None = None

    async def set_sync_window(self, account_id: int, days: int) -> None:
        self.windows.append((account_id, days))
        if self.refuse is not None:
            raise self.refuse
        await self.store.accounts.set_sync_window(account_id, days)

    async def set_subscribed(self, folder_id: int, subscribed: bool) -> None:
        self.subscriptions.append((folder_id, subscribed))
        if self.refuse is not None:
            raise self.refuse
        await self.store.accounts.set_subscribed(folder_id, subscribed)

    async def remove_account(self, account_id: int) -> None:
        self.removed.append(account_id)
        await self.store.accounts.delete_account(account_id)

    async def check_imap_login(self, **settings: Any) -> None:
        self.logins.append(settings)
        if self.refuse is not None:
            raise self.refuse

    async def change_server_settings(self, account_id: int, **settings: Any) -> None:
        current = self.store.reader.sync.imap_settings(account_id)
        assert current is not None
        await self.store.accounts.set_imap_settings(account_id, current.model_copy(update=settings))

    async def add_imap_account(self, **settings: Any) -> Account:
        raise AssertionError("not used here")

    async def check_now(self, account_id: int | None = None) -> None:
        raise AssertionError("not used here")

    async def fetch_body(self, message_id: int) -> None:
        raise AssertionError("not used here")

    async def retry(self, account_id: int) -> None:
        raise AssertionError("not used here")

    def last_error(self, account_id: int) -> KnownError | None:
        return None


SETTINGS = ImapSettings(
    host="imap.example.com", port=993, security=ImapSecurity.TLS, username="ann", sync_window_days=30
)

# The server's list: (server name, role, subscribed).
SERVER_FOLDERS: tuple[tuple[str, FolderRole | None, bool], ...] = (
    ("INBOX", FolderRole.INBOX, True),
    ("Sent", FolderRole.SENT, False),  # special-use: shown and synced all the same
    ("Trash", FolderRole.TRASH, True),
    ("Work", None, True),
    ("Work/Projects", None, False),
    ("Lists", None, False),
    ("Lists/python-dev", None, False),
    ("Old", None, True),
)


async def imap_account(store: Store, name: str = "Work mail") -> Account:
    """An IMAP account in the store with SERVER_FOLDERS as its known folders (as after a sync)."""
    account, _ = await store.accounts.create_imap(name, "ann@example.com", SETTINGS)
    remote = [
        RemoteFolder(
            remote_name=remote_name,
            path="Inbox" if role is FolderRole.INBOX else remote_name,
            delimiter="/",
            role=role,
            subscribed=subscribed,
        )
        for remote_name, role, subscribed in SERVER_FOLDERS
    ]
    await store.accounts.reconcile_folders(account.id, remote)
    return account


def folder_id(store: Store, account: Account, path: str) -> int:
    [folder] = [f for f in store.reader.folders(account.id, include_unsubscribed=True) if f.path == path]
    return folder.id
