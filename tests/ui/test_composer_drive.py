"""The composer and Google Drive: a file at or over the From account's Drive threshold says it will be sent as a
Drive link and does not count towards the size limit; choosing a From account without Drive takes that back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from realmail_desktop.mail.compose import FileAttachment
from realmail_desktop.store import Account, DriveSettings, ImapSecurity, ImapSettings, Store
from realmail_desktop.store.drive_uploads import MB
from realmail_desktop.ui.compose import ComposeCommands, ComposerStart, ComposerWindow, SentMessage
from realmail_desktop.ui.compose.attachment_panel import DriveLinkRole
from realmail_desktop.ui.ops import Ops

from .qt_async import idle, next_emit, wait_for

pytestmark = pytest.mark.gui

LINK_TEXT = "Will be sent as a Drive link"


def imap(user: str) -> ImapSettings:
    return ImapSettings(host="imap.example.com", port=993, security=ImapSecurity.TLS, username=user)


@dataclass
class Desk:
    store: Store
    ops: Ops
    window: QMainWindow
    composer: ComposerWindow
    work: Account  # Drive on, from 10 MB
    home: Account  # no Drive


@pytest.fixture
async def desk(store: Store, local_account: Account) -> AsyncIterator[Desk]:
    work, _ = await store.accounts.create_imap("Work", "ann@work.example", imap("ann"))
    home, _ = await store.accounts.create_imap("Home", "ann@home.example", imap("ann.home"))
    await store.drive.save_settings(work.id, DriveSettings(enabled=True, threshold=10 * MB))
    ops = Ops()
    window = QMainWindow()
    commands = ComposeCommands(window, store, ops, current_account=lambda: work.id)
    identities = await commands.identities()
    [from_work] = [i for i in identities if i.account_id == work.id]
    # A size limit of 10 MB: a 12 MB file inside the message (16 MB as base64) would be over it.
    start = ComposerStart(identities=tuple(identities), identity_id=from_work.id)
    composer = ComposerWindow(store, ops, start, size_limit=10 * MB, parent=window)
    window.show()
    composer.show()
    await idle(ops)  # the From account's Drive settings are read
    yield Desk(store, ops, window, composer, work, home)
    composer.autosave_timer.stop()
    await ops.drain()
    window.close()
    shiboken6.delete(window)


def shown_items(composer: ComposerWindow) -> list[tuple[str, bool]]:
    panel = composer.attachments.list
    return [(item.text(), bool(item.data(DriveLinkRole))) for item in map(panel.item, range(panel.count()))]


def visible_boxes() -> list[str]:
    return [w.objectName() for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


async def test_a_big_file_goes_as_a_drive_link_and_is_not_over_the_limit(desk: Desk) -> None:
    composer = desk.composer
    composer.attachments.add(FileAttachment("report.zip", b"\x00" * (12 * MB)))
    composer.attachments.add(FileAttachment("notes.txt", b"n" * MB))
    [(big, big_is_link), (small, small_is_link)] = shown_items(composer)
    assert big.startswith("report.zip (12.0 MB)") and LINK_TEXT in big and big_is_link
    assert small == "notes.txt (1.0 MB)" and not small_is_link
    big_item = composer.attachments.list.item(0)
    assert "10.0 MB" in big_item.toolTip() and not big_item.icon().isNull()
    assert composer.attachments.drive_links() == (composer.attachments.files[0],)
    total = composer.attachments.total_label.text()
    assert "1 as a Drive link" in total and "more than this account accepts" not in total

    composer.to_field.setText("bob@example.org")
    composer.editor.setPlainText("The report, as promised.")
    sent = next_emit(composer.sent)
    composer.send()
    assert "sizeLimitBox" not in visible_boxes()  # the big file does not travel inside the message
    (message,) = await wait_for(sent)
    assert isinstance(message, SentMessage) and message.outbox_id > 0
    await idle(desk.ops)


async def test_another_from_without_drive_takes_the_link_back(desk: Desk) -> None:
    composer = desk.composer
    composer.attachments.add(FileAttachment("report.zip", b"\x00" * (12 * MB)))
    assert LINK_TEXT in shown_items(composer)[0][0]

    [from_home] = [i for i in desk.store.reader.identities.all() if i.account_id == desk.home.id]
    composer.from_box.setCurrentIndex(composer.from_box.findData(from_home.id))
    await idle(desk.ops)
    assert shown_items(composer) == [("report.zip (12.0 MB)", False)]
    assert composer.attachments.list.item(0).icon().isNull()
    assert "more than this account accepts" in composer.attachments.total_label.text()
    composer.to_field.setText("bob@example.org")
    composer.send()
    box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "sizeLimitBox" and w.isVisible())
    assert isinstance(box, QMessageBox) and "(12.0 MB)" in box.text()  # inside the message now
    box.reject()

    [from_work] = [i for i in desk.store.reader.identities.all() if i.account_id == desk.work.id]
    composer.from_box.setCurrentIndex(composer.from_box.findData(from_work.id))
    await idle(desk.ops)
    assert shown_items(composer)[0][1] and "more than" not in composer.attachments.total_label.text()


async def test_a_small_file_stays_inside_and_removing_the_big_one_updates_the_total(desk: Desk) -> None:
    composer = desk.composer
    composer.attachments.add(FileAttachment("photo.jpg", b"j" * MB))
    assert shown_items(composer) == [("photo.jpg (1.0 MB)", False)]
    assert composer.attachments.total_label.text() == "1 attachment, 1.0 MB"
    composer.attachments.add(FileAttachment("video.mp4", b"v" * (10 * MB)))  # exactly the threshold: a link
    assert shown_items(composer)[1][1] and "1 as a Drive link" in composer.attachments.total_label.text()
    composer.attachments.list.item(1).setSelected(True)
    composer.attachments.remove_selected()
    assert composer.attachments.drive_links() == ()
    assert composer.attachments.total_label.text() == "1 attachment, 1.0 MB"
