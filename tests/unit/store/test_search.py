"""Search in a real store: every operator, ranking, diacritics, exclusion, scope, paging and the cache."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    StoreReader,
)
from realmail_desktop.store.migrations import migrate
from realmail_desktop.store.search_query import parse_search

FolderOf = Callable[[FolderRole], Folder]
DAY = 86_400
JAN = int(datetime(2025, 1, 10, 12).timestamp())


def mail(subject: str, body: str = "", **fields: object) -> NewMessage:
    values: dict[str, object] = {
        "date": JAN,
        "sender_name": "Ann Lee",
        "sender_address": "ann@example.com",
        "recipients": "Bob Stone <bob@example.org>",
        "subject": subject,
        "index_body": body,
        "raw": f"Subject: {subject}\r\n\r\n{body}\r\n".encode(),
    }
    values.update(fields)
    return NewMessage.model_validate(values)


@pytest.fixture
async def filled(store: Store, folder_of: FolderOf) -> dict[str, int]:
    """A few messages in the Inbox and the Archive, named by what makes each one findable."""
    inbox, archive = folder_of(FolderRole.INBOX), folder_of(FolderRole.ARCHIVE)
    inbox_ids, _ = await store.messages.add(
        inbox.id,
        [
            mail(
                "Budget for 2025",
                "numbers attached",
                attachments=(NewAttachment(part_id="2", filename="a.pdf", content_type="application/pdf", size=9),),
            ),
            mail("Lunch", "let us talk about the budget later"),
            mail("Votre résumé", "Merci pour le CV", sender_name="Chloé Dubois", sender_address="chloe@example.fr"),
            mail("Travel plan", "flights booked", cc="Carl Ray <carl@example.net>", date=JAN + 30 * DAY),
            mail("Spam offer", "budget deals budget deals", is_seen=True, is_flagged=True),
        ],
    )
    archive_ids, _ = await store.messages.add(archive.id, [mail("Old budget", "archived numbers", date=JAN - 60 * DAY)])
    names = ["budget", "lunch", "resume", "travel", "spam"]
    return {**dict(zip(names, inbox_ids, strict=True)), "archived": archive_ids[0]}


def found(store: Store, folders: tuple[int, ...], text: str, order: SortOrder | None = None) -> list[int]:
    """Ids found, best first (or in `order`), checking that the count agrees."""
    query = MessageQuery(folders, search=parse_search(text), by_relevance=order is None)
    order = order or SortOrder()
    count = store.reader.count(query)
    ids = [s.id for s in store.reader.page(query, order, 0, 100)]
    assert count == len(ids)
    return ids


async def test_words_rank_subject_matches_first(store: Store, folder_of: FolderOf, filled: dict[str, int]) -> None:
    inbox = (folder_of(FolderRole.INBOX).id,)
    ids = found(store, inbox, "budget")
    assert ids[0] == filled["budget"]  # in the subject beats twice in the body
    assert set(ids) == {filled["budget"], filled["lunch"], filled["spam"]}


async def test_prefix_while_typing(store: Store, folder_of: FolderOf, filled: dict[str, int]) -> None:
    inbox = (folder_of(FolderRole.INBOX).id,)
    assert found(store, inbox, "trav") == [filled["travel"]]
    assert found(store, inbox, "trav ") == []


async def test_diacritics_are_folded(store: Store, folder_of: FolderOf, filled: dict[str, int]) -> None:
    inbox = (folder_of(FolderRole.INBOX).id,)
    assert found(store, inbox, "resume ") == [filled["resume"]]
    assert found(store, inbox, "from:chloe ") == [filled["resume"]]


async def test_field_operators(store: Store, folder_of: FolderOf, filled: dict[str, int]) -> None:
    inbox = (folder_of(FolderRole.INBOX).id,)
    assert found(store, inbox, "from:chloe@example.fr ") == [filled["resume"]]
    assert found(store, inbox, "subject:budget ") == [filled["budget"]]
    assert found(store, inbox, "cc:carl ") == [filled["travel"]]
    assert found(store, inbox, "to:carl ") == [filled["travel"]]  # to: covers Cc as well
    assert len(found(store, inbox, "to:bob ")) == 5
    assert found(store, inbox, "from:bob ") == []


async def test_phrase_exclusion_and_or(store: Store, folder_of: FolderOf, filled: dict[str, int]) -> None:
    inbox = (folder_of(FolderRole.INBOX).id,)
    assert found(store, inbox, '"budget later"') == [filled["lunch"]]
    assert set(found(store, inbox, "budget -spam ")) == {filled["budget"], filled["lunch"]}
    assert filled["spam"] not in found(store, inbox, "-deals ")  # exclusion alone
    assert set(found(store, inbox, "lunch OR travel ")) == {filled["lunch"], filled["travel"]}


async def test_flag_filters(store: Store, folder_of: FolderOf, filled: dict[str, int]) -> None:
    inbox = (folder_of(FolderRole.INBOX).id,)
    assert found(store, inbox, "has:attachment") == [filled["budget"]]
    assert found(store, inbox, "is:starred") == [filled["spam"]]
    assert found(store, inbox, "is:read") == [filled["spam"]]
    assert filled["spam"] not in found(store, inbox, "is:unread")


async def test_dates(store: Store, folder_of: FolderOf, filled: dict[str, int]) -> None:
    everything = tuple(f.id for f in store.reader.folders())
    assert found(store, everything, "after:2025-02-01") == [filled["travel"]]
    assert found(store, everything, "before:2025-01-01") == [filled["archived"]]
    assert found(store, everything, "budget before:2025-01-10") == [filled["archived"]]


async def test_all_mail_scope_and_in(store: Store, folder_of: FolderOf, filled: dict[str, int]) -> None:
    everything = tuple(f.id for f in store.reader.folders())
    assert filled["archived"] in found(store, everything, "budget ")
    assert filled["archived"] not in found(store, (folder_of(FolderRole.INBOX).id,), "budget ")
    assert found(store, everything, "budget in:archive") == [filled["archived"]]
    assert found(store, everything, "budget in:Archive") == [filled["archived"]]


async def test_date_order_and_row_of(store: Store, folder_of: FolderOf, filled: dict[str, int]) -> None:
    everything = tuple(f.id for f in store.reader.folders())
    newest_first = found(store, everything, "budget ", SortOrder(SortKey.DATE, descending=True))
    assert newest_first[-1] == filled["archived"]
    query = MessageQuery(everything, search=parse_search("budget "), by_relevance=False)
    assert store.reader.row_of(query, SortOrder(SortKey.DATE), filled["archived"]) == len(newest_first) - 1
    assert store.reader.row_of(query, SortOrder(SortKey.DATE), filled["travel"]) is None


async def test_results_follow_store_changes(store: Store, folder_of: FolderOf, filled: dict[str, int]) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    query = MessageQuery((inbox,), search=parse_search("budget "))
    before = store.reader.count(query)
    await store.messages.add(inbox, [mail("Another budget")])
    assert store.reader.count(query) == before + 1
    await store.messages.move([filled["lunch"]], folder_of(FolderRole.ARCHIVE).id)
    assert store.reader.count(query) == before


async def test_bodies_arriving_later_are_indexed(store: Store, folder_of: FolderOf) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    [mid], _ = await store.messages.add(inbox, [mail("Headers only", "", raw=None)])
    query = MessageQuery((inbox,), search=parse_search("zeppelin "))
    assert store.reader.count(query) == 0
    await store.sync.store_bodies([(mid, mail("Headers only", "a zeppelin flew by"))])
    assert store.reader.count(query) == 1


# --- property: whatever is typed, the SQL runs ----------------------------------------------------------------


@pytest.fixture(scope="module")
def search_db(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    path: Path = tmp_path_factory.mktemp("search") / "store.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, migrations_dir())
    conn.execute("INSERT INTO accounts (id, kind, name, created_at) VALUES (1, 'local', 'Local', 0)")
    conn.execute("INSERT INTO folders (id, account_id, path, role) VALUES (1, 1, 'Inbox', 'inbox')")
    conn.execute("INSERT INTO messages (id, account_id, folder_id, date, subject) VALUES (1, 1, 1, 0, 'hello')")
    conn.execute(
        "INSERT INTO messages_fts (rowid, subject, sender, recipients, cc, body) VALUES (1, 'hello', '', '', '', '')"
    )
    return conn


SYNTAX = st.sampled_from(['"', "-", ":", "*", "^", "(", ")", "NEAR", "AND", "OR", "NOT", "from:", "in:", "is:", " "])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300)
@given(st.lists(st.one_of(st.text(max_size=6), SYNTAX), max_size=12).map("".join))
def test_any_text_runs_without_sqlite_errors(search_db: sqlite3.Connection, text: str) -> None:
    reader = StoreReader(search_db)
    for by_relevance, order in ((True, SortOrder()), (False, SortOrder(SortKey.SENDER, descending=False))):
        query = MessageQuery((1,), search=parse_search(text), by_relevance=by_relevance)
        count = reader.count(query)
        assert len(reader.page(query, order, 0, 50)) == count


async def test_broad_searches_page_newest_first_like_a_full_sort(store: Store, folder_of: FolderOf) -> None:
    inbox, archive = folder_of(FolderRole.INBOX).id, folder_of(FolderRole.ARCHIVE).id
    # Ids and dates disagree on purpose (stored newest first, like an IMAP header sync), in two folders.
    for folder, first in ((inbox, 0), (archive, 600)):
        batch = [
            mail(f"common {'even' if i % 2 == 0 else 'odd'} {i}", date=JAN + (1200 - i) * 60)
            for i in range(first, first + 600)
        ]
        await store.messages.add(folder, batch)
    for text in ("common ", "even ", "common -odd "):
        query = MessageQuery((inbox, archive), search=parse_search(text), by_relevance=False)
        for offset in (0, 100):
            got = [s.id for s in store.reader.page(query, SortOrder(), offset, 100)]
            plan_sql = (
                "SELECT m.id FROM messages m WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts"
                " MATCH ?) ORDER BY m.date DESC, m.id DESC LIMIT 100 OFFSET ?"
            )
            expression = '"common" NOT ("odd")' if "-odd" in text else f'"{text.strip()}"'
            expected = [r[0] for r in store.db.reader.execute(plan_sql, (expression, offset))]
            assert got == expected and len(got) == 100


async def test_answers_from_a_worker_are_adopted_only_for_the_same_store(
    store: Store, folder_of: FolderOf, filled: dict[str, int]
) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    query = MessageQuery((inbox,), search=parse_search("budget "))

    def first_page(reader: StoreReader) -> object:
        reader.page(query, SortOrder(), 0, 50, reader.count(query))
        return reader.searches

    version = store.reader.searches.version()
    answers = await store.read(first_page)
    assert store.reader.searches.adopt(answers, version)  # type: ignore[arg-type]
    assert store.reader.count(query) == 3

    version = store.reader.searches.version()
    answers = await store.read(first_page)
    await store.messages.add(inbox, [mail("Budget again")])  # the store moved on meanwhile
    assert not store.reader.searches.adopt(answers, version)  # type: ignore[arg-type]
    assert store.reader.count(query) == 4
