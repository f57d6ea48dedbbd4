"""Search's fast paths (store/search.py) find exactly what a plain query over the messages finds: the attachment
marker in the index (migrations/0015), flag filters through their partial indexes, newest-first reading of broad
searches, and field-only searches listed newest first — with words, phrases, exclusions, folders, dates and a
Gmail label folder in scope, at both sides of RANK_LIMIT."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from realmail_desktop.core.bundle import migrations_dir
from realmail_desktop.store import (
    Folder,
    FolderRole,
    MessageQuery,
    NewAttachment,
    NewMessage,
    SortKey,
    SortOrder,
    Store,
    search,
)
from realmail_desktop.store.migrations import migrate
from realmail_desktop.store.search_query import TextField, parse_search

FolderOf = Callable[[FolderRole], Folder]
DAY = 86_400
START = int(datetime(2025, 1, 1, 12).timestamp())
WORDS = ["report", "budget", "project", "update", "weekend", "photos", "invoice", "payment", "dinner", "plan"]
PEOPLE = [("Ann Lee", "ann@example.com"), ("Bob Stone", "bob@example.org"), ("Søren Kristensen", "soren@example.dk")]
MARK = chr(0xE000) + "attachment"


def generated(rng: random.Random, index: int) -> NewMessage:
    name, address = rng.choice(PEOPLE)
    attachments = (
        (NewAttachment(part_id="2", filename="a.pdf", content_type="application/pdf", size=9),)
        if rng.random() < 0.3
        else ()
    )
    subject = " ".join(rng.choice(WORDS) for _ in range(3))
    body = " ".join(rng.choice(WORDS) for _ in range(12))
    return NewMessage.model_validate(
        {
            # Dates and ids disagree now and then, as after an IMAP header sync.
            "date": START + index * 3_600 - (7_200 if index % 7 == 0 else 0),
            "sender_name": name,
            "sender_address": address,
            "recipients": "Alex Morgan <alex@example.org>",
            "subject": subject,
            "index_body": body,
            "is_seen": rng.random() < 0.5,
            "is_flagged": rng.random() < 0.1,
            "attachments": attachments,
            "raw": f"Subject: {subject}\r\n\r\n{body}\r\n".encode(),
        }
    )


@pytest.fixture
async def mailbox(store: Store, folder_of: FolderOf) -> dict[str, int]:
    """1,200 messages over the Inbox and the Archive."""
    rng = random.Random(4)
    inbox, archive, sent = (folder_of(role).id for role in (FolderRole.INBOX, FolderRole.ARCHIVE, FolderRole.SENT))
    await store.messages.add(inbox, [generated(rng, i) for i in range(900)])
    await store.messages.add(archive, [generated(rng, i) for i in range(900, 1200)])
    return {"inbox": inbox, "archive": archive, "label": sent}


async def make_label_folder(store: Store, mailbox: dict[str, int]) -> None:
    """The Sent folder made a Gmail label folder that shows every ninth Inbox row (as labels show All Mail)."""
    async with store.db.transaction() as tx:
        await tx.execute("UPDATE folders SET gmail_label = 'Work' WHERE id = ?", (mailbox["label"],))
        await tx.execute(
            "INSERT INTO message_labels (folder_id, message_id, date)"
            " SELECT ?, id, date FROM messages WHERE folder_id = ? AND id % 9 = 0",
            (mailbox["label"], mailbox["inbox"]),
        )


# (query, the messages it must find: SQL on `messages m`, the FTS5 expression those must match or None)
CASES: list[tuple[str, str, str | None]] = [
    ("has:attachment report", "m.has_attachments = 1", '"report"'),
    ("has:attachment report -budget", "m.has_attachments = 1", '"report" NOT "budget"'),
    ("-has:attachment report", "m.has_attachments = 0", '"report"'),
    ("-has:attachment -report", "m.has_attachments = 0 AND m.id NOT IN ({fts})", '"report"'),
    ("has:attachment -report", "m.has_attachments = 1 AND m.id NOT IN ({fts})", '"report"'),
    ("has:attachment report in:archive", "m.has_attachments = 1 AND m.folder_id = {archive}", '"report"'),
    ("has:attachment is:unread budget", "m.has_attachments = 1 AND m.is_seen = 0", '"budget"'),
    ("is:unread budget", "m.is_seen = 0", '"budget"'),
    ("is:starred dinner", "m.is_flagged = 1", '"dinner"'),
    ("is:starred", "m.is_flagged = 1", None),
    ("is:unread budget in:archive", "m.is_seen = 0 AND m.folder_id = {archive}", '"budget"'),
    ("has:attachment", "m.has_attachments = 1", None),
    ("is:read dinner", "m.is_seen = 1", '"dinner"'),
    (
        "has:attachment plan after:2025-01-10 before:2025-02-01",
        f"m.has_attachments = 1 AND m.date >= {int(datetime(2025, 1, 10).timestamp())}"
        f" AND m.date < {int(datetime(2025, 2, 1).timestamp())}",
        '"plan"',
    ),
    (
        "budget after:2025-01-10 before:2025-02-01",
        f"m.date >= {int(datetime(2025, 1, 10).timestamp())} AND m.date < {int(datetime(2025, 2, 1).timestamp())}",
        '"budget"',
    ),
    ('has:attachment "weekend photos"', "m.has_attachments = 1", '"weekend photos"'),
    ('subject:"project update"', "1", 'subject : "project update"'),
    ('from:"Søren Kristensen" subject:invoice', "1", 'sender : "Søren Kristensen" AND subject : "invoice"'),
    ("from:ann has:attachment", "m.has_attachments = 1", 'sender : "ann"'),
    ("report", "1", '"report"'),
    ('"weekend photos" -payment', "1", '"weekend photos" NOT "payment"'),
]


def expected(store: Store, scope: str, condition: str, expression: str | None, **names: int) -> list[int]:
    """The ids a plain query finds, newest first."""
    fts = "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?"
    where = condition.format(fts=fts, **names)
    args: tuple[object, ...] = ()
    if expression is not None and "{fts}" not in condition:
        where += f" AND m.id IN ({fts})"
    if expression is not None:
        args = (expression,)
    sql = f"SELECT m.id FROM messages m WHERE {scope} AND {where} ORDER BY m.date DESC, m.id DESC"
    return [int(r[0]) for r in store.db.reader.execute(sql, args)]


def listed(store: Store, folders: tuple[int, ...], text: str, *, by_relevance: bool) -> tuple[int, list[int]]:
    """The count and every row (paged as the list pages), as the message list reads them."""
    query = MessageQuery(folders, search=parse_search(text + " "), by_relevance=by_relevance)
    total = store.reader.count(query)
    rows: list[int] = []
    while len(rows) < total:
        page = store.reader.page(query, SortOrder(SortKey.DATE, descending=True), len(rows), 100, total)
        assert page, f"{text!r}: page at {len(rows)} of {total} came back empty"
        rows += [s.id for s in page]
    return total, rows


@pytest.mark.parametrize("rank_limit", [search.RANK_LIMIT, 40])
@pytest.mark.parametrize(("text", "condition", "expression"), CASES)
async def test_every_path_finds_what_a_plain_query_finds(
    store: Store,
    mailbox: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    rank_limit: int,
    text: str,
    condition: str,
    expression: str | None,
) -> None:
    # 40 and 16 candidates a round: the broad paths at this mailbox's size.
    broad = rank_limit < search.RANK_LIMIT
    monkeypatch.setattr(search, "RANK_LIMIT", rank_limit)
    monkeypatch.setattr(search, "FEWEST_CANDIDATES", 16 if broad else search.FEWEST_CANDIDATES)
    both = (mailbox["inbox"], mailbox["archive"])
    scopes = {
        "all mail": (tuple(f.id for f in store.reader.folders()), "1"),
        "inbox and archive": (both, f"m.folder_id IN {both}"),
        "inbox": ((mailbox["inbox"],), f"m.folder_id = {mailbox['inbox']}"),
        "label folder": (
            (mailbox["label"],),
            f"(m.folder_id = {mailbox['label']} OR m.id IN"
            f" (SELECT message_id FROM message_labels WHERE folder_id = {mailbox['label']}))",
        ),
        "all mail with a label folder": (tuple(f.id for f in store.reader.folders()), "1"),
    }
    for name, (folders, scope) in scopes.items():
        if name == "label folder":
            await make_label_folder(store, mailbox)
        want = expected(store, scope, condition, expression, archive=mailbox["archive"])
        total, by_date = listed(store, folders, text, by_relevance=False)
        assert (total, by_date) == (len(want), want), f"{text!r} over {name}, newest first"
        total, best_first = listed(store, folders, text, by_relevance=True)
        assert total == len(want) and sorted(best_first) == sorted(want), f"{text!r} over {name}, best first"
        if not any(t.field is TextField.ANY for clause in parse_search(text).clauses for t in clause):
            assert best_first == want, f"{text!r}: a search without free words lists newest first"


async def test_field_only_searches_list_newest_first_and_free_words_rank(store: Store, folder_of: FolderOf) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    older, newer = START, START + DAY

    def mail(subject: str, body: str, date: int) -> NewMessage:
        return NewMessage.model_validate(
            {"date": date, "sender_address": "ann@example.com", "subject": subject, "index_body": body}
        )

    ids, _ = await store.messages.add(
        inbox, [mail("budget budget review", "numbers", older), mail("budget", "a long body " * 40, newer)]
    )
    ranked = MessageQuery((inbox,), search=parse_search("budget "))
    assert [s.id for s in store.reader.page(ranked, SortOrder(), 0, 10)] == ids  # bm25: twice in the subject
    fielded = MessageQuery((inbox,), search=parse_search("subject:budget "))
    assert [s.id for s in store.reader.page(fielded, SortOrder(), 0, 10)] == ids[::-1]  # newest first


async def test_the_marker_follows_the_flag_when_a_body_arrives(store: Store, folder_of: FolderOf) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    plain = NewMessage.model_validate({"date": START, "subject": "Quarterly report", "raw": None})
    [mid], _ = await store.messages.add(inbox, [plain])
    query = MessageQuery((inbox,), search=parse_search("has:attachment report "))
    assert store.reader.count(query) == 0
    with_file = plain.model_copy(
        update={
            "index_body": "see the file",
            "raw": b"Subject: Quarterly report\r\n\r\nsee the file\r\n",
            "attachments": (NewAttachment(part_id="2", filename="q.pdf", content_type="application/pdf", size=9),),
        }
    )
    await store.sync.store_bodies([(mid, with_file)])
    assert store.reader.message(mid).has_attachments  # type: ignore[union-attr]
    assert store.reader.count(query) == 1
    marked = "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?"
    assert store.db.reader.execute(marked, (f'cc : "{MARK}"',)).fetchone()[0] == 1
    async with store.db.transaction() as tx:
        await tx.execute("UPDATE messages SET has_attachments = 0 WHERE id = ?", (mid,))
    assert store.reader.count(MessageQuery((inbox,), search=parse_search("has:attachment report "))) == 0
    assert store.db.reader.execute(marked, (f'cc : "{MARK}"',)).fetchone()[0] == 0
    assert store.reader.count(MessageQuery((inbox,), search=parse_search("-has:attachment report "))) == 1


def test_migration_0015_marks_the_stored_messages_with_attachments(tmp_path: Path) -> None:
    shipped = sorted(migrations_dir().glob("*.sql"))
    folder = tmp_path / "migrations"
    folder.mkdir()
    for path in shipped[:14]:
        (folder / path.name).write_bytes(path.read_bytes())
    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    assert migrate(conn, folder) == 14
    conn.execute("INSERT INTO accounts (id, kind, name, created_at) VALUES (1, 'local', 'Local', 0)")
    conn.execute("INSERT INTO folders (id, account_id, path, role) VALUES (1, 1, 'Inbox', 'inbox')")
    for mid, attached in ((1, 1), (2, 0), (3, 1)):
        conn.execute(
            "INSERT INTO messages (id, account_id, folder_id, date, subject, has_attachments)"
            " VALUES (?, 1, 1, 0, 'report', ?)",
            (mid, attached),
        )
        cc = "Carl <carl@example.net>" if mid == 3 else ""
        conn.execute(
            "INSERT INTO messages_fts (rowid, subject, sender, recipients, cc, body)"
            " VALUES (?, 'report', '', '', ?, '')",
            (mid, cc),
        )
    (folder / shipped[14].name).write_bytes(shipped[14].read_bytes())
    assert migrate(conn, folder) == 15
    marked = conn.execute(
        "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid", (f'"report" AND cc : "{MARK}"',)
    ).fetchall()
    assert marked == [(1,), (3,)]
    assert conn.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'cc : carl'").fetchall() == [(3,)]
