"""What the window asks of the sync engine (`realmail_desktop.sync.SyncService` fits it), typed structurally so
dialogs and views can be tested with a small stand-in and the window runs without an engine at all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from realmail_desktop.core.errors import KnownError
from realmail_desktop.store import Account, ImapSecurity


class AccountAdder(Protocol):
    async def add_imap_account(
        self,
        *,
        name: str,
        address: str,
        host: str,
        port: int,
        security: ImapSecurity,
        username: str,
        password: str,
        sync_window_days: int = 30,
    ) -> Account:
        """Log in once to check the settings, then save the account; raises the AccountError subclasses.
        `sync_window_days`: bodies of this many days are fetched ahead of time; 0 = all."""
        ...

    async def remove_account(self, account_id: int) -> object:
        """Stop syncing the account and delete it, with its mail, from this computer."""
        ...


@runtime_checkable
class ServerSettingsChanger(Protocol):
    """What the Server settings dialog needs of the sync engine (a part of SyncService, kept apart from
    SyncControl so stand-ins for the rest need not grow)."""

    async def check_imap_login(
        self, *, host: str, port: int, security: ImapSecurity | str, username: str, password: str
    ) -> object:
        """Log in once and out again, saving nothing; raises the AccountError subclasses."""
        ...

    async def change_server_settings(
        self, account_id: int, *, host: str, port: int, security: ImapSecurity | str, username: str
    ) -> object:
        """Save the account's new IMAP server settings and restart its sync with them."""
        ...


class SyncControl(AccountAdder, Protocol):
    async def check_now(self, account_id: int | None = None) -> object:
        """Look for new mail now (every account when None)."""
        ...

    async def fetch_body(self, message_id: int) -> object:
        """Download one message's body into the store (its Changes name the message in messages_updated)."""
        ...

    async def retry(self, account_id: int) -> object:
        """Connect again now: after a new password, or to skip the rest of a back-off wait."""
        ...

    async def set_sync_window(self, account_id: int, days: int) -> object:
        """Keep bodies of the last `days` days on this computer (0 = all). Shrinking drops the stored bodies of
        older messages (they download again when opened); widening fetches the newly included bodies."""
        ...

    async def set_subscribed(self, folder_id: int, subscribed: bool) -> object:
        """Subscribe to a folder or unsubscribe from it: at once locally (the folder tree lists subscribed
        folders only), then on the server. Unsubscribed folders stay known but are not synced."""
        ...

    async def search_server(self, query: str, folder_ids: Sequence[int]) -> int:
        """Run a search (the search box's text) on the IMAP servers of these folders and fetch what matches
        that is not stored yet; returns how many messages were fetched (sync/server_search.py)."""
        ...

    def last_error(self, account_id: int) -> KnownError | None:
        """The error behind the account's OFFLINE or ERROR status (a CertificateError carries `details`)."""
        ...
