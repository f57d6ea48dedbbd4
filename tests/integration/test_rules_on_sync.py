"""Rules on real synced mail (Dovecot): a message arriving by IDLE is sorted by a rule — starred and moved —
and both reach the server; a rule run on demand on a synced folder moves mail there too."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from imapclient import IMAPClient

from realmail_desktop.core.events import Changes
from realmail_desktop.sorting import SortingService
from realmail_desktop.store.rule_engine import ActionKind, Condition, ConditionField, Operator, Rule, RuleAction
from tests.integration.conftest import NewRun, OtherClient, append_messages
from tests.integration.sync_support import (
    SyncRun,
    expecting,
    folder_id,
    message,
    started,
    subscribed_folders,
    until,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def running(imap: IMAPClient, new_run: NewRun) -> AsyncIterator[tuple[SyncRun, SortingService]]:
    subscribed_folders(imap, "Reports")
    append_messages(imap, "INBOX", [message(n) for n in range(3)])
    run = await new_run()
    sorting = SortingService(run.store, run.bus)
    await sorting.start()
    try:
        async with started(run) as synced:
            yield synced, sorting
    finally:
        await sorting.stop()


def _server_flags(client: IMAPClient, folder: str, message_id: str) -> list[set[str]]:
    client.select_folder(folder, readonly=True)
    uids = client.search(["HEADER", "Message-ID", message_id])
    fetched = client.fetch(uids, ["FLAGS"]) if uids else {}
    client.unselect_folder()
    return [{f.decode() if isinstance(f, bytes) else str(f) for f in data[b"FLAGS"]} for data in fetched.values()]


async def test_a_rule_sorts_mail_arriving_by_idle_on_the_server(
    running: tuple[SyncRun, SortingService], other_client: OtherClient
) -> None:
    run, sorting = running
    reports = folder_id(run, "Reports")
    await run.store.rules.save(
        Rule(
            "reports",
            conditions=(Condition(ConditionField.SUBJECT, Operator.CONTAINS, "quarterly-report"),),
            actions=(RuleAction(ActionKind.STAR), RuleAction(ActionKind.MOVE, str(reports))),
        )
    )
    inbox = folder_id(run, "INBOX")
    async with expecting(run.bus, Changes, lambda c: inbox in c.folders and c.messages_added) as added:
        append_messages(other_client(), "INBOX", [message(200, tag="quarterly-report")])
    [new_id] = (await added).messages_added

    await until(run.bus, lambda: run.store.reader.message(new_id).folder_id == reports)  # type: ignore[union-attr]
    await sorting.settled()
    await run.synced()  # the queued star and move are replayed on the server
    summary, place = run.store.reader.message(new_id), run.store.reader.sync.message_place(new_id)
    assert summary is not None and summary.is_flagged
    assert place is not None and place[0].id == reports and place[1] is not None  # matched to its new UID there
    client = other_client()
    mid = "<quarterly-reportm200.INBOX@example.com>"
    assert _server_flags(client, "INBOX", mid) == []
    assert [("\\Flagged" in flags) for flags in _server_flags(client, "Reports", mid)] == [True]


async def test_run_now_on_a_synced_folder_reaches_the_server(
    running: tuple[SyncRun, SortingService], other_client: OtherClient
) -> None:
    run, sorting = running
    reports, inbox = folder_id(run, "Reports"), folder_id(run, "INBOX")
    rule = Rule(
        "sender 1",
        conditions=(Condition(ConditionField.FROM, Operator.IS, "sender1@example.com"),),
        actions=(RuleAction(ActionKind.MOVE, str(reports)),),
    )
    assert await sorting.preview_count(rule, inbox) == 1
    assert await sorting.run_on_folder([rule], inbox) == 1
    await run.synced()
    client = other_client()
    assert len(_server_flags(client, "Reports", "<m1.INBOX@example.com>")) == 1
    assert _server_flags(client, "INBOX", "<m1.INBOX@example.com>") == []
