"""The composer over a real store: send hands the exact bytes to the outbox, completion ranks contacts, a bad
address or a forgotten attachment stops the send, autosave replaces the draft, undo takes a message back,
a reply answers from the identity the original was sent to, and a draft reopens in a composer."""

from __future__ import annotations

import email
import email.parser
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QDateTime, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from realmail_desktop.ingest.conversion import new_message
from realmail_desktop.mail.compose import Draft, FileAttachment, build_message
from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.headers import Address
from realmail_desktop.mail.reply import AnswerKind
from realmail_desktop.mail.sources import Flag
from realmail_desktop.store import Account, FolderRole, ImapSecurity, ImapSettings, Store
from realmail_desktop.ui.compose import ComposeCommands, ComposerStart, ComposerWindow, SentMessage
from realmail_desktop.ui.compose.send_checks import SEND_ANYWAY
from realmail_desktop.ui.ops import Ops

from .qt_async import activate, idle, next_emit, wait_for
from .test_shortcuts import unnamed_controls

pytestmark = pytest.mark.gui

SETTINGS = ImapSettings(host="imap.example.com", port=993, security=ImapSecurity.TLS, username="ann")


@dataclass
class Desk:
    store: Store
    ops: Ops
    window: QMainWindow
    commands: ComposeCommands
    account: Account


@pytest.fixture
async def desk(store: Store, local_account: Account) -> AsyncIterator[Desk]:
    # An IMAP account without folders yet: its drafts go to Local Folders' Drafts (kept here only).
    account, _ = await store.accounts.create_imap("Work", "ann@example.com", SETTINGS)
    ops = Ops()
    window = QMainWindow()
    commands = ComposeCommands(window, store, ops, current_account=lambda: account.id)
    window.show()
    yield Desk(store, ops, window, commands, account)
    for composer in window.findChildren(ComposerWindow):
        composer.autosave_timer.stop()
    await ops.drain()
    window.close()
    shiboken6.delete(window)


async def open_composer(desk: Desk, **start: object) -> ComposerWindow:
    identities = await desk.commands.identities()
    composer = ComposerWindow(
        desk.store, desk.ops, ComposerStart(identities=tuple(identities), **start), undo_seconds=10, parent=desk.window
    )
    composer.show()
    return composer


def visible_box(name: str) -> QMessageBox:
    [box] = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.isVisible() and w.objectName() == name
    ]
    return box


def outbox_raw(store: Store) -> list[bytes]:
    items = store.reader.outbox.items()
    return [raw for item in items if (raw := store.reader.raw_message(item.message_row)) is not None]


async def test_send_enqueues_exactly_the_built_bytes_with_bcc_only_in_the_envelope(desk: Desk) -> None:
    composer = await open_composer(desk)
    composer.to_field.setText("Bob <bob@example.org>")
    composer.bcc_field.setText("boss@example.org")
    composer.subject_field.setText("Grüße")
    composer.plain_action.setChecked(True)
    composer.editor.setPlainText("Hello Bob,\nsee you.")
    sent_future = next_emit(composer.sent)
    composer.send_action.trigger()
    (sent,) = await wait_for(sent_future)
    assert isinstance(sent, SentMessage)
    [item] = desk.store.reader.outbox.items()
    assert item.id == sent.outbox_id and item.account_id == desk.account.id
    assert desk.store.reader.raw_message(item.message_row) == sent.built.raw  # byte for byte
    assert item.recipients == ("bob@example.org", "boss@example.org")
    assert item.mail_from == "ann@example.com"
    assert item.send_at == pytest.approx(sent.send_at) and sent.send_at > item.queued_at + 9
    message = email.parser.BytesParser(policy=policy.default).parsebytes(sent.built.raw)
    assert message["Subject"] == "Grüße" and message["Bcc"] is None
    assert message["Message-ID"] == composer.message_id
    assert "Hello Bob," in message.get_content()
    assert not composer.isVisible()


