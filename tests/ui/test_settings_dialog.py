"""Tools ▸ Settings…: what the dialog saves is in the store and takes effect at once (reader, mark as read,
the look); the Privacy page forgets trusted senders; the other pages open their dialogs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import shiboken6
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPushButton

from realmail_desktop.core.events import EventBus
from realmail_desktop.store import FolderRole, Store
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.desktop.desktop_settings import (
    MARK_READ_NEVER,
    ColorScheme,
    DesktopSettings,
    RemoteContent,
    load_settings,
)
from realmail_desktop.ui.desktop.look import apply_color_scheme, is_dark
from realmail_desktop.ui.dialogs.accounts_dialog import AccountsDialog
from realmail_desktop.ui.dialogs.settings_dialog import SettingsDialog
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.main_window import MainWindow

from .mail_samples import mail
from .qt_async import idle, next_emit, wait_for

pytestmark = pytest.mark.gui


@dataclass
class Desk:
    window: MainWindow
    store: Store
    ops: Ops
    bridge: EventBridge
    ids: list[int]

    async def open_and_save(self, change: object) -> DesktopSettings:
        self.window.window_actions.settings.trigger()
        [dialog] = self.window.findChildren(SettingsDialog)
        change(dialog)  # type: ignore[operator]
        saved = next_emit(dialog.settingsSaved)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        (settings,) = await wait_for(saved)
        await idle(self.ops)
        assert isinstance(settings, DesktopSettings)
        return settings

    async def show(self, message_id: int) -> None:
        shown = next_emit(self.window.reader.messageShown)
        assert self.window.message_list.select_ids([message_id], message_id)
        await wait_for(shown)
        await idle(self.ops)

    def seen(self, message_id: int) -> bool:
        summary = self.store.reader.message(message_id)
        assert summary is not None
        return summary.is_seen


@pytest.fixture
async def desk(store: Store, bus: EventBus) -> AsyncIterator[Desk]:
    account, _ = await store.accounts.create_local()
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert inbox is not None
    ids, _ = await store.messages.add(inbox.id, [mail(f"Message {i}", date=1_700_000_000 + i) for i in range(3)])
    ops = Ops()
    bridge = EventBridge(bus)
    window = MainWindow(store, MailTransfer(store, bus), bridge, ops)
    window.show()
    yield Desk(window, store, ops, bridge, ids)
    await ops.drain()
    window.close()
    await ops.drain()
    bridge.detach()
    shiboken6.delete(window)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_color_scheme(app, ColorScheme.SYSTEM)  # the look is the application's: leave it as found


async def test_saved_settings_are_in_the_store_and_apply_at_once(desk: Desk) -> None:
    def change(dialog: SettingsDialog) -> None:
        dialog.plain_text.setChecked(True)
        dialog.remote_content.setCurrentIndex(dialog.remote_content.findData(RemoteContent.LOAD.value))
        dialog.undo_send.setValue(25)
        dialog.close_to_tray.setChecked(True)
        dialog.quiet_hours.setChecked(True)
        dialog.quiet_from.setTime(QTime(21, 30))
        dialog.quiet_to.setTime(QTime(6, 45))
        dialog.group_above.setValue(7)

    saved = await desk.open_and_save(change)
    stored = load_settings(desk.store.reader.preferences.text)
    assert stored == saved
    assert (stored.plain_text, stored.remote_content, stored.undo_send_seconds) == (True, RemoteContent.LOAD, 25)
    assert (stored.quiet_from, stored.quiet_to, stored.group_above) == ("21:30", "06:45", 7)
    assert desk.store.reader.preferences.undo_send_seconds() == 25  # what the composer reads at each send
    # At once: the reader's View ▸ Plain text and remote content follow; the dialog reopens with the values.
    assert desk.window.reader.reader_actions.plain_text.isChecked()
    assert desk.window.reader.load_remote_always
    dialog = desk.window.settings_commands.open_settings()
    assert dialog.plain_text.isChecked() and dialog.quiet_hours.isChecked() and dialog.group_above.value() == 7
    dialog.reject()


async def test_mark_as_read_never_immediately_or_after_a_delay(desk: Desk) -> None:
    first, second, third = desk.ids
    await desk.open_and_save(lambda d: d.mark_read_delay.setValue(MARK_READ_NEVER))
    assert desk.window.settings_commands.settings.mark_read_delay == MARK_READ_NEVER
    await desk.show(first)
    assert not desk.seen(first)
    await desk.open_and_save(lambda d: d.mark_read_delay.setValue(0))
    await desk.show(second)
    assert desk.seen(second)
    await desk.open_and_save(lambda d: d.mark_read_delay.setValue(1))
    changed = next_emit(desk.bridge.storeChanged)
    await desk.show(third)
    assert not desk.seen(third)  # not yet: shown for less than a second
    await wait_for(changed)
    await idle(desk.ops)
    assert desk.seen(third)


async def test_privacy_page_forgets_removed_senders(desk: Desk) -> None:
    await desk.store.trust.trust("news@example.com")
    await desk.store.trust.trust("friend@example.org")

    def remove_news(dialog: SettingsDialog) -> None:
        assert [dialog.trusted.item(i).text() for i in range(dialog.trusted.count())] == [
            "friend@example.org",
            "news@example.com",
        ]
        dialog.trusted.setCurrentRow(1)
        dialog.remove_trusted.click()
        assert dialog.trusted.count() == 1

    await desk.open_and_save(remove_news)
    assert desk.store.reader.trusted_senders() == ["friend@example.org"]


async def test_other_pages_open_their_dialogs(desk: Desk) -> None:
    dialog = desk.window.settings_commands.open_settings()
    dialog.tabs.setCurrentIndex(5)
    assert dialog.tabs.tabText(5) == "Accounts"
    [arrange] = [b for b in dialog.tabs.currentWidget().findChildren(QPushButton) if "Arrange" in b.text()]
    arrange.click()
    assert len(desk.window.findChildren(AccountsDialog)) == 1  # Account ▸ Arrange accounts… opened
    desk.window.findChildren(AccountsDialog)[0].reject()
    dialog.reject()
    await idle(desk.ops)


async def test_dark_and_light_switch_and_system_follows_the_platform(desk: Desk) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert not is_dark(app)  # offscreen's palette is light
    await desk.open_and_save(lambda d: d.color_scheme.setCurrentIndex(d.color_scheme.findData("dark")))
    assert is_dark(app)
    assert desk.window.message_list.palette().base().color().lightness() < 100  # widgets follow
    await desk.open_and_save(lambda d: d.color_scheme.setCurrentIndex(d.color_scheme.findData("light")))
    assert not is_dark(app)
    await desk.open_and_save(lambda d: d.color_scheme.setCurrentIndex(d.color_scheme.findData("dark")))
    await desk.open_and_save(lambda d: d.color_scheme.setCurrentIndex(d.color_scheme.findData("system")))
    assert not is_dark(app)
    assert load_settings(desk.store.reader.preferences.text).color_scheme is ColorScheme.SYSTEM


async def test_close_to_tray_hides_the_window_and_quit_still_quits(desk: Desk) -> None:
    commands = desk.window.settings_commands
    commands.tray_available = True  # as on a desktop with a tray (offscreen has none)
    await desk.open_and_save(lambda d: d.close_to_tray.setChecked(True))
    closed: list[bool] = []
    desk.window.closed.connect(lambda: closed.append(True))
    desk.window.close()
    assert not desk.window.isVisible() and closed == []  # hidden, still running
    desk.window.show_and_raise()
    assert desk.window.isVisible()
    desk.window.window_actions.quit.trigger()
    assert closed == [True]


async def test_a_message_window_follows_the_reading_settings(desk: Desk) -> None:
    await desk.open_and_save(lambda d: d.plain_text.setChecked(True))
    await desk.show(desk.ids[0])
    reader_window = desk.window.open_in_window()
    assert reader_window is not None
    assert reader_window.reader.reader_actions.plain_text.isChecked()
    reader_window.close()
