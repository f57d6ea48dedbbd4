"""ActionReplay: drains an account's queue of actions (store `remote_ops`) onto the server, oldest first.

flags → UID STORE ±FLAGS; move → UID MOVE, or UID COPY + STORE \\Deleted + UID EXPUNGE where MOVE is missing,
with the new UIDs from COPYUID written to the moved rows; delete → STORE \\Deleted + UID EXPUNGE; folder
create/rename/delete → CREATE (+ SUBSCRIBE) / RENAME / DELETE.

A UID that was not known when the action was queued (the message had just been moved here locally), or that
belongs to an older UIDVALIDITY, is found again by its Message-ID (UID SEARCH HEADER). A message the server no
longer has is skipped, and a row that only existed because of our action goes: the server's state wins once
our action is out of the queue. Conflict rule in full: store/sync_state.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from realmail_desktop.core.errors import NotFoundError, ServerError, ServerUnreachableError
from realmail_desktop.core.events import EventBus, TaskFinished, new_task_id
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import RemoteOp, RemoteOpKind, Store, SyncFolder
from realmail_desktop.sync.connection import ImapConnection
from realmail_desktop.sync.fetched_mail import SERVER_FLAG_NAMES
from realmail_desktop.sync.imap_commands import Selected
from realmail_desktop.sync.options import SyncOptions
from realmail_desktop.sync.uid_sets import format_uid_set

_FOLDER_OPS = frozenset({RemoteOpKind.CREATE_FOLDER, RemoteOpKind.RENAME_FOLDER, RemoteOpKind.DELETE_FOLDER})


class ActionReplay:
    """Replays one account's queue over its work connection."""

    REPLAYED = "Sending changes to the server"  # the label of the TaskFinished published after a replay

    def __init__(
        self, conn: ImapConnection, store: Store, bus: EventBus, options: SyncOptions, account_id: int
    ) -> None:
        self._conn = conn
        self._store = store
        self._bus = bus
        self._options = options
        self._account_id = account_id
        self._log = get_logger("sync", account_id)
        self.folders_changed = False  # a folder was created, renamed or deleted: the folder list needs a LIST

    async def run(self) -> int:
        """Replay every queued action; returns how many were handled. A lost connection stops the replay (the
        rest waits for the next one); an action the server refuses is retried later, then given up. A
        TaskFinished labelled REPLAYED tells when a replay that did something has ended."""
        ops = await self._store.read(lambda r: r.sync.pending_ops(self._account_id))
        if not ops:
            return 0
        done = await self._replay_all(ops)
        summary = f"{done} change{'s' if done != 1 else ''} sent to the server"
        self._bus.publish(TaskFinished(new_task_id(), self.REPLAYED, summary))
        return done

    async def _replay_all(self, ops: list[RemoteOp]) -> int:
        done = 0
        for op in ops:
            try:
                await self._replay(op)
                done += 1
            except ServerUnreachableError:
                raise
            except (ServerError, NotFoundError) as exc:
                if op.attempts + 1 >= self._options.op_max_attempts or isinstance(exc, NotFoundError):
                    self._log.warning("giving up a queued %s after %d attempts: %s", op.kind, op.attempts + 1, exc)
                    await self._store.remote_ops.drop(op)
                else:
                    self._log.info("queued %s refused for now: %s", op.kind, exc)
                    await self._store.remote_ops.failed(op, exc.message)
        return done

    async def _folder(self, folder_id: int | None) -> SyncFolder:
        folder = None
        if folder_id is not None:
            folder = await self._store.read(lambda r: r.sync.folder(folder_id))
        if folder is None or not folder.selectable:
            raise NotFoundError("The folder of a queued action no longer exists.")
        return folder

    async def _replay(self, op: RemoteOp) -> None:
        if op.kind in _FOLDER_OPS:
            await self._replay_folder_op(op)
            self.folders_changed = True
            return
        folder = await self._folder(op.folder_id)
        destination = await self._folder(op.to_folder_id) if op.kind is RemoteOpKind.MOVE else None
        async with self._conn.in_folder(folder.remote_name, refresh=True) as selected:
            found, gone = await self._locate(op, selected)
            uid_set = format_uid_set(found.values()) if found else ""
            new_uids: dict[int, int] = {}
            if uid_set and op.kind is RemoteOpKind.FLAGS:
                add = [SERVER_FLAG_NAMES[name] for name, value in op.set_flags.items() if value]
                remove = [SERVER_FLAG_NAMES[name] for name, value in op.set_flags.items() if not value]
                await self._conn.store_flags(uid_set, add, remove)
            elif uid_set and destination is not None:
                moved = await self._conn.move(uid_set, destination.remote_name)
                new_uids = {row: moved[uid] for row, uid in found.items() if uid in moved}
            elif uid_set and op.kind is RemoteOpKind.DELETE:
                await self._conn.delete(uid_set)
        await self._store.remote_ops.complete(op, new_uids, gone)

    async def _replay_folder_op(self, op: RemoteOp) -> None:
        # RFC 5530 response codes: the server already is as we want it (another client did the same).
        settled = "ALREADYEXISTS" if op.kind is RemoteOpKind.CREATE_FOLDER else "NONEXISTENT"
        try:
            async with self._conn.held():
                if op.kind is RemoteOpKind.CREATE_FOLDER:
                    await self._conn.create_folder(op.name)
                elif op.kind is RemoteOpKind.RENAME_FOLDER:
                    await self._conn.rename_folder(op.name, op.new_name)
                else:
                    await self._conn.delete_folder(op.name)
        except ServerError as exc:
            if settled not in exc.message.upper() or op.kind is RemoteOpKind.RENAME_FOLDER:
                raise
        await self._store.remote_ops.complete(op)

    async def _locate(self, op: RemoteOp, selected: Selected) -> tuple[dict[int, int], list[int]]:
        """The op's messages on the server now: row → UID for those found, and the rows of those not found."""
        same_epoch = op.uidvalidity is not None and op.uidvalidity == selected.uidvalidity
        wanted: dict[int, int] = {}
        for row, uid, mid in zip(op.rows, op.uids, op.mids, strict=True):
            if uid is not None and same_epoch:
                wanted[row] = uid
                continue
            candidates = await self._conn.search_message_id(mid) if mid else []
            taken = set(wanted.values())
            match = next((c for c in reversed(candidates) if c not in taken), None)
            if match is not None:
                wanted[row] = match
        existing = set(await self._existing(list(wanted.values())))
        found = {row: uid for row, uid in wanted.items() if uid in existing}
        gone = [row for row in op.rows if row not in found]
        return found, gone

    async def _existing(self, uids: Sequence[int]) -> list[int]:
        if not uids:
            return []
        present = set(await self._conn.search_uid_set(format_uid_set(uids)))
        return [uid for uid in uids if uid in present]