async def test_completion_lists_contacts_most_used_first(desk: Desk) -> None:
    await desk.store.contacts.learn([("Alice Rare", "alice.rare@example.org")], 100)
    for when in range(5):
        await desk.store.contacts.learn([("Alice Often", "alice@example.org")], 200 + when)
    await desk.store.contacts.learn([("Bob", "bob@example.org")], 300)
    composer = await open_composer(desk)
    composer.to_field.setFocus()
    composer.to_field.setText("carol@example.net, ")
    composer.to_field.end(False)
    composer.to_field.textEdited.emit(composer.to_field.text())  # as typing does
    for key in "ali":
        composer.to_field.insert(key)
        composer.to_field.textEdited.emit(composer.to_field.text())
    assert composer.to_field.suggestions.stringList() == [
        "Alice Often <alice@example.org>",
        "Alice Rare <alice.rare@example.org>",
    ]
    popup = composer.to_field.completer_popup.popup()
    assert popup is not None and popup.isVisible()
    composer.to_field.insert_suggestion("Alice Often <alice@example.org>")
    assert composer.to_field.text() == "carol@example.net, Alice Often <alice@example.org>, "
    assert composer.to_field.recipients().ok


async def test_an_invalid_address_is_marked_and_not_sent(desk: Desk) -> None:
    composer = await open_composer(desk)
    composer.to_field.setText("bob@example.org")
    composer.cc_field.setText("Kim <kim@>, carol")
    composer.editor.setPlainText("Hi")
    composer.send()
    box = visible_box("invalidAddressBox")
    assert "kim@" in box.text() and "carol" in box.text()
    assert composer.cc_field.property("invalid") is True and composer.to_field.property("invalid") is False
    box.accept()
    await idle(desk.ops)
    assert desk.store.reader.outbox.items() == [] and composer.isVisible()
    composer.cc_field.setText("kim@example.com")
    assert composer.cc_field.property("invalid") is False  # fixed: the mark goes


async def test_a_mentioned_but_missing_attachment_asks_first(desk: Desk) -> None:
    composer = await open_composer(desk)
    composer.to_field.setText("bob@example.org")
    composer.editor.setPlainText("Please find the report attached.")
    composer.send()
    box = visible_box("forgotAttachmentBox")
    assert desk.store.reader.outbox.items() == []
    sent = next_emit(composer.sent)
    next(b for b in box.buttons() if b.text() == SEND_ANYWAY).click()
    await wait_for(sent)
    assert len(desk.store.reader.outbox.items()) == 1


async def test_autosave_replaces_the_draft_in_drafts(desk: Desk, local_account: Account) -> None:
    drafts = desk.store.reader.folder_by_role(local_account.id, FolderRole.DRAFTS)
    assert drafts is not None
    identities = await desk.commands.identities()
    composer = ComposerWindow(
        desk.store, desk.ops, ComposerStart(identities=tuple(identities)), autosave_ms=20, parent=desk.window
    )
    composer.show()
    composer.to_field.setText("bob@example.org")
    composer.editor.setPlainText("first words")
    (first,) = await wait_for(next_emit(composer.draftSaved))
    assert desk.store.reader.folder_message_ids(drafts.id) == [first]
    composer.editor.setPlainText("first words, then more")
    (second,) = await wait_for(next_emit(composer.draftSaved))
    assert second != first and desk.store.reader.folder_message_ids(drafts.id) == [second]
    raw = desk.store.reader.raw_message(second)
    assert raw is not None and b"then more" in raw and composer.message_id.encode() in raw
    composer.autosave_timer.stop()
    composer.editor.setPlainText("last words before closing")
    closed_save = next_emit(composer.draftSaved)
    composer.close()  # saves what changed since the last autosave, then closes
    (third,) = await wait_for(closed_save)
    await idle(desk.ops)
    assert not composer.isVisible()
    assert desk.store.reader.folder_message_ids(drafts.id) == [third]
    assert b"last words" in (desk.store.reader.raw_message(third) or b"")


