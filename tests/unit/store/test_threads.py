"""Threading in the store: References/In-Reply-To chains, arrival order, merges, the subject fallback,
accounts and folders, deletes and moves, the backfill, and threaded list pages."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realmail_desktop.core.events import EventBus
from realmail_desktop.store import Account, Folder, FolderRole, MessageQuery, NewMessage, SortOrder, Store
from realmail_desktop.store.threads import _GENERIC, subject_key

FolderOf = Callable[[FolderRole], Folder]
DAY = 24 * 3600
T0 = 1_700_000_000


def mail(
    mid: str,
    *,
    refs: tuple[str, ...] = (),
    reply_to: str = "",
    subject: str = "Quarterly budget review",
    date: int = T0,
    seen: bool = True,
    flagged: bool = False,
) -> NewMessage:
    return NewMessage(
        message_id=mid,
        references=refs,
        in_reply_to=reply_to,
        subject=subject,
        subject_sort=subject.casefold(),
        sender_name=f"Sender of {mid}",
        sender_sort=f"sender of {mid}",
        date=date,
        is_seen=seen,
        is_flagged=flagged,
    )


def thread_of(store: Store, mid: str, account_id: int | None = None) -> int:
    sql, args = "SELECT thread_id FROM messages WHERE message_id = ?", [mid]
    if account_id is not None:
        sql, args = f"{sql} AND account_id = ?", [mid, account_id]
    rows = store.db.reader.execute(sql, args).fetchall()
    assert rows, mid
    threads = {r[0] for r in rows}
    assert len(threads) == 1 and None not in threads, (mid, threads)
    return int(rows[0][0])


def threads_of(store: Store, *mids: str) -> set[int]:
    return {thread_of(store, mid) for mid in mids}


def test_subject_key_strips_prefixes_and_refuses_generic_subjects() -> None:
    assert subject_key("Re: AW: [dev-list] Fwd:  Budget   Plan") == "budget plan"
    assert subject_key("RE[2]: SV: Budget plan") == "budget plan"
    assert subject_key("Re:") == ""
    assert subject_key("Re: Hello") == ""
    assert subject_key("Fwd: (no subject)") == ""
    assert subject_key("Re: ok") == ""


_ONE_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{0,80}\]\s*|(?:re|fwd?|aw|sv|vs|wg|antw|tr|rif|ref|odp|r)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*)",
    re.IGNORECASE,
)


def key_by_definition(subject: str) -> str:
    """subject_key as its docstring defines it: strip one prefix or list tag at a time until none is left, fold
    every run of whitespace to one space, trim, casefold; "" when short or generic."""
    text = subject
    while (stripped := _ONE_PREFIX.sub("", text, count=1)) != text:
        text = stripped
    key = re.sub(r"\s+", " ", text).strip().casefold()
    return "" if len(key) < 4 or key in _GENERIC else key


_SUBJECT_PARTS = [
    *("Re", "RE", "Fwd", "FW", "AW", "sv", "Antw", "r", "ref", "odp", "[list]", "[a b]", "[2]", "(3)", "x" * 81),
    *("[", "]", ":", " ", "\t", "\n", "\u00a0", "\u2003", "\x1c", "Budget", "plan", "ok", "Straße", "İ"),
]


@given(st.lists(st.sampled_from(_SUBJECT_PARTS), max_size=9).map("".join) | st.text(max_size=30))
def test_subject_key_is_the_prefix_by_prefix_definition(subject: str) -> None:
    # subject_key strips the whole run of prefixes with one match and folds spaces with str.split(): the same
    # keys as taking one prefix at a time and a \s+ substitution (Unicode spaces and "[…]" tags included).
    assert subject_key(subject) == key_by_definition(subject)


async def test_one_batch_numbers_new_threads_by_first_appearance(store: Store, folder_of: FolderOf) -> None:
    inbox, archive = folder_of(FolderRole.INBOX), folder_of(FolderRole.ARCHIVE)
    # One batch: a reply whose parent comes later, an unrelated message, two copies of one message (one
    # Message-ID, e.g. a list's copy of a sent message), then the parent and a reply to the copies.
    batch = [
        mail("<b@x>", reply_to="<a@x>", subject=""),
        mail("<u@x>", subject="Something else entirely"),
        mail("<c@x>", subject="Carpool plans"),
        mail("<c@x>", subject="Carpool plans"),
        mail("<a@x>", subject=""),
        mail("<d@x>", refs=("<c@x>",), subject="Re: Carpool plans"),
    ]
    await store.messages.add(inbox.id, batch)
    first, unrelated, copies = thread_of(store, "<b@x>"), thread_of(store, "<u@x>"), thread_of(store, "<c@x>")
    assert thread_of(store, "<a@x>") == first and thread_of(store, "<d@x>") == copies
    assert first < unrelated < copies  # new threads take ids in the order their first message came
    # A later batch naming the copies' Message-ID joins their thread, and links nothing twice.
    links = store.db.reader.execute("SELECT count(*) FROM thread_links").fetchone()[0]
    await store.messages.add(archive.id, [mail("<e@x>", reply_to="<c@x>", subject="Re: Carpool plans")])
    assert thread_of(store, "<e@x>") == copies
    assert store.db.reader.execute("SELECT count(*) FROM thread_links").fetchone()[0] == links + 1


async def test_a_reply_chain_is_one_thread(store: Store, folder_of: FolderOf) -> None:
    inbox = folder_of(FolderRole.INBOX)
    await store.messages.add(
        inbox.id,
        [
            mail("<a@x>"),
            mail("<b@x>", refs=("<a@x>",), reply_to="<a@x>", date=T0 + 60),
            mail("<c@x>", refs=("<a@x>", "<b@x>"), reply_to="<b@x>", date=T0 + 120),
            mail("<other@x>", subject="Something else entirely", date=T0 + 10),
        ],
    )
    assert len(threads_of(store, "<a@x>", "<b@x>", "<c@x>")) == 1
    assert thread_of(store, "<other@x>") != thread_of(store, "<a@x>")


async def test_child_before_parent_and_missing_middle(store: Store, folder_of: FolderOf) -> None:
    inbox = folder_of(FolderRole.INBOX)
    # The grandchild arrives first, naming only the middle message (which never arrives)…
    await store.messages.add(inbox.id, [mail("<c@x>", reply_to="<b@x>", date=T0 + 120)])
    # …then the middle message's own reply-less root arrives in another batch; the child of the root names it.
    await store.messages.add(inbox.id, [mail("<a@x>", subject="Kickoff", date=T0)])
    await store.messages.add(inbox.id, [mail("<d@x>", refs=("<a@x>", "<b@x>"), date=T0 + 200)])
    assert len(threads_of(store, "<a@x>", "<c@x>", "<d@x>")) == 1


async def test_a_late_message_merges_two_threads(store: Store, folder_of: FolderOf) -> None:
    inbox = folder_of(FolderRole.INBOX)
    # Two replies to a parent we have not got, each knowing only its own branch: two threads so far.
    await store.messages.add(inbox.id, [mail("<b1@x>", reply_to="<b@x>", subject="Re: One")])
    await store.messages.add(inbox.id, [mail("<c1@x>", reply_to="<c@x>", subject="Re: Two")])
    assert len(threads_of(store, "<b1@x>", "<c1@x>")) == 2
    # The parent's parent links both branches.
    await store.messages.add(inbox.id, [mail("<c@x>", refs=("<b@x>",), reply_to="<b@x>")])
    assert len(threads_of(store, "<b1@x>", "<c1@x>", "<c@x>")) == 1
    rows = store.db.reader.execute("SELECT COUNT(*) FROM folder_threads WHERE folder_id = ?", (inbox.id,))
    assert rows.fetchone()[0] == 1
    assert store.reader.folder(inbox.id) is not None
    assert store.reader.count(MessageQuery((inbox.id,), threads=True)) == 1


async def test_subject_fallback_joins_reference_less_replies(store: Store, folder_of: FolderOf) -> None:
    inbox = folder_of(FolderRole.INBOX)
    await store.messages.add(inbox.id, [mail("<p@x>", subject="Offsite planning for March")])
    await store.messages.add(
        inbox.id,
        [
            mail("<r1@x>", subject="Re: Offsite planning for March", date=T0 + DAY),
            mail("<r2@x>", subject="AW: [team] offsite planning for  march", date=T0 + 2 * DAY),
        ],
    )
    assert len(threads_of(store, "<p@x>", "<r1@x>", "<r2@x>")) == 1


async def test_subject_fallback_has_limits(store: Store, folder_of: FolderOf) -> None:
    inbox = folder_of(FolderRole.INBOX)
    await store.messages.add(
        inbox.id,
        [
            mail("<g1@x>", subject="Hello"),
            mail("<g2@x>", subject="Re: Hello", date=T0 + 60),
            mail("<e1@x>", subject=""),
            mail("<e2@x>", subject="", date=T0 + 60),
            mail("<old@x>", subject="Offsite planning for March"),
            mail("<late@x>", subject="Re: Offsite planning for March", date=T0 + 90 * DAY),
            # A real reply (with References) never joins by subject alone.
            mail("<ref@x>", subject="Re: Offsite planning for March", reply_to="<elsewhere@x>", date=T0 + DAY),
        ],
    )
    assert len(threads_of(store, "<g1@x>", "<g2@x>")) == 2
    assert len(threads_of(store, "<e1@x>", "<e2@x>")) == 2
    assert len(threads_of(store, "<old@x>", "<late@x>", "<ref@x>")) == 3


async def test_threads_span_folders_but_not_accounts(store: Store, local_account: Account, folder_of: FolderOf) -> None:
    inbox, sent = folder_of(FolderRole.INBOX), folder_of(FolderRole.SENT)
    await store.messages.add(inbox.id, [mail("<a@x>")])
    await store.messages.add(sent.id, [mail("<b@x>", reply_to="<a@x>", date=T0 + 60)])
    assert len(threads_of(store, "<a@x>", "<b@x>")) == 1

    other, _ = await store.accounts.create_local()
    other_inbox = store.reader.folder_by_role(other.id, FolderRole.INBOX)
    assert other_inbox is not None
    await store.messages.add(other_inbox.id, [mail("<c@x>", reply_to="<a@x>", date=T0 + 90)])
    assert thread_of(store, "<c@x>") != thread_of(store, "<a@x>", local_account.id)

    conversation = store.reader.threads.messages(thread_of(store, "<a@x>"), (inbox.id,))
    assert [m.message_id for m in conversation] == ["<a@x>", "<b@x>"]


async def test_deletes_and_moves_keep_thread_rows_consistent(store: Store, folder_of: FolderOf) -> None:
    inbox, archive = folder_of(FolderRole.INBOX), folder_of(FolderRole.ARCHIVE)
    ids, _ = await store.messages.add(
        inbox.id,
        [
            mail("<a@x>", seen=True),
            mail("<b@x>", reply_to="<a@x>", date=T0 + 60, seen=False, flagged=True),
            mail("<c@x>", reply_to="<b@x>", date=T0 + 120, seen=False),
        ],
    )
    thread = thread_of(store, "<a@x>")

    def row(folder: Folder) -> tuple[int, int, int, int] | None:
        found = store.db.reader.execute(
            "SELECT message_count, unread_count, flagged_count, newest_id FROM folder_threads"
            " WHERE folder_id = ? AND thread_id = ?",
            (folder.id, thread),
        ).fetchone()
        return tuple(found) if found else None

    assert row(inbox) == (3, 2, 1, ids[2])
    await store.messages.set_seen([ids[2]], True)
    await store.messages.set_flagged([ids[1]], False)
    assert row(inbox) == (3, 1, 0, ids[2])
    await store.messages.move([ids[2]], archive.id)  # the newest leaves: the row's newest is the next one
    assert row(inbox) == (2, 1, 0, ids[1])
    assert row(archive) == (1, 0, 0, ids[2])
    assert thread_of(store, "<c@x>") == thread
    await store.messages.delete([ids[1]])
    assert row(inbox) == (1, 0, 0, ids[0])
    await store.messages.delete([ids[0]])
    assert row(inbox) is None
    assert store.reader.count(MessageQuery((inbox.id,), threads=True)) == 0
    assert store.reader.count(MessageQuery((archive.id,), threads=True)) == 1
    # A later reply still joins the conversation: links outlive deleted messages.
    await store.messages.add(inbox.id, [mail("<d@x>", reply_to="<a@x>", date=T0 + 300)])
    assert thread_of(store, "<d@x>") == thread


async def test_threaded_pages_show_the_newest_message_and_thread_counts(store: Store, folder_of: FolderOf) -> None:
    inbox = folder_of(FolderRole.INBOX)
    batch: list[NewMessage] = []
    for t in range(250):  # 250 threads of 1–3 messages, thread t's newest at T0 + t * 100
        size = 1 + t % 3
        for k in range(size):
            mid = f"<t{t}m{k}@x>"
            parent = f"<t{t}m{k - 1}@x>" if k else ""
            date = T0 + t * 100 - (size - 1 - k)
            batch.append(mail(mid, reply_to=parent, subject=f"Topic number {t}", date=date, seen=k != 1))
    await store.messages.add(inbox.id, batch)
    query = MessageQuery((inbox.id,), threads=True)
    assert store.reader.count(query) == 250
    rows = [s for offset in range(0, 250, 64) for s in store.reader.page(query, SortOrder(), offset, 64)]
    assert [s.message_id for s in rows] == [f"<t{t}m{t % 3}@x>" for t in reversed(range(250))]
    for s, t in zip(rows, reversed(range(250)), strict=True):
        assert s.message_count == 1 + t % 3
        assert s.unread_count == (1 if t % 3 >= 1 else 0)
        assert s.is_seen == (t % 3 == 0)
    ascending = store.reader.page(query, SortOrder(descending=False), 240, 10)
    assert [s.message_id for s in ascending] == [f"<t{t}m{t % 3}@x>" for t in range(240, 250)]
    # row_of answers for any message of a thread.
    assert store.reader.row_of(query, SortOrder(), rows[7].id) == 7
    older = store.db.reader.execute("SELECT id FROM messages WHERE message_id = '<t241m0@x>'").fetchone()[0]
    assert store.reader.row_of(query, SortOrder(), older) == 249 - 241


async def test_backfill_threads_rows_stored_before_threading(tmp_path: Path, bus: EventBus) -> None:
    bus.attach_loop(asyncio.get_running_loop())
    path = tmp_path / "realmail.sqlite3"
    store = await Store.open(path, bus)
    account, _ = await store.accounts.create_local()
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert inbox is not None
    await store.messages.add(
        inbox.id,
        [
            mail("<c@x>", reply_to="<b@x>", date=T0 + 120),
            mail("<a@x>"),
            mail("<b@x>", reply_to="<a@x>", date=T0 + 60),
            mail("<z@x>", subject="Unrelated matter here", seen=False, flagged=True),
            mail("<y@x>", subject="Re: Unrelated matter here", date=T0 + 5, seen=False),
        ],
    )
    counted = "SELECT folder_id, message_count, unread_count, flagged_count, newest_id FROM folder_threads ORDER BY 5"
    as_inserted = store.db.reader.execute(counted).fetchall()
    await store.close()
    # As a store written before version 5 would be: no threads at all.
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(
        "BEGIN; UPDATE messages SET thread_id = NULL; DELETE FROM thread_links; DELETE FROM thread_subjects;"
        " DELETE FROM threads; COMMIT;"
    )
    assert conn.execute("SELECT COUNT(*) FROM folder_threads").fetchone()[0] == 0
    conn.close()

    store = await Store.open(path, bus)
    try:
        assert len(threads_of(store, "<a@x>", "<b@x>", "<c@x>")) == 1
        assert thread_of(store, "<z@x>") != thread_of(store, "<a@x>")
        assert store.reader.count(MessageQuery((inbox.id,), threads=True)) == 2
        assert store.db.reader.execute(counted).fetchall() == as_inserted  # the same rows the triggers keep
        # One row per batch: children before parents across batches, merges of counted rows.
        async with store.db.transaction() as tx:
            for table in ("thread_links", "thread_subjects", "threads", "folder_threads"):
                await tx.execute(f"DELETE FROM {table}")
            await tx.execute("UPDATE messages SET thread_id = NULL")
        await store.threads.backfill(batch=1)
        assert len(threads_of(store, "<a@x>", "<b@x>", "<c@x>")) == 1
        assert store.db.reader.execute(counted).fetchall() == as_inserted
        assert (await store.threads.backfill()).empty  # the next start: nothing to thread, nothing written
    finally:
        await store.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(6)), batch=st.integers(min_value=1, max_value=6))
def test_any_arrival_order_yields_one_thread(
    tmp_path_factory: pytest.TempPathFactory, order: list[int], batch: int
) -> None:
    # A thread a → b → c → d with a fork b → e → f; each message names its whole ancestry or only its parent.
    parents = {0: (), 1: (0,), 2: (0, 1), 3: (2,), 4: (1,), 5: (1, 4)}
    messages = [
        mail(f"<m{i}@x>", refs=tuple(f"<m{p}@x>" for p in parents[i]), subject="", date=T0 + i) for i in range(6)
    ]

    async def run(path: Path) -> set[int]:
        bus = EventBus()
        bus.attach_loop(asyncio.get_running_loop())
        store = await Store.open(path, bus)
        try:
            account, _ = await store.accounts.create_local()
            inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
            assert inbox is not None
            arrived = [messages[i] for i in order]
            for start in range(0, len(arrived), batch):
                await store.messages.add(inbox.id, arrived[start : start + batch])
            assert store.reader.count(MessageQuery((inbox.id,), threads=True)) == 1
            return threads_of(store, *(m.message_id for m in messages))
        finally:
            await store.close()

    directory = tmp_path_factory.mktemp("arrival")
    assert len(asyncio.run(run(directory / "s.sqlite3"))) == 1


async def test_a_message_moved_to_another_account_joins_that_accounts_threads(
    store: Store, local_account: Account, folder_of: FolderOf
) -> None:
    inbox = folder_of(FolderRole.INBOX)
    other, _ = await store.accounts.create_local()
    other_inbox = store.reader.folder_by_role(other.id, FolderRole.INBOX)
    assert other_inbox is not None
    await store.messages.add(inbox.id, [mail("<a@x>")])
    moved, _ = await store.messages.add(inbox.id, [mail("<b@x>", reply_to="<a@x>", date=T0 + 60)])
    await store.messages.add(other_inbox.id, [mail("<c@x>", reply_to="<b@x>", date=T0 + 120)])
    assert thread_of(store, "<c@x>") != thread_of(store, "<a@x>")

    await store.messages.move(moved, other_inbox.id)
    assert thread_of(store, "<b@x>") == thread_of(store, "<c@x>")
    assert thread_of(store, "<a@x>") != thread_of(store, "<b@x>")
    query = MessageQuery((other_inbox.id,), threads=True)
    assert store.reader.count(query) == 1
    assert store.reader.page(query, SortOrder(), 0, 10)[0].message_count == 2
    assert store.reader.count(MessageQuery((inbox.id,), threads=True)) == 1
