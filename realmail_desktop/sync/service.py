"""SyncService: the IMAP sync engine's public face — adds IMAP accounts, runs one AccountSync per account,
replays queued actions as soon as they are queued, fetches bodies on demand. Qt-free; results reach the UI
as Changes (store writes), TaskProgress/TaskFinished and AccountStatus events on the bus."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from realmail_desktop.core.config import Settings
from realmail_desktop.core.errors import AccountError, KnownError, NotFoundError
from realmail_desktop.core.events import AccountStatus, Changes, EventBus
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import Account, ImapSecurity, ImapSettings, Store
from realmail_desktop.sync.account_sync import AccountSync, PasswordFor
from realmail_desktop.sync.connection import ImapConnection, is_loopback
from realmail_desktop.sync.options import SyncOptions

_log = get_logger("sync")
SYNC_WINDOWS = (7, 30, 90, 365, 0)  # the choices the account dialog offers, in days (0 = all)


class SyncService:
    """Keeps every IMAP account of the store in sync with its server while started."""

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        password_for: PasswordFor,
        *,
        settings: Settings | None = None,
        options: SyncOptions | None = None,
    ) -> None:
        self._store = store
        self._bus = bus
        self._password_for = password_for
        self._settings = settings or Settings()
        self._options = options or SyncOptions()
        self._accounts: dict[int, AccountSync] = {}
        self._unsubscribe: Callable[[], None] | None = None
        self._started = False

    # --- life cycle ------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Start syncing every IMAP account (each on its own task; this returns at once)."""
        if self._started:
            return
        self._started = True
        self._unsubscribe = self._bus.subscribe(Changes, self.on_changes)
        for account_id in await self._store.read(lambda r: r.sync.imap_account_ids()):
            self._start_account(account_id)

    async def stop(self) -> None:
        """Stop every account in order: current commands finish, IDLE ends, connections log out, threads end."""
        self._started = False
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        accounts, self._accounts = list(self._accounts.values()), {}
        await asyncio.gather(*(account.stop() for account in accounts))

    def _start_account(self, account_id: int) -> None:
        if account_id in self._accounts:
            return
        account = AccountSync(
            account_id,
            self._store,
            self._bus,
            self._password_for,
            options=self._options,
            extra_ca_file=self._settings.extra_ca_file,
        )
        self._accounts[account_id] = account
        account.start()

    def on_changes(self, changes: Changes) -> None:
        for account_id in changes.remote_ops_queued:
            account = self._accounts.get(account_id)
            if account is not None:
                account.queue_changed()

    # --- accounts --------------------------------------------------------------------------------------------
    async def add_imap_account(
        self,
        *,
        name: str,
        address: str,
        host: str,
        port: int,
        security: ImapSecurity | str,
        username: str,
        password: str,
        sync_window_days: int = 30,
    ) -> Account:
        """Log in once with these settings, then save the account and start syncing it. Raises
        AuthenticationFailedError, CertificateError, ServerUnreachableError, ServerError or KnownError."""
        settings = _checked_settings(host, port, security, username, sync_window_days)
        if not password:
            raise KnownError("Enter the password of the account.")
        connection = await ImapConnection.open(
            settings, password, extra_ca_file=self._settings.extra_ca_file, io_timeout=self._options.io_timeout_seconds
        )
        await connection.close()
        account, _ = await self._store.accounts.create_imap(
            name.strip() or address.strip() or host, address.strip(), settings
        )
        _log.info("IMAP account %d added (%s:%d, %s)", account.id, settings.host, settings.port, settings.security)
        if self._started:
            self._start_account(account.id)
        return account

    async def remove_account(self, account_id: int) -> None:
        """Stop syncing an account and delete it with its folders and messages from this computer."""
        account = self._accounts.pop(account_id, None)
        if account is not None:
            await account.stop()
        await self._store.accounts.delete_account(account_id)

    # --- what the person asks for ----------------------------------------------------------------------------
    async def check_now(self, account_id: int | None = None) -> None:
        """Sync every folder of one account (all when None) now; returns when that sync has ended. Failures
        show as the accounts' AccountStatus, not as an exception."""
        accounts = list(self._accounts.values()) if account_id is None else [self._account(account_id)]
        await asyncio.gather(*(account.check_now() for account in accounts))

    async def retry(self, account_id: int) -> None:
        """Connect again now (after a new password, or to skip the rest of a back-off wait)."""
        self._account(account_id).retry()

    async def fetch_body(self, message_id: int) -> None:
        """Download one message's body now (the person opened a message older than the sync window)."""
        place = await self._store.read(lambda r: r.sync.message_place(message_id))
        if place is None:
            raise NotFoundError("This message is not on a mail server.")
        await self._account(place[0].account_id).fetch_body(message_id)

    def status(self, account_id: int) -> AccountStatus | None:
        account = self._accounts.get(account_id)
        return account.status if account is not None else None

    def last_error(self, account_id: int) -> AccountError | None:
        """The error behind an account's OFFLINE or ERROR status (a CertificateError carries `details`)."""
        account = self._accounts.get(account_id)
        return account.last_error if account is not None else None

    def _account(self, account_id: int) -> AccountSync:
        account = self._accounts.get(account_id)
        if account is None:
            raise NotFoundError("That account is not being synced.", hint="It may have been removed.")
        return account


def _checked_settings(host: str, port: int, security: ImapSecurity | str, username: str, window: int) -> ImapSettings:
    host = host.strip()
    if not host:
        raise KnownError("Enter the name of the IMAP server, e.g. imap.example.com.")
    if not 0 < port < 65536:
        raise KnownError(f"{port} is not a valid port.", hint="IMAP uses 993 with TLS and 143 with STARTTLS.")
    try:
        chosen = ImapSecurity(security)
    except ValueError:
        raise KnownError(f"Unknown connection security “{security}”.", hint="Choose TLS or STARTTLS.") from None
    if chosen is ImapSecurity.NONE and not is_loopback(host):
        raise KnownError(
            "An unencrypted connection is allowed only to a server on this computer.", hint="Choose TLS or STARTTLS."
        )
    if not username.strip():
        raise KnownError("Enter the user name of the account (often the e-mail address).")
    if window < 0:
        raise KnownError("The sync window cannot be negative.")
    return ImapSettings(host=host, port=port, security=chosen, username=username.strip(), sync_window_days=window)