async def test_sending_removes_the_draft_and_undo_brings_the_message_back(desk: Desk, local_account: Account) -> None:
    drafts = desk.store.reader.folder_by_role(local_account.id, FolderRole.DRAFTS)
    assert drafts is not None
    composer = await open_composer(desk)
    composer.to_field.setText("bob@example.org")
    composer.bcc_field.setText("boss@example.org")
    composer.subject_field.setText("Undo me")
    composer.editor.setPlainText("Text to keep")
    saved = next_emit(composer.draftSaved)
    composer.save_draft()
    await wait_for(saved)
    sent = next_emit(composer.sent)
    composer.send()
    (message,) = await wait_for(sent)
    await idle(desk.ops)
    assert desk.store.reader.folder_message_ids(drafts.id) == []
    desk.commands.on_sent(message)
    notice = desk.commands.undo_notice
    assert notice.isVisible() and notice.label.text().startswith("Sending in 1")
    reopened = next_emit(desk.commands.composerOpened)
    notice.undo_button.click()
    (again,) = await wait_for(reopened)
    assert desk.store.reader.outbox.items() == []
    assert again.subject_field.text() == "Undo me" and "Text to keep" in again.editor.toPlainText()
    assert again.bcc_field.text() == "boss@example.org" and again.message_id == message.built.message_id
    assert again.drafts.dirty  # kept nowhere now: the next autosave tick saves it


async def store_original(store: Store, account: Account, local_account: Account) -> int:
    inbox = store.reader.folder_by_role(local_account.id, FolderRole.INBOX)
    assert inbox is not None
    original = build_message(
        Draft(
            sender=Address("Kim", "kim@example.com"),
            to=(Address("", "team@example.com"),),
            cc=(Address("", "ann.alias@example.com"),),
            subject="Offsite",
            text="Shall we?\n",
        )
    ).raw
    ids, _ = await store.messages.add(inbox.id, [new_message(read_envelope(original), original, Flag(0))])
    return ids[0]


async def test_a_reply_answers_from_the_identity_the_original_was_sent_to(desk: Desk, local_account: Account) -> None:
    await desk.store.identities.ensure_default(desk.account.id)
    alias_id, _ = await desk.store.identities.add(desk.account.id, "Ann (alias)", "ann.alias@example.com")
    row = await store_original(desk.store, desk.account, local_account)
    opened = next_emit(desk.commands.composerOpened)
    desk.commands.answer(AnswerKind.REPLY_ALL, row)
    (composer,) = await wait_for(opened)
    identity = composer.identity()
    assert identity is not None and identity.id == alias_id
    assert composer.from_box.currentText() == "Ann (alias) <ann.alias@example.com>"
    assert composer.to_field.text() == "Kim <kim@example.com>"
    assert composer.cc_field.text() == "team@example.com"  # the alias itself is left out
    assert composer.subject_field.text() == "Re: Offsite"
    assert "> Shall we?" in composer.editor.toPlainText()
    sent = next_emit(composer.sent)
    composer.send()
    (message,) = await wait_for(sent)
    [item] = desk.store.reader.outbox.items()
    assert item.answers == row and item.mail_from == "ann.alias@example.com"
    headers = email.parser.BytesParser(policy=policy.default).parsebytes(message.built.raw)
    assert headers["In-Reply-To"] == read_envelope(desk.store.reader.raw_message(row) or b"").message_id


async def test_a_saved_draft_opens_in_a_composer(desk: Desk, local_account: Account) -> None:
    composer = await open_composer(desk)
    composer.to_field.setText("bob@example.org")
    composer.subject_field.setText("Half done")
    composer.editor.setPlainText("To be continued")
    saved = next_emit(composer.draftSaved)
    composer.save_draft()
    (row,) = await wait_for(saved)
    composer.autosave_timer.stop()
    composer.close()  # nothing changed since the save: closes at once
    assert not composer.isVisible()
    opened = next_emit(desk.commands.composerOpened)
    desk.commands.open_draft(row)
    (again,) = await wait_for(opened)
    assert again.draft_row == row and again.message_id == composer.message_id
    assert again.subject_field.text() == "Half done" and "To be continued" in again.editor.toPlainText()
    again.editor.setPlainText("Now finished")
    resaved = next_emit(again.draftSaved)
    again.save_draft()
    (new_row,) = await wait_for(resaved)
    drafts = desk.store.reader.folder_by_role(local_account.id, FolderRole.DRAFTS)
    assert drafts is not None and desk.store.reader.folder_message_ids(drafts.id) == [new_row]
    again.discard()
    await idle(desk.ops)
    assert desk.store.reader.folder_message_ids(drafts.id) == []


