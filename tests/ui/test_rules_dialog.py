"""The rules editor (Tools → Rules…) and the main window's sorting: invalid regexes caught inline, saving,
enabling, ordering, preview count, "Run now"; Inbox category buttons; Mark as junk."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from realmail_desktop.core.events import EventBus
from realmail_desktop.mail.categories import CATEGORY_HINTS, Category
from realmail_desktop.sorting import SortingService, Unsubscriber
from realmail_desktop.store import Account, FolderRole, Store
from realmail_desktop.store.rule_engine import ActionKind, Condition, ConditionField, Operator, Rule, RuleAction
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.dialogs.rules_dialog import RulesDialog
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.main_window import MainWindow
from tests.unit.sorting.mail_for_rules import raw_mail, store_mail

from .qt_async import idle, next_emit, wait_for

pytestmark = pytest.mark.gui


@pytest.fixture
async def dialog(qtbot: Any, store: Store, bus: EventBus, local_account: Account) -> AsyncIterator[RulesDialog]:
    ops = Ops()
    inbox = store.reader.folder_by_role(local_account.id, FolderRole.INBOX)
    assert inbox is not None
    shown = RulesDialog(store, ops, SortingService(store, bus), folder_id=inbox.id)
    qtbot.addWidget(shown)
    shown.show()
    yield shown
    await ops.drain()


async def test_write_a_rule_with_a_bad_regex_then_fix_and_save(dialog: RulesDialog, store: Store) -> None:
    assert dialog.rule_list.count() == 0 and len(dialog.condition_rows) == 1  # a new rule to start with
    dialog.name.setText("Invoices")
    row = dialog.condition_rows[0]
    row.field.setCurrentIndex(row.field.findData(ConditionField.SUBJECT.value))
    row.operator.setCurrentIndex(row.operator.findData(Operator.MATCHES.value))
    row.value.setText("invoice (\\d+")
    assert dialog.error_label.isVisibleTo(dialog)
    assert "not a valid pattern" in dialog.error_label.text()
    assert not dialog.save_button.isEnabled() and not dialog.preview_button.isEnabled()
    row.value.setText("(a+)+")
    assert "repeats a repetition" in dialog.error_label.text()
    row.value.setText(r"invoice \d+")
    assert not dialog.error_label.isVisibleTo(dialog) and dialog.save_button.isEnabled()
    action = dialog.action_rows[0]
    action.kind.setCurrentIndex(action.kind.findData(ActionKind.TAG.value))
    assert not dialog.save_button.isEnabled()  # a tag needs its name
    action.text.setText("Bills")
    dialog.scope.setCurrentIndex(dialog.scope.findData(1))  # the Local Folders account only
    saved = next_emit(dialog.rulesChanged)
    dialog.save_button.click()
    await wait_for(saved)
    (rule,) = store.reader.rules.all()
    assert rule.name == "Invoices" and rule.match_all
    assert rule.conditions == (Condition(ConditionField.SUBJECT, Operator.MATCHES, r"invoice \d+"),)
    assert rule.actions == (RuleAction(ActionKind.TAG, "Bills"),)
    assert rule.scope_accounts == (1,)
    assert dialog.rule_list.count() == 1 and dialog.rule_list.currentItem().text() == "Invoices"


async def test_enable_order_and_delete(dialog: RulesDialog, store: Store) -> None:
    star = (RuleAction(ActionKind.STAR),)
    cond = (Condition(ConditionField.HAS_ATTACHMENT),)
    first = await store.rules.save(Rule("first", conditions=cond, actions=star))
    second = await store.rules.save(Rule("second", conditions=cond, actions=star, scope_folders=(99,)))
    dialog._reload()  # rules written behind the dialog's back
    assert [dialog.rule_list.item(i).text() for i in range(2)] == ["first", "second"]
    changed = next_emit(dialog.rulesChanged)
    dialog.rule_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    await wait_for(changed)
    assert store.reader.rules.rule(first).enabled is False  # type: ignore[union-attr]
    dialog.rule_list.setCurrentRow(1)
    assert dialog.name.text() == "second"
    assert dialog.rule().scope_folders == (99,)  # kept through the editor
    moved = next_emit(dialog.rulesChanged)
    dialog.up_button.click()
    await wait_for(moved)
    assert [r.id for r in store.reader.rules.all()] == [second, first]
    assert dialog.rule_list.currentItem().text() == "second"
    deleted = next_emit(dialog.rulesChanged)
    dialog.delete_button.click()
    await wait_for(deleted)
    assert [r.id for r in store.reader.rules.all()] == [first]


async def test_preview_count_and_run_now(dialog: RulesDialog, store: Store, local_account: Account) -> None:
    inbox = store.reader.folder_by_role(local_account.id, FolderRole.INBOX)
    assert inbox is not None
    rows = await store_mail(
        store,
        inbox.id,
        *[raw_mail(sender="bot@builds.example", subject=f"build {n}", date=1_000 + n) for n in range(3)],
        raw_mail(subject="lunch", date=2_000),
    )
    dialog.name.setText("Builds")
    row = dialog.condition_rows[0]
    row.operator.setCurrentIndex(row.operator.findData(Operator.DOMAIN.value))
    row.value.setText("builds.example")
    action = dialog.action_rows[0]
    action.kind.setCurrentIndex(action.kind.findData(ActionKind.STAR.value))
    counted = next_emit(dialog.previewCounted)
    dialog.preview_button.click()
    assert await wait_for(counted) == (3,)
    assert "would match 3 messages" in dialog.preview_label.text()
    ran = next_emit(dialog.ranOnFolder)
    dialog.run_button.click()
    assert await wait_for(ran) == (3,)
    assert [store.reader.message(r).is_flagged for r in rows] == [True, True, True, False]  # type: ignore[union-attr]


async def test_window_categories_rules_menu_and_junk(qtbot: Any, store: Store, bus: EventBus) -> None:
    account, _ = await store.accounts.create_local()
    folders = {f.role: f.id for f in store.reader.folders(account.id) if f.role is not None}
    person, news = await store_mail(
        store,
        folders[FolderRole.INBOX],
        raw_mail(subject="lunch?", date=1_000),
        raw_mail(sender="news@shop.example", subject="Sale", extra="Precedence: bulk\r\n", date=2_000),
    )
    ops = Ops()
    bridge = EventBridge(bus)
    window = MainWindow(store, MailTransfer(store, bus), bridge, ops)
    qtbot.addWidget(window)
    sorting = SortingService(store, bus)
    window.set_sorting(sorting, Unsubscriber(store))
    window.show()
    try:
        commands = window.sorting_commands
        assert commands is not None
        bar = commands.category_bar
        assert bar.isVisible()  # All Inboxes
        assert bar.buttons[Category.UPDATES.value].toolTip() == CATEGORY_HINTS[Category.UPDATES]
        model = window.message_model
        reloaded = next_emit(model.reloaded)
        bar.buttons[Category.PEOPLE.value].click()
        await wait_for(reloaded)
        assert [model.message_id_at(r) for r in range(model.rowCount())] == [person]
        reloaded = next_emit(model.reloaded)
        bar.buttons[""].click()
        await wait_for(reloaded)
        assert model.rowCount() == 2
        tools = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Tools")
        assert window.window_actions.rules in tools.actions() and window.window_actions.rules.isEnabled()
        dialog = commands.open_rules()
        assert isinstance(dialog, RulesDialog) and dialog.isVisible()
        dialog.close()
        window.select_folder(folders[FolderRole.JUNK])
        assert not bar.isVisible()  # categories belong to Inboxes
        window.select_folder(folders[FolderRole.INBOX])
        assert window.message_list.select_ids([news], news)
        window.window_actions.mark_junk.trigger()
        await idle(ops)
        assert store.reader.message(news).folder_id == folders[FolderRole.JUNK]  # type: ignore[union-attr]
        assert store.reader.junk.totals() == (1, 0)
    finally:
        await ops.drain()
        bridge.detach()
