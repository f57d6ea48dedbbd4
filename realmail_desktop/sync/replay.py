"""ActionReplay: drains an account's queue of actions (store `remote_ops`) onto the server, oldest first.

flags → UID STORE ±FLAGS (system flags and keywords); move → UID MOVE, or UID COPY + STORE \\Deleted + UID
EXPUNGE where MOVE is missing, with the new UIDs from COPYUID written to the moved rows; delete → STORE
\\Deleted + UID EXPUNGE; folder create/rename/delete → CREATE (+ SUBSCRIBE) / RENAME / DELETE;
subscribe/unsubscribe → SUBSCRIBE / UNSUBSCRIBE; append → APPEND (a move from another account, below).

A UID that was not known when the action was queued (the message had just been moved here locally), or that
belongs to an older UIDVALIDITY, is found again by its Message-ID (UID SEARCH HEADER). A message the server no
longer has is skipped, and a row that only existed because of our action goes: the server's state wins once
our action is out of the queue. Conflict rule in full: store/sync_state.py.

Server names are resolved when an op is replayed: the store already holds each folder's name after every
queued rename, so for an op queued *before* a rename that still waits, that rename is undone on the name (a
move into a folder renamed afterwards goes to the name the server has at that point of the queue).

Keywords ($Label1, Work, $Junk …) follow the flags' conflict rule: while a keyword change of ours is queued
for a message, the server's keywords for it are ignored; once it has been replayed, the server's keywords
win (another client's later change shows here). A server whose PERMANENTFLAGS lacks \\* cannot keep new
keywords: those are not sent (logged once per connection) and stay on this computer only.

Moves from another account ('append' ops, queued on the target account): for each message the target folder
is first searched for its Message-ID, so a retry never appends twice (a message without a Message-ID cannot
be checked); else the raw message is APPENDed with its current flags and keywords and its INTERNALDATE (the
source server's when the body is fetched from there, else the message's date). The body comes from the
store, else from the source account's server; when that account is not connected the replay stops at this
op and tries again later (later ops wait: order is kept). Only then is the source copy deleted — queued on
the source account, append first, delete after, so nothing is lost if either side fails midway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from realmail_desktop.core.errors import NotFoundError, ServerError, ServerUnreachableError
from realmail_desktop.core.events import EventBus, TaskFinished, new_task_id
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import AppendSource, RemoteOp, RemoteOpKind, Store, StoreReader, SyncFolder
from realmail_desktop.sync.connection import ImapConnection
from realmail_desktop.sync.fetched_mail import SERVER_FLAG_NAMES, body_rows
from realmail_desktop.sync.imap_commands import Selected
from realmail_desktop.sync.options import SyncOptions
from realmail_desktop.sync.uid_sets import format_uid_set

_FOLDER_OPS = frozenset(
    {
        RemoteOpKind.CREATE_FOLDER,
        RemoteOpKind.RENAME_FOLDER,
        RemoteOpKind.DELETE_FOLDER,
        RemoteOpKind.SUBSCRIBE,
        RemoteOpKind.UNSUBSCRIBE,
    }
)
# (raw bytes, INTERNALDATE) of a message on another account's server; None when that server no longer has it.
FetchElsewhere = Callable[[AppendSource, str], Awaitable[tuple[bytes, int | None] | None]]


def storable_keywords(keywords: Sequence[str], permanent: frozenset[str] | None) -> list[str]:
    """The keywords a folder with these PERMANENTFLAGS keeps: any with \\* (or when it did not say), else
    only those it lists (RFC 3501 §7.1)."""
    if permanent is None or "\\*" in permanent:
        return list(keywords)
    return [word for word in keywords if word in permanent]


class SourceUnavailableError(ServerError):
    """The account a moved message comes from is not connected now: the append waits for the next replay."""


def name_when_replayed(name: str, later: Sequence[RemoteOp], delimiter: str) -> str:
    """A folder's server name at the point of the queue before `later` ops: their renames undone, last first."""
    for op in reversed(later):
        if op.kind is not RemoteOpKind.RENAME_FOLDER:
            continue
        if name == op.new_name:
            name = op.name
        elif delimiter and name.startswith(op.new_name + delimiter):
            name = op.name + name[len(op.new_name) :]
    return name


