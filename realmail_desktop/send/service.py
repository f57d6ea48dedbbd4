"""SendService: drains the outbox over SMTP — due messages per account through a pool of connections, retries
with back-off, failures with the server's reason, the Sent copy and flags on the originals, bounces linked
to what we sent. Qt-free; results reach the UI as Changes (store writes) and OutboxStatus events."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import aiosmtplib

from realmail_desktop.core.backoff import retry_delay
from realmail_desktop.core.config import Settings
from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import AccountState, AccountStatus, Changes, EventBus, OutboxStatus
from realmail_desktop.core.logs import get_logger
from realmail_desktop.send.acknowledgements import AcknowledgementLog
from realmail_desktop.send.bounces import read_delivery_report
from realmail_desktop.send.delivery import transmit
from realmail_desktop.send.options import SendOptions
from realmail_desktop.send.smtp_errors import SendingNotSetUpError, SmtpRejectedError, is_transient
from realmail_desktop.send.smtp_pool import PasswordFor, SmtpPool, TokenFor
from realmail_desktop.store import Acknowledged, OutboxItem, OutboxState, SendingAccount, Store

_log = get_logger("send")
# Servers that file what they relay in the Sent folder themselves: an APPEND would show every message twice.
# Only until the sync has connected once: then its quirks table (sync/folder_roles.py) decides.
_SAVES_SENT_ITSELF = ("gmail.com", "googlemail.com")


def server_saves_sent(account: SendingAccount) -> bool:
    """Whether to skip the APPEND to Sent: as the sync found the IMAP server (`server_files_sent`, from its
    quirks table, e.g. X-GM-EXT-1), else by the host names of a Gmail account not synced yet."""
    if account.server_files_sent is not None:
        return account.server_files_sent
    hosts = (account.smtp.host.lower().rstrip("."), account.imap_host.lower().rstrip("."))
    return any(host.endswith(_SAVES_SENT_ITSELF) for host in hosts)


class SendService:
    """Sends what the outbox holds while started. `wake()` after queueing is optional (Changes wake it)."""

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        password_for: PasswordFor,
        *,
        token_for: TokenFor | None = None,
        settings: Settings | None = None,
        options: SendOptions | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._bus = bus
        self._password_for = password_for
        self._token_for = token_for
        self._settings = settings or Settings()
        self._options = options or SendOptions()
        self._clock = clock
        self._pools: dict[int, SmtpPool] = {}
        self._claimed: dict[int, OutboxItem] = {}  # outbox id → claimed ('sending') and not yet settled
        self._writes: set[asyncio.Task[Any]] = set()  # small writes that must not be cut short (never cancelled)
        self._acknowledged = AcknowledgementLog(self._record_sent)
        self._runner: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._passes = asyncio.Condition()
        self._requested = 0
        self._completed = 0
        self._unsubscribe: list[Callable[[], None]] = []
        self._outbox_folder: int | None = None
        self._online: dict[int, bool] = {}
        self._bounce_rows: set[int] = set()
        self._bounce_scan: asyncio.Task[None] | None = None
        self._recipients: list[str] = []  # envelope recipients of messages sent, not yet learned as contacts
        self._recording: frozenset[int] = frozenset()  # message rows whose "sent" is being recorded right now

    # --- life cycle ------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Requeue what a previous run left half-sent, then send whatever is due (on a task of its own)."""
        if self._runner is not None:
            return
        recovered = await self._store.outbox.recover_interrupted()
        if recovered:
            _log.info("%d message(s) interrupted while sending are queued again", recovered)
        self._outbox_folder = self._store.reader.outbox.folder_id()
        self._unsubscribe = [
            self._bus.subscribe(Changes, self.on_changes),
            self._bus.subscribe(AccountStatus, self.on_account_status),
        ]
        self._runner = asyncio.create_task(self._run(), name="outbox")

    async def stop(self) -> None:
        """Stop sending: sessions end, claimed messages not yet acknowledged go back to the queue."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        tasks = [t for t in (self._runner, self._bounce_scan) if t is not None]
        self._runner = self._bounce_scan = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._acknowledged.drain()  # acknowledged by the server: their "sent" must be on disk before we go
        await self._learn_contacts()
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)
        if self._claimed:
            await self._store.outbox.release(list(self._claimed.values()))
            self._claimed.clear()
        pools, self._pools = list(self._pools.values()), {}
        await asyncio.gather(*(pool.close() for pool in pools), return_exceptions=True)

    def wake(self) -> None:
        """Look at the outbox now (something was queued, rescheduled, or the network came back)."""
        self._requested += 1
        self._wake.set()

    async def settle(self) -> None:
        """Wait until a full pass over the outbox that started after this call has ended (tests, benchmark)."""
        self.wake()
        target = self._requested
        async with self._passes:
            await self._passes.wait_for(lambda: self._completed >= target or self._runner is None)

    # --- events ----------------------------------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        if self._outbox_folder is None or changes.folder_tree:
            self._outbox_folder = self._store.reader.outbox.folder_id()
        # Our own record of sent messages (published during mark_sent) neither makes anything due nor brings a
        # bounce: skipping it saves a pass and a bounce scan per group of acknowledgements.
        own = (
            bool(changes.messages_updated)
            and not changes.messages_added
            and changes.messages_updated <= self._recording
        )
        if self._outbox_folder is not None and self._outbox_folder in changes.folders and not own:
            self.wake()
        arrived = (changes.messages_added | changes.messages_updated) - self._recording
        if arrived and self._runner is not None:
            self._bounce_rows |= arrived
            if self._bounce_scan is None or self._bounce_scan.done():
                self._bounce_scan = asyncio.create_task(self._scan_bounces(), name="bounces")

    def on_account_status(self, status: AccountStatus) -> None:
        """The sync reached the account's server again: messages waiting out a back-off may go now."""
        online = status.state in (AccountState.IDLE, AccountState.SYNCING)
        was_online = self._online.get(status.account_id, True)
        self._online[status.account_id] = online
        if online and not was_online and self._runner is not None:
            self._spawn(self._expedite(status.account_id))

    async def _expedite(self, account_id: int) -> None:
        if await self._store.outbox.expedite(account_id, self._clock()):
            self.wake()

    # --- draining --------------------------------------------------------------------------------------------
    async def _run(self) -> None:
        try:
            while True:
                self._wake.clear()
                started_for = self._requested
                try:
                    await self._pass()
                except Exception:
                    _log.exception("a pass over the outbox failed")
                async with self._passes:
                    self._completed = max(self._completed, started_for)
                    self._passes.notify_all()
                if self._wake.is_set():
                    continue
                timeout = await self._sleep_seconds()
                # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that meets a wake (stop hangs).
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await self._wake.wait()
        finally:
            async with self._passes:
                self._passes.notify_all()

    async def _pass(self) -> None:
        """Batch after batch until nothing is due (a pass ends with the outbox drained as of its clock)."""
        while True:
            now = self._clock()
            due = await self._store.read(lambda r, now=now: r.outbox.due_accounts(now))  # type: ignore[misc]
            if not due:
                return
            claimed = await asyncio.gather(*(self._drain(account_id) for account_id in due))
            if not any(claimed):
                return

    async def _sleep_seconds(self) -> float:
        next_due = await self._store.read(lambda r: r.outbox.next_due_at())
        wait = self._options.check_interval_seconds
        if next_due is not None:
            wait = min(wait, max(next_due - self._clock(), 0.0))
        loop_now = asyncio.get_running_loop().time()
        for pool in self._pools.values():
            expires = pool.close_idle()
            if expires is not None:
                wait = min(wait, max(expires - loop_now, 0.0) + 0.01)
        return wait

    async def _drain(self, account_id: int) -> int:
        """Send one batch of the account's due messages over up to `connections_per_account` sessions; returns
        how many were claimed."""
        items = await self._store.outbox.claim_due(account_id, self._clock(), self._options.batch)
        if not items:
            return 0
        self._claimed.update((item.id, item) for item in items)
        try:
            account = await self._store.read(lambda r: r.outbox.sending_account(account_id))
            if account is None:
                error = SendingNotSetUpError(
                    "This account has no outgoing (SMTP) server set.", hint="Set one in the account's settings."
                )
                for item in items:
                    await self._failed(item, error)
                return 0  # failed, not retried in this pass
            pool = self._pool_for(account)
            raws = await self._store.read(lambda r: r.outbox.raws([item.message_row for item in items]))
            queue = deque(items)
            workers = min(self._options.connections_per_account, len(items))
            crew = [workers]  # sessions of this batch still at work (one that cannot connect leaves it to them)
            await asyncio.gather(*(self._work(pool, queue, raws, crew) for _ in range(workers)))
            await self._learn_contacts()  # (cut short, stop() learns what is left)
            return len(items)
        except Exception:  # a bug: the unsettled messages go back to the queue rather than stay "sending"
            left = [item for item in items if self._claimed.pop(item.id, None) is not None]
            await self._store.outbox.release(left)
            raise

    def _pool_for(self, account: SendingAccount) -> SmtpPool:
        pool = self._pools.get(account.account_id)
        if pool is None or pool.account != account:  # new settings: new sessions
            if pool is not None:
                self._spawn(pool.close())
            pool = SmtpPool(
                account,
                self._password_for,
                token_for=self._token_for,
                options=self._options,
                extra_ca_file=self._settings.extra_ca_file,
                size_limit_seen=self._size_limit_seen,
            )
            self._pools[account.account_id] = pool
        return pool

    def _size_limit_seen(self, account_id: int, size_limit: int) -> None:
        """Keep what the server announced, beside the sending (the composer and Drive settings read it)."""

        async def keep() -> None:
            await self._store.sending.set_smtp_size_limit(account_id, size_limit)

        self._spawn(keep())

    async def _work(self, pool: SmtpPool, queue: deque[OutboxItem], raws: dict[int, bytes], crew: list[int]) -> None:
        """One session's share: messages one after another until the queue is empty. Pipelined one deep: the
        session transmits message n+1 while n's acknowledgement is being committed, and waits for that commit
        before it starts n+2 — so at most two of its acknowledgements are ever unrecorded (docs/PERFORMANCE.md).
        `crew[0]` counts the batch's sessions still at work."""
        committing: asyncio.Future[None] | None = None  # this session's previous acknowledgement
        try:
            while queue:
                try:
                    async with pool.session() as smtp:
                        while queue:
                            item = queue.popleft()
                            sent = await self._send_one(pool, smtp, item, raws.pop(item.message_row, None))
                            if committing is not None:
                                await asyncio.shield(committing)
                                committing = None
                            if sent is False:
                                break  # that session is closed; the next message gets a new one
                            if sent is not True:
                                committing = sent
                except KnownError as error:  # no session (unreachable, login refused, too many sessions)
                    if crew[0] > 1:
                        break  # the others carry on with the queue (a server may cap sessions, e.g. at 3)
                    rest = list(queue)  # the last one: the rest waits too
                    queue.clear()
                    for item in rest:
                        await self._failed(item, error)
            if committing is not None:
                await asyncio.shield(committing)
        finally:
            crew[0] -= 1

    async def _send_one(
        self, pool: SmtpPool, smtp: aiosmtplib.SMTP, item: OutboxItem, raw: bytes | None
    ) -> asyncio.Future[None] | bool:
        """Hand one message to `smtp`: the future of its acknowledgement's commit once the server took it, True
        when it was settled otherwise (the session goes on), False when the session is closed."""
        if raw is None:
            await self._failed(item, KnownError("The message's content is missing.", hint="Write it again."))
            return True
        self._bus.publish(OutboxStatus(item.id, item.account_id, OutboxState.SENDING.value))
        try:
            ack, note = await transmit(smtp, item, raw)
        except KnownError as error:
            smtp.close()
            await self._failed(item, error)
            return False
        # Acknowledged: from here nothing may stop the record of it (a stop waits for the log to drain).
        return self._acknowledged.submit(Acknowledged(item, ack, note, save_copy=not server_saves_sent(pool.account)))

    async def _record_sent(self, acknowledged: Sequence[Acknowledged]) -> None:
        self._recording = frozenset(ack.item.message_row for ack in acknowledged)
        try:
            await self._store.outbox.mark_sent(acknowledged, now=self._clock())
        finally:
            self._recording = frozenset()
        for ack in acknowledged:
            self._claimed.pop(ack.item.id, None)
            self._bus.publish(OutboxStatus(ack.item.id, ack.item.account_id, OutboxState.SENT.value, error=ack.note))
        # Contacts are learned once a batch is through (see _drain), not in each group's transaction.
        self._recipients.extend(address for ack in acknowledged for address in ack.item.recipients)

    async def _learn_contacts(self) -> None:
        """Count the recipients of what was sent since the last time in the contacts (address completion)."""
        if self._recipients:
            people, self._recipients = [("", address) for address in self._recipients], []
            try:
                await self._store.contacts.learn(people, int(self._clock()))
            except Exception:  # completion ranks a little worse; sending must not stop for it
                _log.exception("learning the recipients as contacts failed")

    async def _failed(self, item: OutboxItem, error: KnownError) -> None:
        gave_up = isinstance(error, SmtpRejectedError) and item.attempts >= self._options.max_refusals
        if is_transient(error) and not gave_up:
            delay = retry_delay(item.attempts, self._options.retry_first_seconds, self._options.retry_max_seconds)
            await self._store.outbox.retry_later(item, error.message, self._clock() + delay)
            state = OutboxState.QUEUED
            _log.info("message %s waits %.0f s: %s", item.id, delay, error.message)
        else:
            await self._store.outbox.mark_failed(item, error.message)
            state = OutboxState.FAILED
            _log.info("message %s failed: %s", item.id, error.message)
        self._claimed.pop(item.id, None)
        self._bus.publish(OutboxStatus(item.id, item.account_id, state.value, error=error.message, hint=error.hint))

    def _spawn(self, work: Coroutine[Any, Any, None] | Awaitable[None]) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._writes.add(task)
        task.add_done_callback(self._settled)
        return task

    def _settled(self, task: asyncio.Task[Any]) -> None:
        self._writes.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _log.error("outbox housekeeping failed", exc_info=task.exception())

    # --- bounces ---------------------------------------------------------------------------------------------
    async def _scan_bounces(self) -> None:
        """Link newly stored bounces (DSNs) to the messages they are about."""
        try:
            await self._link_bounces()
        except Exception:  # a bug or a closing store: logged, and the next Changes tries again
            _log.exception("linking bounces failed")

    async def _link_bounces(self) -> None:
        while self._bounce_rows:
            rows, self._bounce_rows = sorted(self._bounce_rows), set()
            candidates = await self._store.read(lambda r, rows=rows: r.outbox.bounce_candidates(rows))  # type: ignore[misc]
            if not candidates:
                continue
            reports = await self._store.read(lambda r, c=candidates: r.outbox.unscanned_reports(c))  # type: ignore[misc]
            for row, raw in reports:
                report = await asyncio.to_thread(read_delivery_report, raw)
                if report is not None:
                    await self._store.sending.record_delivery_report(row, *report)
