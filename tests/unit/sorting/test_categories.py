"""Built-in Inbox categories: decided from headers at store time (full and header-only rows), kept in the
store, and a filter of the message list (store/reader.py MessageQuery.category)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from realmail_desktop.mail.categories import CATEGORY_HINTS, Category, category_of
from realmail_desktop.store import Folder, FolderRole, MessageQuery, SortOrder, Store
from tests.unit.sorting.mail_for_rules import raw_mail, store_mail


@pytest.mark.parametrize(
    ("sender", "headers", "expected"),
    [
        ("ann@example.org", {}, Category.PEOPLE),
        ("news@shop.example", {"list_unsubscribe": "<mailto:u@shop.example>"}, Category.UPDATES),
        ("team@lists.example", {"list_id": "team.lists.example"}, Category.UPDATES),
        ("deals@shop.example", {"precedence": "bulk"}, Category.UPDATES),
        ("no-reply@bank.example", {}, Category.UPDATES),
        ("donotreply@bank.example", {}, Category.UPDATES),
        ("builds@ci.example", {"auto_submitted": "auto-generated"}, Category.NOTIFICATIONS),
        ("ann@example.org", {"auto_submitted": "no"}, Category.PEOPLE),
        ("notifications@github.example", {"list_id": "repo.github.example"}, Category.NOTIFICATIONS),
        ("MAILER-DAEMON@mx.example", {}, Category.NOTIFICATIONS),
        ("ann@example.org", {"precedence": "auto_reply"}, Category.NOTIFICATIONS),
    ],
)
def test_category_of_headers(sender: str, headers: dict[str, str], expected: Category) -> None:
    assert category_of(sender, **headers) is expected


def test_every_category_is_explained() -> None:
    assert set(CATEGORY_HINTS) == set(Category)
    assert all(len(hint) > 20 for hint in CATEGORY_HINTS.values())


async def test_categories_are_stored_and_filter_the_list(
    store: Store, folder_of: Callable[[FolderRole], Folder]
) -> None:
    inbox = folder_of(FolderRole.INBOX)
    people, news, alert = await store_mail(
        store,
        inbox.id,
        raw_mail(subject="lunch?", date=1_000),
        raw_mail(
            sender="news@shop.example",
            subject="Sale",
            extra=(
                "List-Unsubscribe: <https://shop.example/u/1>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            ),
            date=2_000,
        ),
        raw_mail(
            sender="ci@builds.example", subject="Build failed", extra="Auto-Submitted: auto-generated\r\n", date=3_000
        ),
    )
    (header_only,) = await store_mail(
        store, inbox.id, raw_mail(sender="x@y.example", extra="Precedence: bulk\r\n", date=4_000), headers_only=True
    )
    order = SortOrder()

    def listed(category: str | None) -> list[int]:
        query = MessageQuery((inbox.id,), category=category, threads=True)
        count = store.reader.count(query)
        rows = [s.id for s in store.reader.page(query, order, 0, 50)]
        assert count == len(rows)
        for row in rows:
            assert store.reader.row_of(query, order, row) == rows.index(row)
        return rows

    assert listed("people") == [people]
    assert listed("updates") == [header_only, news]
    assert listed("notifications") == [alert]
    assert store.reader.row_of(MessageQuery((inbox.id,), category="people"), order, news) is None
    assert store.reader.rules.unsubscribe_header(news) == ("<https://shop.example/u/1>", True)


def test_the_header_fast_path_asks_for_the_category_headers() -> None:
    from realmail_desktop.sync.imap_commands import HEADER_FIELDS

    for name in ("LIST-UNSUBSCRIBE", "LIST-UNSUBSCRIBE-POST", "PRECEDENCE", "AUTO-SUBMITTED", "LIST-ID"):
        assert f" {name}" in HEADER_FIELDS
