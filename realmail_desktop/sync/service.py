"""SyncService: the IMAP sync engine's public face — adds IMAP accounts, runs one AccountSync per account,
replays queued actions as soon as they are queued, fetches bodies on demand. Qt-free; results reach the UI
as Changes (store writes), TaskProgress/TaskFinished and AccountStatus events on the bus."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from realmail_desktop.core.config import Settings
from realmail_desktop.core.errors import AccountError, KnownError, NotFoundError
from realmail_desktop.core.events import AccountStatus, Changes, EventBus
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import Account, AppendSource, ImapAuth, ImapSecurity, ImapSettings, Store, StoreReader
from realmail_desktop.sync.account_sync import AccountSync, PasswordFor, TokenFor
from realmail_desktop.sync.connection import ImapConnection, is_loopback
from realmail_desktop.sync.header_reader import HeaderReader
from realmail_desktop.sync.options import SyncOptions
from realmail_desktop.sync.replay import SourceUnavailableError
from realmail_desktop.sync.server_search import ServerSearch, checked_query

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
        token_for: TokenFor | None = None,
        forget_secrets: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        """`password_for` gives a password account's password, `token_for` an XOAUTH2 account's access token
        (auth.OAuthTokens.token); `forget_secrets` deletes a removed account's secrets (OAuthTokens.forget_account)."""
        self._store = store
        self._bus = bus
        self._password_for = password_for
        self._token_for = token_for
        self._forget_secrets = forget_secrets
        self._oauth_accounts: set[int] = set()
        self._settings = settings or Settings()
        self._options = options or SyncOptions()
        self._accounts: dict[int, AccountSync] = {}
        self._header_reader = HeaderReader(process_from=self._options.header_process_from)
        self._unsubscribe: Callable[[], None] | None = None
        self._started = False

    @property
    def header_reader(self) -> HeaderReader:
        """Reads the header sync's chunks into rows (in a worker process for a big sync: sync/header_reader.py)."""
        return self._header_reader

    # --- life cycle ------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Start syncing every IMAP account (each on its own task; this returns at once)."""
        if self._started:
            return
        self._started = True
        self._unsubscribe = self._bus.subscribe(Changes, self.on_changes)
        for account_id in await self._store.read(lambda r: r.sync.imap_account_ids()):
            settings = await self._store.read(partial(_imap_settings, account_id=account_id))
            if settings is not None and settings.auth is ImapAuth.XOAUTH2:
                self._oauth_accounts.add(account_id)
            self._start_account(account_id)

    async def stop(self) -> None:
        """Stop every account in order: current commands finish, IDLE ends, connections log out, threads end."""
        self._started = False
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        accounts, self._accounts = list(self._accounts.values()), {}
        await asyncio.gather(*(account.stop() for account in accounts))
        await self._header_reader.close()
        self._header_reader = HeaderReader(process_from=self._options.header_process_from)  # for a start() again

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
            fetch_elsewhere=self._fetch_elsewhere,
            token_for=self._token_for,
            header_reader=self._header_reader,
        )
        self._accounts[account_id] = account
        account.start()

    async def _fetch_elsewhere(self, source: AppendSource, message_id_header: str) -> tuple[bytes, int | None] | None:
        """For one account's replay of a move from another account: the message from that account's server."""
        account = self._accounts.get(source.account)
        if account is None:
            if await self._store.read(lambda r: r.sync.imap_settings(source.account)) is None:
                return None  # that account was removed: its server's copy can no longer be had
            raise SourceUnavailableError("The account the message comes from is not being synced.")
        return await account.fetch_raw(source, message_id_header)

    def on_changes(self, changes: Changes) -> None:
        for account_id in changes.remote_ops_queued:
            account = self._accounts.get(account_id)
            if account is not None:
                account.queue_changed()

    # --- accounts --------------------------------------------------------------------------------------------
    async def check_imap_login(
        self,
        *,
        host: str,
        port: int,
        security: ImapSecurity | str,
        username: str,
        password: str,
        auth: ImapAuth = ImapAuth.PASSWORD,
    ) -> None:
        """Log in once and out again, saving nothing (the Add account dialog's IMAP check). Raises like
        `add_imap_account`."""
        settings = _checked_settings(host, port, security, username, 0).model_copy(update={"auth": ImapAuth(auth)})
        await self._log_in_once(settings, password)

    async def _log_in_once(self, settings: ImapSettings, password: str) -> None:
        if not password:
            raise KnownError("Enter the password of the account.")
        connection = await ImapConnection.open(
            settings, password, extra_ca_file=self._settings.extra_ca_file, io_timeout=self._options.io_timeout_seconds
        )
        await connection.close()

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
        auth: ImapAuth = ImapAuth.PASSWORD,
        before_start: Callable[[int], None] | None = None,
    ) -> Account:
        """Log in once with these settings, then save the account and start syncing it. Raises
        AuthenticationFailedError, CertificateError, ServerUnreachableError, ServerError or KnownError.

        With `auth` XOAUTH2, `password` is the access token of a sign-in. `before_start(account id)` runs once
        the account is saved and before its sync starts (the caller hands over the account's secrets there)."""
        settings = _checked_settings(host, port, security, username, sync_window_days).model_copy(
            update={"auth": ImapAuth(auth)}
        )
        await self._log_in_once(settings, password)
        account, _ = await self._store.accounts.create_imap(
            name.strip() or address.strip() or host, address.strip(), settings
        )
        _log.info(
            "IMAP account %d added (%s:%d, %s, %s)", account.id, settings.host, settings.port, settings.security, auth
        )
        if settings.auth is ImapAuth.XOAUTH2:
            self._oauth_accounts.add(account.id)
        if before_start is not None:
            before_start(account.id)
        if self._started:
            self._start_account(account.id)
        return account

    async def change_server_settings(
        self, account_id: int, *, host: str, port: int, security: ImapSecurity | str, username: str
    ) -> ImapSettings:
        """Save an account's new IMAP server settings and restart its sync with them (the caller checked the
        login first and put a new password where `password_for` finds it). Returns the saved settings."""
        current = await self._store.read(partial(_imap_settings, account_id=account_id))
        if current is None:
            raise NotFoundError("That account no longer exists.")
        settings = _checked_settings(host, port, security, username, current.sync_window_days).model_copy(
            update={"auth": current.auth}
        )
        account = self._accounts.pop(account_id, None)
        if account is not None:
            await account.stop()
        try:
            await self._store.accounts.set_imap_settings(account_id, settings)
        finally:  # saved or not, the account syncs again (with whatever the store now holds)
            if self._started:
                self._start_account(account_id)
        _log.info("account %d: IMAP server now %s:%d, %s", account_id, settings.host, settings.port, settings.security)
        return settings

    async def remove_account(self, account_id: int) -> None:
        """Stop syncing an account and delete it with its folders and messages from this computer, then its
        secrets (password, sign-in: signed out at the provider) through `forget_secrets`."""
        account = self._accounts.pop(account_id, None)
        if account is not None:
            await account.stop()
        await self._store.accounts.delete_account(account_id)
        self._oauth_accounts.discard(account_id)
        if self._forget_secrets is not None:
            await self._forget_secrets(account_id)

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

    async def set_sync_window(self, account_id: int, days: int) -> Changes:
        """Keep bodies of the last `days` days on this computer (0 = all). The stored bodies of messages now
        outside it are dropped (not flagged messages, drafts or local folders' messages; they download again
        when opened); a wider window downloads the newly included bodies at once."""
        if days < 0:
            raise KnownError("The sync window cannot be negative.")
        changes = await self._store.accounts.set_sync_window(account_id, days)
        if days > 0:
            since = int(time.time()) - days * 86_400
            changes = changes.merged(await self._store.sync.drop_bodies_before(account_id, since))
        account = self._accounts.get(account_id)
        if account is not None:
            account.bodies_wanted()
        _log.info("account %d: sync window %s", account_id, f"{days} days" if days else "all")
        return changes

    async def set_subscribed(self, folder_id: int, subscribed: bool) -> Changes:
        """Subscribe to a folder (it is synced from now on) or unsubscribe (it stays known, not synced): at once
        here, then on the server."""
        return await self._store.accounts.set_subscribed(folder_id, subscribed)

    async def search_server(self, query: str, folder_ids: Sequence[int]) -> int:
        """ "Search on server": run the search box's `query` as IMAP SEARCH on these folders' servers and fetch
        the bodies of matches not stored yet (sync/server_search.py); returns how many were fetched."""
        extra_ca_file = self._settings.extra_ca_file
        search = ServerSearch(self._store, self._secret_for, self._options, extra_ca_file=extra_ca_file)
        return await search.run(checked_query(query), folder_ids)

    def _secret_for(self, account_id: int) -> str | None:
        """What an account logs in with (blocking): its access token when it signed in with OAuth, else its password."""
        if account_id in self._oauth_accounts:
            if self._token_for is None:
                raise KnownError("This account signs in with Google, which is not set up here.")
            return self._token_for(account_id, False)
        return self._password_for(account_id)

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


def _imap_settings(reader: StoreReader, *, account_id: int) -> ImapSettings | None:
    return reader.sync.imap_settings(account_id)


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