async def test_rich_text_with_a_pasted_picture_and_a_dropped_file(desk: Desk, tmp_path: Path) -> None:
    composer = await open_composer(desk)
    composer.to_field.setText("bob@example.org")
    composer.editor.setHtml("<p>See <b>this</b>:</p>")
    composer.editor.moveCursor(QTextCursor.MoveOperation.End)
    picture = QImage(4, 4, QImage.Format.Format_RGB32)
    picture.fill(QColor("red"))
    pasted = QMimeData()
    pasted.setImageData(picture)
    composer.editor.insertFromMimeData(pasted)
    report = tmp_path / "Übersicht März.pdf"
    report.write_bytes(b"%PDF-1.4 report")
    dropped = QMimeData()
    dropped.setUrls([QUrl.fromLocalFile(str(report))])
    composer.editor.insertFromMimeData(dropped)
    await idle(desk.ops)
    assert [a.filename for a in composer.attachments.files] == ["Übersicht März.pdf"]
    assert composer.attachments.total_label.text() == "1 attachment, 15 bytes"
    sent = next_emit(composer.sent)
    composer.send()
    (message,) = await wait_for(sent)
    assert outbox_raw(desk.store) == [message.built.raw]
    parsed = email.parser.BytesParser(policy=policy.default).parsebytes(message.built.raw)
    assert parsed.get_content_type() == "multipart/mixed"
    body, attached = parsed.get_payload()  # type: ignore[misc]
    plain, related = body.get_payload()
    assert plain.get_content().replace("\r\n", "\n").startswith("See this:")
    html, image = related.get_payload()
    assert "<b>this</b>" in html.get_content() and image.get_content_type() == "image/png"
    assert f"cid:{image['Content-ID'].strip('<>')}" in html.get_content()
    assert attached.get_filename() == "Übersicht März.pdf" and attached.get_content() == b"%PDF-1.4 report"


async def test_attachments_over_the_size_limit_ask_first(desk: Desk) -> None:
    identities = await desk.commands.identities()
    composer = ComposerWindow(
        desk.store, desk.ops, ComposerStart(identities=tuple(identities)), size_limit=1000, parent=desk.window
    )
    composer.show()
    composer.to_field.setText("bob@example.org")
    composer.editor.setPlainText("The numbers")
    composer.attachments.add(FileAttachment("big.bin", b"\x00" * 1100))  # the limit counts the files
    assert "more than this account accepts" in composer.attachments.total_label.text()
    composer.send()
    box = visible_box("sizeLimitBox")
    box.reject()
    await idle(desk.ops)
    assert desk.store.reader.outbox.items() == [] and composer.isVisible()
    composer.autosave_timer.stop()


async def test_ctrl_enter_in_the_text_sends(desk: Desk) -> None:
    composer = await open_composer(desk)
    composer.to_field.setText("bob@example.org")
    composer.editor.setPlainText("Quick note")
    await activate(composer)
    composer.editor.setFocus()
    sent = next_emit(composer.sent)
    QTest.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    (message,) = await wait_for(sent)
    assert b"Quick note" in message.built.raw
    assert composer.editor.toPlainText() == "Quick note"  # the key sent; it typed no new line


async def test_a_mailto_link_opens_a_filled_composer(desk: Desk) -> None:
    opened = next_emit(desk.commands.composerOpened)
    desk.commands.open_mailto("mailto:bob@example.org?subject=Tickets&body=Two%20please")
    (composer,) = await wait_for(opened)
    assert composer.to_field.text() == "bob@example.org" and composer.subject_field.text() == "Tickets"
    assert composer.editor.toPlainText().startswith("Two please") and not composer.editor.rich


