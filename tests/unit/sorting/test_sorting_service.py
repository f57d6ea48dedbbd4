"""The sorting service on a real store: rules on new mail (now, or once the body is here), stop processing,
each action, preview counts and "Run now" on a folder, rules kept in the store."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from realmail_desktop.core.events import EventBus
from realmail_desktop.ingest import new_message
from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.sources import Flag
from realmail_desktop.sorting import RuleNotification, SortingService
from realmail_desktop.store import (
    Account,
    Folder,
    FolderRole,
    ImapSecurity,
    ImapSettings,
    RemoteFolder,
    RemoteOpKind,
    Store,
)
from realmail_desktop.store.rule_engine import (
    ActionKind,
    Condition,
    ConditionField,
    Operator,
    Rule,
    RuleAction,
    RuleError,
)
from tests.unit.sorting.mail_for_rules import raw_mail, store_mail

SETTINGS = ImapSettings(host="127.0.0.1", port=993, security=ImapSecurity.TLS, username="me")
FolderOf = Callable[[FolderRole], Folder]


def subject_has(text: str) -> tuple[Condition, ...]:
    return (Condition(ConditionField.SUBJECT, Operator.CONTAINS, text),)


@pytest.fixture
async def sorting(store: Store, bus: EventBus) -> SortingService:
    service = SortingService(store, bus)
    await service.start()
    yield service  # type: ignore[misc]
    await service.stop()


async def test_rules_live_in_the_store_in_order(store: Store) -> None:
    star = (RuleAction(ActionKind.STAR),)
    first = await store.rules.save(Rule("first", conditions=subject_has("a"), actions=star))
    second = await store.rules.save(
        Rule("second", conditions=subject_has("b"), actions=star, match_all=False, stop_processing=True)
    )
    await store.rules.move(second, -1)
    await store.rules.set_enabled(first, False)
    rules = store.reader.rules.all()
    assert [(r.name, r.enabled) for r in rules] == [("second", True), ("first", False)]
    assert rules[0].stop_processing and not rules[0].match_all
    assert rules[0].conditions == subject_has("b")
    await store.rules.save(rules[0].__class__(**{**_fields(rules[0]), "name": "renamed"}))
    assert store.reader.rules.rule(second) is not None
    assert store.reader.rules.rule(second).name == "renamed"  # type: ignore[union-attr]
    await store.rules.delete(first)
    assert [r.id for r in store.reader.rules.all()] == [second]
    with pytest.raises(RuleError):
        await store.rules.save(
            Rule("bad", conditions=(Condition(ConditionField.SUBJECT, Operator.MATCHES, "(["),), actions=star)
        )


def _fields(rule: Rule) -> dict[str, object]:
    return {name: getattr(rule, name) for name in rule.__dataclass_fields__}


async def test_new_mail_is_sorted_as_it_arrives(store: Store, sorting: SortingService, folder_of: FolderOf) -> None:
    archive = folder_of(FolderRole.ARCHIVE)
    await store.rules.save(
        Rule(
            "reports",
            conditions=(Condition(ConditionField.FROM, Operator.DOMAIN, "reports.example"),),
            actions=(
                RuleAction(ActionKind.STAR),
                RuleAction(ActionKind.TAG, "Reports"),
                RuleAction(ActionKind.MOVE, str(archive.id)),
            ),
        )
    )
    await store.rules.save(
        Rule("never reached", conditions=subject_has("weekly"), actions=(RuleAction(ActionKind.MARK_READ),))
    )
    inbox = folder_of(FolderRole.INBOX)
    ours, other = await store_mail(
        store,
        inbox.id,
        raw_mail(sender="bot@reports.example", subject="weekly numbers"),
        raw_mail(sender="ann@example.org", subject="weekly lunch"),
    )
    await sorting.settled()
    moved = store.reader.message(ours)
    assert moved is not None and moved.folder_id == archive.id and moved.is_flagged
    assert moved.keywords == ("Reports",)
    assert not moved.is_seen  # the move ended its rules: "never reached" did not run on it
    stayed = store.reader.message(other)
    assert stayed is not None and stayed.folder_id == inbox.id and stayed.is_seen


async def test_stop_processing_ends_the_rules(store: Store, sorting: SortingService, folder_of: FolderOf) -> None:
    await store.rules.save(
        Rule("stop", conditions=subject_has("x"), actions=(RuleAction(ActionKind.STAR),), stop_processing=True)
    )
    await store.rules.save(Rule("read", conditions=subject_has("x"), actions=(RuleAction(ActionKind.MARK_READ),)))
    await store.rules.save(
        Rule(
            "stop action",
            conditions=subject_has("y"),
            actions=(RuleAction(ActionKind.STOP), RuleAction(ActionKind.STAR)),
        )
    )
    (x, y) = await store_mail(store, folder_of(FolderRole.INBOX).id, raw_mail(subject="x"), raw_mail(subject="y"))
    await sorting.settled()
    first, second = store.reader.message(x), store.reader.message(y)
    assert first is not None and first.is_flagged and not first.is_seen
    assert second is not None and not second.is_flagged


async def test_old_mail_and_other_folders_are_left_alone(
    store: Store, sorting: SortingService, folder_of: FolderOf
) -> None:
    await store.rules.save(Rule("star", conditions=subject_has("x"), actions=(RuleAction(ActionKind.STAR),)))
    (old,) = await store_mail(store, folder_of(FolderRole.INBOX).id, raw_mail(subject="x", date=86400 * 365))
    (elsewhere,) = await store_mail(store, folder_of(FolderRole.ARCHIVE).id, raw_mail(subject="x"))
    await sorting.settled()
    assert not store.reader.message(old).is_flagged  # type: ignore[union-attr]
    assert not store.reader.message(elsewhere).is_flagged  # type: ignore[union-attr]


async def test_body_rules_wait_for_the_body(store: Store, sorting: SortingService, folder_of: FolderOf) -> None:
    await store.rules.save(
        Rule(
            "invoices",
            conditions=(Condition(ConditionField.BODY, Operator.MATCHES, r"invoice \d+"),),
            actions=(RuleAction(ActionKind.STAR),),
        )
    )
    raw = raw_mail(subject="hi", body="Your invoice 4711 is due.")
    (row,) = await store_mail(store, folder_of(FolderRole.INBOX).id, raw, headers_only=True)
    await sorting.settled()
    assert not store.reader.message(row).is_flagged  # type: ignore[union-attr]
    await store.sync.store_bodies([(row, new_message(read_envelope(raw), raw, Flag(0)))])
    await sorting.settled()
    assert store.reader.message(row).is_flagged  # type: ignore[union-attr]


async def test_copy_delete_and_notify(
    store: Store, bus: EventBus, sorting: SortingService, folder_of: FolderOf
) -> None:
    heard: list[RuleNotification] = []
    bus.subscribe(RuleNotification, heard.append)
    archive, trash = folder_of(FolderRole.ARCHIVE), folder_of(FolderRole.TRASH)
    await store.rules.save(
        Rule(
            "keep a copy and tell me",
            conditions=subject_has("copy me"),
            actions=(RuleAction(ActionKind.COPY, str(archive.id)), RuleAction(ActionKind.NOTIFY, "desktop")),
        )
    )
    await store.rules.save(Rule("bin", conditions=subject_has("bin me"), actions=(RuleAction(ActionKind.DELETE),)))
    inbox = folder_of(FolderRole.INBOX)
    copied, binned = await store_mail(
        store, inbox.id, raw_mail(subject="copy me", sender="Zoe <zoe@example.org>"), raw_mail(subject="bin me")
    )
    await sorting.settled()
    assert store.reader.message(copied).folder_id == inbox.id  # type: ignore[union-attr]
    copies = store.reader.rules.folder_message_ids(archive.id)
    assert len(copies) == 1
    copy = store.reader.message(copies[0])
    assert copy is not None and copy.subject == "copy me"
    assert store.reader.raw_message(copy.id) == store.reader.raw_message(copied)
    assert store.reader.message(binned).folder_id == trash.id  # type: ignore[union-attr]
    assert [(n.message_id, n.rule_name, n.channel, n.sender) for n in heard] == [
        (copied, "keep a copy and tell me", "desktop", "Zoe")
    ]


async def imap_account(store: Store) -> tuple[Account, dict[FolderRole, int]]:
    account, _ = await store.accounts.create_imap("Work", "me@example.net", SETTINGS)
    await store.accounts.reconcile_folders(
        account.id,
        [
            RemoteFolder(remote_name="INBOX", path="Inbox", delimiter="/", role=FolderRole.INBOX),
            RemoteFolder(remote_name="Archive", path="Archive", delimiter="/", role=FolderRole.ARCHIVE),
        ],
    )
    folders = {f.role: f.id for f in store.reader.folders(account.id) if f.role is not None}
    return account, folders


async def test_forward_goes_through_the_outbox(store: Store, sorting: SortingService) -> None:
    _account, folders = await imap_account(store)
    await store.rules.save(
        Rule("fwd", conditions=subject_has("pass on"), actions=(RuleAction(ActionKind.FORWARD, "boss@example.com"),))
    )
    await store_mail(store, folders[FolderRole.INBOX], raw_mail(subject="pass on", body="the figures"))
    await sorting.settled()
    (item,) = store.reader.outbox.items()
    assert item.recipients == ("boss@example.com",)
    raw = store.reader.outbox.raw(item.message_row)
    assert raw is not None
    assert b"From: Work <me@example.net>" in raw and b"the figures" in raw and b"Subject: Fwd: pass on" in raw


async def test_a_forward_to_oneself_does_not_go_round(store: Store, sorting: SortingService) -> None:
    _account, folders = await imap_account(store)
    await store.rules.save(
        Rule("fwd", conditions=subject_has("loop"), actions=(RuleAction(ActionKind.FORWARD, "me@example.net"),))
    )
    await store_mail(store, folders[FolderRole.INBOX], raw_mail(subject="loop"))
    await sorting.settled()
    (item,) = store.reader.outbox.items()
    raw = store.reader.outbox.raw(item.message_row)
    assert raw is not None
    # The forward arrives back in the Inbox from the person's own address: it is not forwarded again.
    await store_mail(store, folders[FolderRole.INBOX], raw.replace(b"Message-ID: <", b"Message-ID: <back-"))
    await sorting.settled()
    assert len(store.reader.outbox.items()) == 1


async def test_a_rule_whose_folder_is_gone_leaves_the_rest_done(
    store: Store, sorting: SortingService, folder_of: FolderOf
) -> None:
    await store.rules.save(
        Rule(
            "gone",
            conditions=subject_has("x"),
            actions=(RuleAction(ActionKind.STAR), RuleAction(ActionKind.MOVE, "9999")),
        )
    )
    inbox = folder_of(FolderRole.INBOX)
    (row,) = await store_mail(store, inbox.id, raw_mail(subject="x"))
    await sorting.settled()
    summary = store.reader.message(row)
    assert summary is not None and summary.is_flagged and summary.folder_id == inbox.id


async def test_copy_into_an_imap_folder_queues_an_append(store: Store, sorting: SortingService) -> None:
    account, folders = await imap_account(store)
    await store.rules.save(
        Rule(
            "copy",
            conditions=subject_has("keep"),
            actions=(RuleAction(ActionKind.COPY, str(folders[FolderRole.ARCHIVE])),),
        )
    )
    await store_mail(store, folders[FolderRole.INBOX], raw_mail(subject="keep"))
    await sorting.settled()
    (copy,) = store.reader.rules.folder_message_ids(folders[FolderRole.ARCHIVE])
    ops = await store.read(lambda r: r.sync.pending_ops(account.id))
    appends = [op for op in ops if op.kind is RemoteOpKind.APPEND]
    assert [op.rows for op in appends] == [(copy,)]


async def test_preview_count_and_run_now(store: Store, sorting: SortingService, folder_of: FolderOf) -> None:
    await sorting.stop()  # mail already there, rules run by hand
    archive = folder_of(FolderRole.ARCHIVE)
    rows = await store_mail(
        store,
        archive.id,
        *[raw_mail(subject=f"sale {n}", sender="shop@deals.example") for n in range(5)],
        *[raw_mail(subject=f"note {n}") for n in range(3)],
    )
    rule = Rule(
        "sales",
        conditions=(Condition(ConditionField.FROM, Operator.DOMAIN, "deals.example"),),
        actions=(RuleAction(ActionKind.MARK_READ),),
        scope_folders=(9999,),  # the folder chosen for "Run now" wins over the scope
    )
    assert await sorting.preview_count(rule, archive.id) == 5
    assert await sorting.run_on_folder([rule], archive.id) == 5
    seen = [store.reader.message(r).is_seen for r in rows]  # type: ignore[union-attr]
    assert seen == [True] * 5 + [False] * 3
