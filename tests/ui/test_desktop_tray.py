"""Tray and new-mail notifications without a tray host: the badge, the menu, what is notified (and what not),
pausing, and a click that opens the message. Offscreen there is no tray (FIELD-NOTES), so the app must say so
and still decide everything."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
import shiboken6
from PySide6.QtGui import QColor, QIcon, QPixmap

from realmail_desktop.core.events import EventBus
from realmail_desktop.sorting.events import RuleNotification
from realmail_desktop.store import Account, FolderRole, RemoteFolder, Store
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.desktop.desktop_settings import DesktopSettings
from realmail_desktop.ui.desktop.desktop_shell import NO_TRAY, DesktopShell
from realmail_desktop.ui.desktop.notifications import NewMailNotifier
from realmail_desktop.ui.desktop.notify_policy import Notification, Viewing
from realmail_desktop.ui.desktop.tray import Tray, badge_pixel, badged_icon
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.main_window import MainWindow
from realmail_desktop.ui.views.reader_window import ReaderWindow

from .mail_samples import mail
from .qt_async import activate, idle
from .sync_stand_in import SETTINGS

pytestmark = pytest.mark.gui


async def imap_account(store: Store) -> Account:
    """An IMAP account with an Inbox and a Junk folder, as after a sync."""
    account, _ = await store.accounts.create_imap("Work", "ann@example.com", SETTINGS)
    remote = [
        RemoteFolder(remote_name="INBOX", path="Inbox", delimiter="/", role=FolderRole.INBOX, subscribed=True),
        RemoteFolder(remote_name="Junk", path="Junk", delimiter="/", role=FolderRole.JUNK, subscribed=True),
    ]
    await store.accounts.reconcile_folders(account.id, remote)
    return account


@dataclass
class Desk:
    window: MainWindow
    shell: DesktopShell
    store: Store
    ops: Ops
    bus: EventBus
    inbox: int
    junk: int
    notes: list[Notification]

    async def arrive(self, folder: int, *subjects: str, seen: bool = False) -> list[int]:
        now = int(time.time())
        ids, _ = await self.store.messages.add(folder, [mail(s, date=now - 60, seen=seen) for s in subjects])
        return ids


@pytest.fixture
async def desk(store: Store, bus: EventBus) -> AsyncIterator[Desk]:
    account = await imap_account(store)
    inbox, junk = (store.reader.folder_by_role(account.id, role) for role in (FolderRole.INBOX, FolderRole.JUNK))
    assert inbox is not None and junk is not None
    ops = Ops()
    bridge = EventBridge(bus)
    window = MainWindow(store, MailTransfer(store, bus), bridge, ops)
    shell = DesktopShell(window, store.reader, bridge, bus=bus)
    notes: list[Notification] = []
    shell.notifier.notified.connect(notes.append)
    yield Desk(window, shell, store, ops, bus, inbox.id, junk.id, notes)
    await ops.drain()
    shell.close()
    window.close()
    await ops.drain()
    bridge.detach()
    shiboken6.delete(window)


def test_badge_is_painted_on_the_icon(qtbot: Any) -> None:
    plain = QPixmap(64, 64)
    plain.fill(QColor("white"))
    icon = QIcon(plain)
    assert badge_pixel(badged_icon(icon, "")) == QColor("white")
    assert badge_pixel(badged_icon(icon, "7")).red() > 200 and badge_pixel(badged_icon(icon, "7")).green() < 100


def test_tray_menu_without_a_tray_host(qtbot: Any) -> None:
    tray = Tray(available=False)
    assert not tray.available
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["&Open RealMail", "&Compose", "Check &mail now", "&Pause notifications for 1 hour", "&Quit"]
    for action, signal in (
        (tray.open_action, tray.openRequested),
        (tray.compose_action, tray.composeRequested),
        (tray.check_action, tray.checkRequested),
        (tray.quit_action, tray.quitRequested),
    ):
        with qtbot.waitSignal(signal, timeout=1000):
            action.trigger()
    with qtbot.waitSignal(tray.pauseToggled, timeout=1000) as paused:
        tray.pause_action.trigger()
    assert paused.args == [True]
    assert tray.show_notification(Notification("t", "b", None, 1)) is False  # nowhere to show it
    tray.menu.deleteLater()


async def test_no_tray_is_said_once_in_the_status_bar_and_close_to_tray_is_off(desk: Desk) -> None:
    assert not desk.shell.tray.available
    assert desk.window.statusBar().currentMessage() == NO_TRAY
    desk.window.settings_commands.apply(DesktopSettings(close_to_tray=True), look=False)
    assert not desk.window.settings_commands.keep_running_in_tray()  # there is no tray to come back from


async def test_unread_count_follows_the_inboxes(desk: Desk) -> None:
    assert desk.shell.tray.unread == 0
    ids = await desk.arrive(desk.inbox, "One", "Two", "Three")
    await desk.arrive(desk.junk, "Junk")  # not counted: the badge is about the Inboxes
    assert desk.shell.tray.unread == 3
    await desk.store.messages.set_seen(ids[:2], True)
    assert desk.shell.tray.unread == 1
    assert badge_pixel(desk.shell.tray.icon).red() > 200


async def test_new_mail_is_notified_one_by_one_or_grouped_never_for_junk(desk: Desk) -> None:
    ids = await desk.arrive(desk.inbox, "Lunch?")
    assert [(n.title, n.body, n.message_id) for n in desk.notes] == [("Alice Smith", "Lunch?", ids[0])]
    await desk.arrive(desk.inbox, *(f"News {i}" for i in range(12)))
    assert desk.notes[-1].title == "12 new messages" and desk.notes[-1].message_id is None
    count = len(desk.notes)
    await desk.arrive(desk.junk, "Cheap pills")
    await desk.arrive(desk.inbox, "Read on the phone", seen=True)
    assert len(desk.notes) == count


async def test_none_for_the_inbox_in_view_while_the_window_is_active(desk: Desk) -> None:
    desk.window.select_folder(desk.inbox)
    await activate(desk.window)
    assert desk.shell.viewing() == Viewing(frozenset({desk.inbox}), window_active=True)
    await desk.arrive(desk.inbox, "Seen arriving")
    assert desk.notes == []
    desk.window.showMinimized()
    await desk.arrive(desk.inbox, "While away")
    assert [n.body for n in desk.notes] == ["While away"]


async def test_quiet_hours_and_pause(desk: Desk) -> None:
    hour = datetime.now().hour
    quiet = DesktopSettings(quiet_from=f"{hour:02}:00", quiet_to=f"{(hour + 1) % 24:02}:00")
    desk.window.settings_commands.apply(quiet, look=False)
    await desk.arrive(desk.inbox, "At night")
    assert desk.notes == []
    desk.window.settings_commands.apply(DesktopSettings(), look=False)
    desk.shell.tray.pause_action.trigger()
    assert desk.shell.notifier.paused_until is not None
    await desk.arrive(desk.inbox, "Paused")
    assert desk.notes == []
    desk.shell.tray.pause_action.trigger()  # resume
    await desk.arrive(desk.inbox, "Back")
    assert [n.body for n in desk.notes] == ["Back"]


async def test_a_pause_ends_after_an_hour(store: Store) -> None:
    account = await imap_account(store)
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert inbox is not None
    now = [datetime.now()]
    tray = Tray(available=False)
    notifier = NewMailNotifier(store.reader, tray, settings=DesktopSettings, viewing=Viewing, clock=lambda: now[0])
    tray.pause_action.trigger()
    ids, _ = await store.messages.add(inbox.id, [mail("Later", date=int(time.time()))])
    assert notifier.notify_about(ids) is None
    now[0] += timedelta(hours=1, seconds=1)
    assert notifier.notify_about(ids) is not None
    assert not tray.pause_action.isChecked()  # the menu shows it is over
    tray.menu.deleteLater()


async def test_a_rules_notify_action_shows_once_even_in_a_folder_in_view(desk: Desk) -> None:
    [junk_id] = await desk.arrive(desk.junk, "Server down")
    assert desk.notes == []  # Junk: no new-mail notification…
    desk.bus.publish(RuleNotification(junk_id, "Alerts", "desktop", "Monitor", "Server down"))
    assert [(n.title, n.body, n.message_id) for n in desk.notes] == [("Monitor", "Server down", junk_id)]
    desk.bus.publish(RuleNotification(junk_id, "Alerts", "desktop", "Monitor", "Server down"))
    desk.bus.publish(RuleNotification(junk_id + 1, "Alerts", "telegram", "Monitor", "Elsewhere"))
    assert len(desk.notes) == 1  # …but the rule's, once; Telegram's channel is not the tray's


async def test_clicking_a_notification_opens_its_message(desk: Desk) -> None:
    ids = await desk.arrive(desk.inbox, "Open me")
    desk.shell.tray.messageClicked.emit()
    await idle(desk.ops)
    windows = desk.window.findChildren(ReaderWindow)
    assert [w.reader.summary.subject for w in windows if w.reader.summary is not None] == ["Open me"]
    assert windows[0].reader.message_id == ids[0]
    assert desk.window.isVisible() and desk.window.current_folder_id() == desk.inbox