async def test_send_later_schedules_the_chosen_time(desk: Desk) -> None:
    composer = await open_composer(desk)
    composer.to_field.setText("bob@example.org")
    composer.editor.setPlainText("Happy birthday!")
    dialog = composer.send_later()
    wanted = QDateTime.currentDateTime().addDays(2)
    dialog.when.setDateTime(wanted)
    sent = next_emit(composer.sent)
    dialog.accept()
    (message,) = await wait_for(sent)
    [item] = desk.store.reader.outbox.items()
    assert item.send_at == pytest.approx(wanted.toSecsSinceEpoch(), abs=60)
    desk.commands.on_sent(message)
    assert desk.commands.undo_notice.label.text().startswith("Scheduled for")


async def test_bold_shows_the_text_at_the_cursor_and_files_dropped_on_the_window_attach(
    desk: Desk, tmp_path: Path
) -> None:
    composer = await open_composer(desk)
    composer.editor.setHtml("<p>plain <b>strong</b></p>")
    cursor = composer.editor.textCursor()
    cursor.setPosition(len("plain st"))
    composer.editor.setTextCursor(cursor)
    assert composer.bold_action.isChecked()
    cursor.setPosition(2)
    composer.editor.setTextCursor(cursor)
    assert not composer.bold_action.isChecked()
    notes = tmp_path / "notes.txt"
    notes.write_text("n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(notes))])
    drop = QDropEvent(
        QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    composer.dropEvent(drop)
    await idle(desk.ops)
    assert [a.filename for a in composer.attachments.files] == ["notes.txt"]
    composer.autosave_timer.stop()


@pytest.mark.parametrize("plain", [False, True])
async def test_choosing_another_from_swaps_the_signature(desk: Desk, plain: bool) -> None:
    await desk.store.identities.ensure_default(desk.account.id)
    [first] = desk.store.reader.identities.of_account(desk.account.id)
    await desk.store.identities.update(first.model_copy(update={"signature": "Ann\nWork"}))
    second_id, _ = await desk.store.identities.add(desk.account.id, "Ann", "ann.home@example.com", signature="Home")
    composer = await open_composer(desk, rich=not plain)
    assert composer.editor.toPlainText().endswith("-- \nAnn\nWork")
    composer.editor.moveCursor(QTextCursor.MoveOperation.Start)
    composer.editor.insertPlainText("Dear Bob,")
    composer.from_box.setCurrentIndex(composer.from_box.findData(second_id))
    assert composer.editor.toPlainText() == "Dear Bob,\n\n-- \nHome"
    composer.autosave_timer.stop()


async def test_a_rich_reply_quotes_as_blockquote_and_as_text(desk: Desk, local_account: Account) -> None:
    inbox = desk.store.reader.folder_by_role(local_account.id, FolderRole.INBOX)
    assert inbox is not None
    original = build_message(
        Draft(
            sender=Address("Kim", "kim@example.com"),
            to=(Address("", "ann@example.com"),),
            subject="Menu",
            html="<p>Soup</p><p></p><p>Bread</p>",
        )
    ).raw
    ids, _ = await desk.store.messages.add(inbox.id, [new_message(read_envelope(original), original, Flag(0))])
    opened = next_emit(desk.commands.composerOpened)
    desk.commands.answer(AnswerKind.REPLY, ids[0])
    (composer,) = await wait_for(opened)
    assert composer.editor.rich  # an HTML original gets a rich answer
    shown = composer.editor.toPlainText()
    assert shown.rstrip("\n").endswith("Kim <kim@example.com> wrote:\nSoup\n\nBread") and shown.startswith("\n\n")
    composer.editor.moveCursor(QTextCursor.MoveOperation.Start)
    composer.editor.insertPlainText("Yes please.")
    sent = next_emit(composer.sent)
    composer.send()
    (message,) = await wait_for(sent)
    parsed = email.parser.BytesParser(policy=policy.default).parsebytes(message.built.raw)
    plain, html = parsed.get_payload()  # type: ignore[misc]
    assert plain.get_content().replace("\r\n", "\n").endswith("wrote:\n\n> Soup\n>\n> Bread\n")
    assert '<blockquote type="cite">\n<p>Soup</p>' in html.get_content().replace("\r\n", "\n")


async def test_every_control_of_the_composer_has_an_accessible_name(desk: Desk) -> None:
    composer = await open_composer(desk)
    assert unnamed_controls(composer) == []