class ActionReplay:
    """Replays one account's queue over its work connection."""

    REPLAYED = "Sending changes to the server"  # the label of the TaskFinished published after a replay

    def __init__(
        self,
        conn: ImapConnection,
        store: Store,
        bus: EventBus,
        options: SyncOptions,
        account_id: int,
        *,
        fetch_elsewhere: FetchElsewhere | None = None,
    ) -> None:
        self._conn = conn
        self._store = store
        self._bus = bus
        self._options = options
        self._account_id = account_id
        self._log = get_logger("sync", account_id)
        self._fetch_elsewhere = fetch_elsewhere
        self._told_keywords_stay_local = False
        self.folders_changed = False  # a folder was created, renamed, deleted or (un)subscribed: LIST again

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
        for index, op in enumerate(ops):
            try:
                await self._replay(op, ops[index + 1 :])
                done += 1
            except ServerUnreachableError:
                raise
            except SourceUnavailableError as exc:
                self._log.info("queued %s waits (and the ops after it): %s", op.kind, exc)
                break
            except (ServerError, NotFoundError) as exc:
                if op.attempts + 1 >= self._options.op_max_attempts or isinstance(exc, NotFoundError):
                    self._log.warning("giving up a queued %s after %d attempts: %s", op.kind, op.attempts + 1, exc)
                    await self._store.remote_ops.drop(op)
                else:
                    self._log.info("queued %s refused for now: %s", op.kind, exc)
                    await self._store.remote_ops.failed(op, exc.message)
        return done

    async def _folder(self, folder_id: int | None, later: Sequence[RemoteOp]) -> SyncFolder:
        """The folder with its server name as it is when this op runs (see the module docstring)."""
        folder = None
        if folder_id is not None:
            folder = await self._store.read(lambda r: r.sync.folder(folder_id))
        if folder is None or not folder.selectable:
            raise NotFoundError("The folder of a queued action no longer exists.")
        name = name_when_replayed(folder.remote_name, later, folder.delimiter)
        return folder if name == folder.remote_name else folder.model_copy(update={"remote_name": name})

    async def _replay(self, op: RemoteOp, later: Sequence[RemoteOp]) -> None:
        if op.kind in _FOLDER_OPS:
            await self._replay_folder_op(op)
            self.folders_changed = True
            return
        if op.kind is RemoteOpKind.APPEND:
            await self._replay_append(op, later)
            return
        folder = await self._folder(op.folder_id, later)
        destination = await self._folder(op.to_folder_id, later) if op.kind is RemoteOpKind.MOVE else None
        async with self._conn.in_folder(folder.remote_name, refresh=True) as selected:
            found, gone = await self._locate(op, selected)
            uid_set = format_uid_set(found.values()) if found else ""
            new_uids: dict[int, int] = {}
            if uid_set and op.kind is RemoteOpKind.FLAGS:
                add = [SERVER_FLAG_NAMES[name] for name, value in op.set_flags.items() if value]
                remove = [SERVER_FLAG_NAMES[name] for name, value in op.set_flags.items() if not value]
                add += self._storable(op.add_keywords, selected)
                await self._conn.store_flags(uid_set, add, remove + list(op.remove_keywords))
            elif uid_set and op.kind is RemoteOpKind.LABELS:  # Gmail (sync/gmail.py)
                await self._conn.store_gmail_labels(uid_set, list(op.add_labels), list(op.remove_labels))
            elif uid_set and destination is not None:
                moved = await self._conn.move(uid_set, destination.remote_name)
                new_uids = {row: moved[uid] for row, uid in found.items() if uid in moved}
            elif uid_set and op.kind is RemoteOpKind.DELETE:
                if op.keep_body:  # only copies whose body is safe here are deleted (the rest stay on the server)
                    safe = await self._keep_bodies(found)
                    kept = [uid for row, uid in found.items() if row in safe]
                    uid_set = format_uid_set(kept) if kept else ""
                if uid_set:
                    await self._conn.delete(uid_set)
        await self._store.remote_ops.complete(op, new_uids, gone)

    def _storable(self, keywords: Sequence[str], selected: Selected) -> list[str]:
        """The keywords the folder can keep (PERMANENTFLAGS); the others stay local (logged once)."""
        kept = storable_keywords(keywords, selected.permanent_flags)
        if len(kept) < len(keywords) and not self._told_keywords_stay_local:
            self._told_keywords_stay_local = True
            self._log.info("%s cannot keep new keywords: they stay on this computer only", selected.name)
        return kept

    async def _keep_bodies(self, found: dict[int, int]) -> set[int]:
        """Before deleting messages moved to a local folder: their bodies into their rows where not stored
        yet. Returns the rows whose body is stored now."""

        def stored(r: StoreReader) -> set[int]:
            return {row for row in found if r.raw_message(row) is not None}

        have = await self._store.read(stored)
        missing = {uid: row for row, uid in found.items() if row not in have}
        if missing:
            fetched = await self._conn.fetch_bodies(format_uid_set(missing))
            rows = await asyncio.to_thread(body_rows, fetched, missing)
            await self._store.sync.store_bodies(rows)
        return await self._store.read(stored)

    async def _replay_append(self, op: RemoteOp, later: Sequence[RemoteOp]) -> None:
        target = await self._folder(op.folder_id, later)
        appended: dict[int, int | None] = {}
        for row, mid, source in zip(op.rows, op.mids, op.sources, strict=True):
            material = await self._store.read(lambda r, row=row: r.sync.append_material(row))  # type: ignore[misc]
            if material is None:  # deleted here since: the source copy goes all the same
                appended[row] = None
                continue
            raw, date, flags, keywords = material
            async with self._conn.in_folder(target.remote_name) as selected:
                present = await self._conn.search_message_id(mid) if mid else []
            if present:  # appended by an earlier try (or there already): never twice
                appended[row] = present[-1]
                continue
            internaldate: int | None = date
            if raw is None and source is not None:
                if self._fetch_elsewhere is None:
                    raise SourceUnavailableError("The account the message comes from is not connected.")
                got = await self._fetch_elsewhere(source, mid)
                if got is not None:
                    raw, internaldate = got[0], got[1] or date
            if raw is None:
                self._log.warning("a message moved here from elsewhere has no body to copy; skipped")
                continue
            names = [SERVER_FLAG_NAMES[name] for name, on in flags.items() if on]
            names += self._storable(keywords, selected)
            async with self._conn.held():
                appended[row] = await self._conn.append(target.remote_name, raw, names, internaldate)
        await self._store.remote_ops.complete_append(op, appended)

    async def _replay_folder_op(self, op: RemoteOp) -> None:
        # RFC 5530 response codes: the server already is as we want it (another client did the same).
        settled = "ALREADYEXISTS" if op.kind is RemoteOpKind.CREATE_FOLDER else "NONEXISTENT"
        try:
            async with self._conn.held():
                if op.kind is RemoteOpKind.CREATE_FOLDER:
                    await self._conn.create_folder(op.name)
                elif op.kind is RemoteOpKind.RENAME_FOLDER:
                    await self._conn.rename_folder(op.name, op.new_name)
                elif op.kind in (RemoteOpKind.SUBSCRIBE, RemoteOpKind.UNSUBSCRIBE):
                    await self._conn.set_subscribed(op.name, op.kind is RemoteOpKind.SUBSCRIBE)
                else:
                    await self._conn.delete_folder(op.name)
        except ServerError as exc:
            if settled not in exc.message.upper() or op.kind not in (
                RemoteOpKind.CREATE_FOLDER,
                RemoteOpKind.DELETE_FOLDER,
            ):
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
