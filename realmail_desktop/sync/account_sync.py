"""AccountSync: one IMAP account's life — connect, sync every folder, IDLE on the Inbox, replay queued actions,
reconnect with back-off — publishing an AccountStatus at each change of state.

Two connections per account: a work connection (folder syncs, bodies, replays, opened messages) and one that
only IDLEs on the Inbox and says when it changed. A wrong password or an untrusted certificate stops the
retries until `retry()`; an unreachable server is retried with exponential back-off and jitter. Each account
runs on its own task, so one account's trouble never holds up another's. Only subscribed folders (and the
Inbox and special-use folders) are synced: `SyncFolder.synced`. An account that signed in with Google logs in
with XOAUTH2 and a token asked for at each connection (`TokenFor`); an ended sign-in stops it like a wrong
password, with "Sign in again" as the thing to do. On Gmail (X-GM-EXT-1) the label mailboxes are not synced:
their messages come once, with their labels, from "[Gmail]/All Mail" (sync/gmail.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from realmail_desktop.auth.oauth_client import SignInRequiredError
from realmail_desktop.core.errors import (
    AccountError,
    AuthenticationFailedError,
    CertificateError,
    KnownError,
    NotFoundError,
    ServerError,
    ServerUnreachableError,
)
from realmail_desktop.core.events import AccountAction, AccountState, AccountStatus, EventBus
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import AppendSource, FolderRole, ImapAuth, ImapSettings, Store, SyncFolder
from realmail_desktop.sync.connection import ImapConnection
from realmail_desktop.sync.folder_roles import ServerQuirks, quirks_for, remote_folders
from realmail_desktop.sync.folder_sync import FolderSync
from realmail_desktop.sync.gmail import label_folders
from realmail_desktop.sync.header_reader import HeaderReader, thaw_long_lived
from realmail_desktop.sync.options import Backoff, SyncOptions
from realmail_desktop.sync.replay import ActionReplay, FetchElsewhere, SourceUnavailableError

PasswordFor = Callable[[int], str | None]
# (account id, renew) → a current OAuth access token, blocking (keyring, token endpoint): for XOAUTH2 accounts
# (auth.OAuthTokens.token). `renew` asks for a new one: the server refused the last. Raises AccountError.
TokenFor = Callable[[int, bool], str]
_DAY = 86_400


class AccountSync:
    """Runs one account until stopped; `status` is the last AccountStatus published."""

    def __init__(
        self,
        account_id: int,
        store: Store,
        bus: EventBus,
        password_for: PasswordFor,
        *,
        options: SyncOptions,
        extra_ca_file: Path | None,
        fetch_elsewhere: FetchElsewhere | None = None,
        token_for: TokenFor | None = None,
        header_reader: HeaderReader | None = None,
    ) -> None:
        """`header_reader`: the service's, shared by its accounts (one worker process reads every account's headers)."""
        self.account_id = account_id
        self._header_reader = header_reader or HeaderReader(process_from=None)
        self._token_for = token_for
        self._store = store
        self._bus = bus
        self._password_for = password_for
        self._options = options
        self._extra_ca_file = extra_ca_file
        self._fetch_elsewhere = fetch_elsewhere
        self._log = get_logger("sync", account_id)
        self._wake = asyncio.Event()
        self._retry = asyncio.Event()
        self._idle_started = asyncio.Event()
        self._want_ops = self._want_inbox = self._want_full = self._want_bodies = False
        self._checks: list[asyncio.Future[None]] = []
        self._conn: ImapConnection | None = None
        self._folders: FolderSync | None = None
        self._replay: ActionReplay | None = None
        self._task: asyncio.Task[None] | None = None
        self._label_views: frozenset[str] = frozenset()  # Gmail label mailboxes: views over All Mail, not synced
        self.status = AccountStatus(account_id, AccountState.CONNECTING)
        self.last_error: AccountError | None = None

    # --- control (from the service) --------------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"sync-account-{self.account_id}")

    async def stop(self) -> None:
        """Stop at once: the current command finishes on its thread, IDLE ends with DONE, both log out."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # stop() itself was cancelled, not just the task it stopped
            except Exception:  # stopping must always work: whatever ended the task is only logged
                self._log.exception("the sync of account %d ended with an error", self.account_id)
        self._resolve_checks()

    def queue_changed(self) -> None:
        """Actions were queued for this account: replay them as soon as the work connection is free."""
        self._want_ops = True
        self._wake.set()

    def bodies_wanted(self) -> None:
        """The sync window grew: download the bodies it now takes in as soon as the connection is free."""
        self._want_bodies = True
        self._wake.set()

    def inbox_changed(self) -> None:
        self._want_inbox = True
        self._wake.set()

    def _on_idle_news(self) -> None:
        self._idle_started.set()
        self.inbox_changed()

    def check_now(self) -> asyncio.Future[None]:
        """Sync every folder now; the future resolves when that sync ends (or fails: see `status`)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.status.state is AccountState.ERROR:
            future.set_result(None)  # waits for the person (`retry`), not for a timer
            return future
        self._checks.append(future)
        self._want_full = True
        self._wake.set()
        self._retry.set()  # skip the rest of a back-off wait
        return future

    def retry(self) -> None:
        self._want_full = True
        self._retry.set()
        self._wake.set()

    async def fetch_body(self, message_id: int) -> None:
        place = await self._store.read(lambda r: r.sync.message_place(message_id))
        if place is None:
            raise NotFoundError("That message no longer exists.")
        folder, uid, has_body = place
        if has_body:
            return
        folders, conn = self._folders, self._conn
        if folders is None or conn is None or conn.broken:
            if isinstance(self.last_error, AuthenticationFailedError | CertificateError):
                raise self.last_error
            raise ServerUnreachableError(
                "This message is not downloaded yet, and the mail server is not connected right now.",
                hint="It will be downloaded when the connection is back.",
            )
        if uid is None:
            raise KnownError("This message is being moved on the server.", hint="Open it again in a moment.")
        await folders.fetch_one(folder, uid, message_id)

    async def fetch_raw(self, source: AppendSource, message_id_header: str) -> tuple[bytes, int | None] | None:
        """A message of this account's server, for a move to another account whose body is not stored."""
        folders = self._folders
        if folders is None or self._conn is None or self._conn.broken:
            raise SourceUnavailableError("The account the message comes from is not connected.")
        folder = await self._store.read(lambda r: r.sync.folder(source.folder))
        if folder is None:
            return None
        try:
            return await folders.fetch_raw(folder, source.uid, source.uidvalidity, message_id_header)
        except ServerUnreachableError as exc:
            raise SourceUnavailableError(exc.message) from exc

    # --- the account's life ----------------------------------------------------------------------------------
    def _set_status(
        self, state: AccountState, message: str = "", hint: str = "", action: AccountAction = AccountAction.NONE
    ) -> None:
        status = AccountStatus(self.account_id, state, message, hint, action)
        if status != self.status:
            self.status = status
            self._bus.publish(status)

    def _resolve_checks(self) -> None:
        checks, self._checks = self._checks, []
        for future in checks:
            if not future.done():
                future.set_result(None)

    async def _run(self) -> None:
        backoff = Backoff(self._options.retry_first_seconds, self._options.retry_max_seconds)
        while True:
            self._retry.clear()
            try:
                if not await self._session(backoff):
                    return  # the account is gone
            except (AuthenticationFailedError, CertificateError) as exc:
                self.last_error = exc
                action = (
                    AccountAction.SIGN_IN_AGAIN
                    if isinstance(exc, SignInRequiredError)
                    else AccountAction.REENTER_PASSWORD
                    if isinstance(exc, AuthenticationFailedError)
                    else AccountAction.VIEW_CERTIFICATE
                )
                self._log.warning("needs the person: %s", exc.message)
                self._set_status(AccountState.ERROR, exc.message, exc.hint, action)
                self._resolve_checks()
                await self._retry.wait()
                backoff.reset()
                continue
            except AccountError as exc:
                self.last_error = exc
                message, hint = exc.message, exc.hint
            except Exception:  # a bug of ours: logged with its traceback; the account keeps trying
                self._log.exception("sync of account %d failed", self.account_id)
                self.last_error = None
                message, hint = "Syncing stopped because of an internal error.", "Details are in the log."
            delay = backoff.next_delay()
            self._log.info("offline (%s); next try in %.1f s", message, delay)
            self._set_status(
                AccountState.OFFLINE,
                message,
                f"{hint} RealMail tries again in {delay:.0f} s.".strip(),
                AccountAction.RETRY,
            )
            self._resolve_checks()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._retry.wait(), delay)

    async def _session(self, backoff: Backoff) -> bool:
        settings = await self._store.read(lambda r: r.sync.imap_settings(self.account_id))
        if settings is None:
            return False
        password = await self._password(settings)
        self._set_status(AccountState.CONNECTING, f"Connecting to {settings.host}…")
        conn = await self._open(settings, password)
        stop_idle = threading.Event()
        watcher: asyncio.Task[None] | None = None
        try:
            self.last_error = None
            quirks = quirks_for(settings.host, conn.capabilities)
            await self._store.gmail.set_server_files_sent(self.account_id, quirks.files_sent)
            self._conn = conn
            self._replay = ActionReplay(
                conn, self._store, self._bus, self._options, self.account_id, fetch_elsewhere=self._fetch_elsewhere
            )
            self._folders = FolderSync(
                conn,
                self._store,
                bus=self._bus,
                quirks=quirks,
                options=self._options,
                between_chunks=self._between_chunks,
                account_id=self.account_id,
                header_reader=self._header_reader,
            )
            interval = self._options.check_interval_seconds
            while True:
                self._set_status(AccountState.SYNCING, "Syncing…")
                checks = list(self._checks)  # answered by this cycle; later ones wait for the next
                self._want_full = False
                changed = await self._full_cycle(quirks)
                backoff.reset()  # only now: a connection that keeps dropping mid-sync must not retry at full speed
                self._checks = [future for future in self._checks if future not in checks]
                for future in checks:
                    if not future.done():
                        future.set_result(None)
                # Adaptive: mail that keeps changing is checked more often, down to the minimum interval.
                base, low = self._options.check_interval_seconds, self._options.min_check_interval_seconds
                interval = max(low, interval / 2) if changed else min(base, interval * 2)
                if watcher is None and conn.has("IDLE"):
                    self._idle_started.clear()
                    watcher = asyncio.create_task(self._watch_inbox(settings, password, stop_idle))
                    # "Up to date" only once news can reach us (IDLE started and the Inbox looked at again).
                    started = asyncio.ensure_future(self._idle_started.wait())
                    await asyncio.wait({started, watcher}, return_when=asyncio.FIRST_COMPLETED)
                    started.cancel()
                self._set_status(AccountState.IDLE, "Up to date.")
                await self._wait_for_work(time.monotonic() + interval, watcher)
        finally:
            self._conn = self._folders = self._replay = None
            stop_idle.set()
            if watcher is not None:
                done, _ = await asyncio.wait({watcher}, timeout=5)
                if not done:
                    watcher.cancel()
                elif not watcher.cancelled() and watcher.exception() is not None:
                    self._log.debug("the IDLE connection ended too: %s", watcher.exception())
            await conn.close()

    async def _password(self, settings: ImapSettings) -> str:
        """The password of a password account ('' for XOAUTH2: each connection asks for a current token as it
        opens, `_open`). Raises AuthenticationFailedError when there is none to be had."""
        if settings.auth is ImapAuth.XOAUTH2:
            return ""
        try:  # a keyring may be slow (D-Bus, an unlock prompt): not on the event loop's thread
            password = await asyncio.to_thread(self._password_for, self.account_id)
        except KnownError as exc:
            raise AuthenticationFailedError(exc.message, hint=exc.hint) from exc
        if not password:
            raise AuthenticationFailedError(
                "No password is saved for this account.", hint="Enter the password to start syncing."
            )
        return password

    async def _open(self, settings: ImapSettings, password: str) -> ImapConnection:
        if settings.auth is ImapAuth.XOAUTH2:
            return await self._open_signed_in(settings)
        return await ImapConnection.open(
            settings, password, extra_ca_file=self._extra_ca_file, io_timeout=self._options.io_timeout_seconds
        )

    async def _open_signed_in(self, settings: ImapSettings) -> ImapConnection:
        """XOAUTH2 with a current token, asked for at each connection: the IDLE connection opened after a long
        first sync, or a reconnection, must not reuse one that has expired meanwhile. A refused token is renewed
        once (revoked or expired early); refused again, the person must sign in again."""
        for renew in (False, True):
            token = await self._access_token(renew)
            try:
                return await ImapConnection.open(
                    settings, token, extra_ca_file=self._extra_ca_file, io_timeout=self._options.io_timeout_seconds
                )
            except AuthenticationFailedError as exc:
                if renew:
                    raise SignInRequiredError(
                        f"{settings.host} did not accept the sign-in for {settings.username}.",
                        hint="Sign in again with that address.",
                    ) from exc
        raise AssertionError("unreachable")

    async def _access_token(self, renew: bool) -> str:
        if self._token_for is None:
            raise SignInRequiredError(
                "This account signs in with Google, which is not set up here.", hint="Sign in again."
            )
        try:
            return await asyncio.to_thread(self._token_for, self.account_id, renew)
        except AccountError:
            raise
        except KnownError as exc:  # no keyring, a client the provider refuses: the person must act
            raise AuthenticationFailedError(exc.message, hint=exc.hint) from exc

    async def _wait_for_work(self, full_at: float, watcher: asyncio.Task[None] | None) -> None:
        """Serve queued actions and Inbox news until the next full sync is due (or asked for)."""
        while not self._want_full and time.monotonic() < full_at:
            if not (self._want_ops or self._want_inbox or self._want_bodies):
                self._wake.clear()
                woken = asyncio.ensure_future(self._wake.wait())
                waiting: set[asyncio.Future[object]] = {woken}  # type: ignore[arg-type]
                if watcher is not None:
                    waiting.add(watcher)  # type: ignore[arg-type]
                try:
                    await asyncio.wait(waiting, timeout=full_at - time.monotonic(), return_when="FIRST_COMPLETED")
                finally:
                    woken.cancel()
            if watcher is not None and watcher.done():
                watcher.result()  # the IDLE connection failed: reconnect everything
                raise ServerUnreachableError("The connection watching the Inbox ended.")
            if self._want_ops:
                await self._between_chunks()
            if self._want_inbox:
                self._want_inbox = False
                await self._sync_inbox()
            if self._want_bodies:
                self._want_bodies = False
                await self._sync_all_bodies()

    async def _between_chunks(self) -> bool:
        replay = self._replay
        if not self._want_ops or replay is None:
            return False
        self._want_ops = False
        done = await replay.run()
        if replay.folders_changed:  # list the folders again soon (a new folder gets synced)
            replay.folders_changed = False
            self._want_full = True
        return done > 0

    async def _sync_folders(self) -> list[SyncFolder]:
        """The account's folders, without Gmail's label folders (their messages come with All Mail)."""
        folders = await self._store.read(lambda r: r.sync.folders(self.account_id))
        return [folder for folder in folders if folder.remote_name not in self._label_views]

    async def _window_start(self) -> int:
        settings = await self._store.read(lambda r: r.sync.imap_settings(self.account_id))
        days = settings.sync_window_days if settings is not None else 30
        return int(time.time()) - days * _DAY if days > 0 else 0

    async def _full_cycle(self, quirks: ServerQuirks) -> bool:
        """Replay, LIST, then every folder's headers (Inbox first), then bodies within the window."""
        conn, folders_sync = self._conn, self._folders
        assert conn is not None and folders_sync is not None
        self._want_ops = True
        changed = await self._between_chunks()
        async with conn.held():
            listed = await conn.list_folders()
        await self._store.accounts.reconcile_folders(self.account_id, remote_folders(listed, quirks))
        if quirks.gmail_labels:
            labels = label_folders(listed)
            await self._store.gmail.mark_label_folders(self.account_id, labels)
            self._label_views = frozenset(name for name, label in labels.items() if label is not None)
        statuses = {folder.name: folder.status for folder in listed}
        # A server may answer STATUS for the folder this connection has selected from the session's own view,
        # which lags behind other clients' changes: that folder is always looked at.
        statuses.pop(conn.selected_name or "", None)
        folders = [f for f in await self._sync_folders() if f.synced]
        # An initial sync ahead (LIST-STATUS counts the messages): the header reader's worker process starts now,
        # while the Inbox's newest headers are fetched and read on a thread.
        frozen = self._header_reader.expect(
            sum((statuses.get(f.remote_name) or {}).get("MESSAGES", 0) for f in folders if not f.headers_complete)
        )
        bodies_since = await self._window_start()
        try:
            for folder in folders:
                if self._unchanged(folder, statuses.get(folder.remote_name)):
                    self._log.debug("%s: unchanged since the last sync (LIST-STATUS)", folder.path)
                    continue
                changed |= await self._guarded(folders_sync.sync_headers, folder, bodies_since)
        finally:
            if frozen:
                thaw_long_lived()  # the header phase is over: the collector walks everything again
        self._want_bodies = False
        await self._sync_all_bodies()
        return changed

    async def _sync_all_bodies(self) -> None:
        """Bodies within the sync window, folder by folder (Inbox first)."""
        folders_sync = self._folders
        if folders_sync is None:
            return
        since = await self._window_start()
        for folder in await self._sync_folders():
            if folder.synced:
                await self._guarded(folders_sync.sync_bodies, folder, since)

    async def _sync_inbox(self) -> None:
        folders_sync = self._folders
        # On Gmail the Inbox is a label of All Mail: news in the Inbox is news in All Mail.
        role = FolderRole.ALL if self._label_views else FolderRole.INBOX
        inbox = next((f for f in await self._sync_folders() if f.role is role), None)
        if inbox is None or folders_sync is None:
            return
        since = await self._window_start()
        await self._guarded(folders_sync.sync_headers, inbox, since)
        await self._guarded(folders_sync.sync_bodies, inbox, since)

    async def _guarded(self, work: Callable[..., Awaitable[object]], *args: object) -> bool:
        """One folder's trouble (refused, gone, changed under us) is logged and the next folder goes on."""
        try:
            result = await work(*args)
        except (ServerError, NotFoundError) as exc:
            self._log.warning("folder skipped this time: %s", exc)
            return False
        return bool(result)

    @staticmethod
    def _unchanged(folder: SyncFolder, status: dict[str, int] | None) -> bool:
        """LIST-STATUS says nothing happened since the last sync: no need to SELECT (one round trip in all)."""
        return (
            status is not None
            and folder.headers_complete
            and folder.highestmodseq is not None
            and status.get("UIDVALIDITY") == folder.uidvalidity
            and status.get("UIDNEXT") == folder.uidnext
            and status.get("HIGHESTMODSEQ") == folder.highestmodseq
        )

    async def _watch_inbox(self, settings: ImapSettings, password: str, stop: threading.Event) -> None:
        conn = await self._open(settings, password)
        try:
            async with conn.in_folder("INBOX", readonly=True):
                pass
            loop = asyncio.get_running_loop()

            def on_news() -> None:  # on the IDLE connection's thread
                loop.call_soon_threadsafe(self._on_idle_news)

            await conn.idle(on_news, stop, self._options.idle_renew_seconds)
        finally:
            await conn.close()
