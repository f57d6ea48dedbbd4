"""A rule's "notify on Telegram" action reaches the paired phone through the bridge (app/rule_notifications.py),
for mail the bridge itself does not watch."""

from __future__ import annotations

from realmail_desktop.app.rule_notifications import telegram_notify
from realmail_desktop.bridges.telegram import TelegramBridge
from realmail_desktop.core.events import EventBus
from realmail_desktop.sorting import RuleNotification, SortingService
from realmail_desktop.store import Account, FolderRole, Store
from realmail_desktop.store.rule_engine import ActionKind, Condition, ConditionField, Operator, Rule, RuleAction
from tests.servers.telegram import FakeBotApi
from tests.unit.bridges.conftest import OWNER
from tests.unit.bridges.telegram_support import bot_call, deliver, raw_mail


async def test_a_rule_notifies_on_telegram(
    paired: TelegramBridge, bot_api: FakeBotApi, store: Store, bus: EventBus, account: Account
) -> None:
    archive = store.reader.folder_by_role(account.id, FolderRole.ARCHIVE)
    assert archive is not None  # not watched by the bridge: only the rule speaks of it
    heard: list[RuleNotification] = []
    bus.subscribe(RuleNotification, heard.append)
    sorting = SortingService(store, bus, telegram_notify=telegram_notify(paired, store))
    await store.rules.save(
        Rule(
            "tell my phone",
            conditions=(Condition(ConditionField.SUBJECT, Operator.CONTAINS, "server down"),),
            actions=(RuleAction(ActionKind.NOTIFY, "telegram"),),
            scope_folders=(archive.id,),
        )
    )
    await sorting.start()
    try:
        row = await deliver(store, archive.id, raw_mail("Alert: server down"))
        call = await bot_call(
            bot_api, lambda c: c.method == "sendMessage" and c.chat_id == OWNER.chat_id and "server down" in c.text
        )
        await sorting.settled()
    finally:
        await sorting.stop()
    assert "Mark read" in [label for label, _ in call.buttons()]
    assert [(n.message_id, n.channel) for n in heard] == [(row, "telegram")]
