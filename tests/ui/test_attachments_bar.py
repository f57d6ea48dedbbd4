"""AttachmentsBar: tiles with sizes, thumbnails off the GUI thread, Save all without overwrites, Open with a warning,
image previews and invitation cards — and the same inside the MessageReader."""

from __future__ import annotations

import io
import stat
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from realmail_desktop.mail import parse_message
from realmail_desktop.store import FolderRole, Store
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views import attachments_bar
from realmail_desktop.ui.views.attachment_tile import AttachmentTile
from realmail_desktop.ui.views.attachments_bar import MAX_TILES, AttachmentsBar
from realmail_desktop.ui.views.message_reader import MessageReader

from .mail_samples import stored
from .qt_async import idle, next_emit, wait_for

pytestmark = pytest.mark.gui

EXE = b"MZ\x90\x00\x03" + b"\x00" * 55 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00\x4c\x01" + b"\x00" * 200
INVITE = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
METHOD:REQUEST\r
BEGIN:VEVENT\r
UID:planning@example.com\r
SUMMARY:Quarterly planning\r
DTSTART:20240305T140000Z\r
DTEND:20240305T150000Z\r
LOCATION:Room <b>7</b>\r
ORGANIZER;CN=Alice Smith:mailto:alice@example.com\r
ATTENDEE;CN=Bob;PARTSTAT=TENTATIVE:mailto:bob@example.org\r
END:VEVENT\r
END:VCALENDAR\r
"""


def png(width: int = 400, height: int = 300) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 160, 90)).save(out, "PNG")
    return out.getvalue()


def raw_with(*attachments: tuple[str, str, bytes]) -> bytes:
    """A message with these (file name, content type, bytes) attachments."""
    msg = EmailMessage()
    msg["From"] = "Alice <alice@example.com>"
    msg["To"] = "bob@example.org"
    msg["Subject"] = "Files"
    msg.set_content("See attached.")
    for name, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


@dataclass
class Bar:
    bar: AttachmentsBar
    ops: Ops
    opened: list[str]

    async def show(self, raw: bytes) -> list[AttachmentTile]:
        async def source() -> bytes:
            return raw

        checked = next_emit(self.bar.checked)
        task = self.bar.show_attachments(parse_message(raw).attachments, source)
        assert task is not None
        await wait_for(checked)
        return self.bar.tiles()


@pytest.fixture
async def shown(qtbot: Any, tmp_path: Path) -> AsyncIterator[Bar]:
    ops = Ops()
    opened: list[str] = []

    def record(url: QUrl) -> bool:  # never launch a real application from a test
        opened.append(url.toLocalFile())
        return True

    bar = AttachmentsBar(ops, open_url=record, temp_root=tmp_path / "private")
    qtbot.addWidget(bar)
    bar.resize(700, 120)
    bar.show()
    yield Bar(bar, ops, opened)
    await ops.drain()


def contents(path: str | Path) -> bytes:
    """A saved file's bytes (a test-sized read; ruff's ASYNC240 wants file I/O out of coroutines)."""
    return Path(path).read_bytes()


def names_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def message_box(bar: AttachmentsBar, name: str) -> QMessageBox:
    box = bar.findChild(QMessageBox, name)
    assert box is not None and box.isVisible()
    return box


def click(box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    button.click()


async def test_tiles_show_names_and_sizes(shown: Bar) -> None:
    tiles = await shown.show(
        raw_with(("report.pdf", "application/pdf", b"%PDF-1.4\n" + b"x" * 2000), ("a.txt", "text/plain", b"hi"))
    )
    assert shown.bar.lines() == ["report.pdf — 2.0 KB", "a.txt — 2 bytes"]
    assert [tile.text() for tile in tiles] == ["report.pdf\n2.0 KB", "a.txt\n2 bytes"]
    assert all(tile.verdict is not None and not tile.verdict.needs_confirmation for tile in tiles)
    assert shown.bar.isVisible()


async def test_a_thumbnail_arrives_for_a_picture(shown: Bar) -> None:
    arrived = next_emit(shown.bar.thumbnailReady)
    tiles = await shown.show(raw_with(("notes.txt", "text/plain", b"x"), ("garden.png", "image/png", png())))
    (part_id,) = await wait_for(arrived)
    assert part_id == tiles[1].info.part_id
    assert tiles[1].has_thumbnail and not tiles[0].has_thumbnail
    assert not tiles[1].icon().isNull()


async def test_checking_and_thumbnails_run_off_the_gui_thread(shown: Bar, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: dict[str, set[str]] = {"check": set(), "thumbnail": set()}

    def watched(name: str, work: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            threads[name].add(threading.current_thread().name)
            return work(*args)

        return run

    monkeypatch.setattr(attachments_bar, "check_parts", watched("check", attachments_bar.check_parts))
    monkeypatch.setattr(attachments_bar, "make_thumbnail", watched("thumbnail", attachments_bar.make_thumbnail))
    arrived = next_emit(shown.bar.thumbnailReady)
    await shown.show(raw_with(("garden.png", "image/png", png())))
    await wait_for(arrived)
    gui = threading.main_thread().name
    assert threads["check"] and threads["thumbnail"]
    assert gui not in threads["check"] | threads["thumbnail"]


async def test_image_attachments_preview_inline_and_open_on_click(shown: Bar) -> None:
    arrived = next_emit(shown.bar.thumbnailReady)
    await shown.show(raw_with(("garden.png", "image/png", png(800, 400))))
    await wait_for(arrived)
    previews = shown.bar.image_previews.previews()
    assert len(previews) == 1 and not shown.bar.image_previews.isHidden()
    pixmap = previews[0].pixmap()
    assert max(pixmap.width(), pixmap.height()) <= 240 and pixmap.width() == 2 * pixmap.height()
    opened = next_emit(shown.bar.fileOpened)
    previews[0].clicked.emit(previews[0].part_id)  # what a click on the preview emits
    (path,) = await wait_for(opened)
    assert contents(path) == png(800, 400)


async def test_junk_pictures_keep_their_type_icon_and_no_preview(shown: Bar) -> None:
    tiles = await shown.show(
        raw_with(("photo.jpg", "image/jpeg", b"\xff\xd8\xff\xe0 truncated"), ("a.txt", "text/plain", b"x"))
    )
    await idle(shown.ops)
    assert not tiles[0].has_thumbnail and shown.bar.image_previews.previews() == []


async def test_save_all_writes_sanitised_names_without_overwriting(shown: Bar, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(b"already here")
    await shown.show(
        raw_with(
            ("report.pdf", "application/pdf", b"%PDF-1 first"),
            ("../../escape.txt", "text/plain", b"escape"),
            ("report.pdf", "application/pdf", b"%PDF-1 second"),
            ("CON", "text/plain", b"reserved"),
        )
    )
    shown.bar.save_all()
    dialog = shown.bar.findChild(QFileDialog, "saveAllDialog")
    assert dialog is not None and dialog.fileMode() is QFileDialog.FileMode.Directory
    saved = next_emit(shown.bar.savedFiles)
    dialog.fileSelected.emit(str(folder))
    (paths,) = await wait_for(saved)
    assert [Path(p).name for p in paths] == ["report (2).pdf", "escape.txt", "report (3).pdf", "_CON"]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {
        "report.pdf": b"already here",
        "report (2).pdf": b"%PDF-1 first",
        "escape.txt": b"escape",
        "report (3).pdf": b"%PDF-1 second",
        "_CON": b"reserved",
    }
    assert names_in(tmp_path) == ["saved"]  # nothing escaped the chosen folder


async def test_saving_over_a_chosen_file_asks_first(shown: Bar, tmp_path: Path) -> None:
    target = tmp_path / "mine.txt"
    target.write_bytes(b"old")
    (tile,) = await shown.show(raw_with(("notes.txt", "text/plain", b"new")))
    dialog = shown.bar.save_attachment(tile)
    assert dialog.acceptMode() is QFileDialog.AcceptMode.AcceptSave
    dialog.fileSelected.emit(str(target))
    box = message_box(shown.bar, "replaceFileBox")
    saved = next_emit(shown.bar.savedFiles)
    click(box, "Keep both")
    assert [Path(p).name for p in (await wait_for(saved))[0]] == ["mine (2).txt"]
    assert target.read_bytes() == b"old"

    shown.bar.save_to(tile, target)
    saved = next_emit(shown.bar.savedFiles)
    click(message_box(shown.bar, "replaceFileBox"), "Replace")
    await wait_for(saved)
    assert target.read_bytes() == b"new"


async def test_a_mismatched_attachment_asks_before_opening(shown: Bar, tmp_path: Path) -> None:
    (tile,) = await shown.show(raw_with(("invoice.pdf", "application/pdf", EXE)))
    assert tile.property("warning") is True
    assert "Windows program (.exe) named like a PDF" in tile.toolTip()

    shown.bar.open_attachment(tile)
    await idle(shown.ops)
    box = message_box(shown.bar, "openWarningBox")
    assert "named like a PDF" in box.informativeText()
    click(box, "Cancel")
    await idle(shown.ops)
    assert shown.opened == []

    shown.bar.open_attachment(tile)
    await idle(shown.ops)
    opened = next_emit(shown.bar.fileOpened)
    click(message_box(shown.bar, "openWarningBox"), "Open anyway")
    (path,) = await wait_for(opened)
    assert shown.opened == [path]
    copy = Path(path)
    assert contents(copy) == EXE and copy.name == "invoice.pdf"
    assert copy.parent.parent == tmp_path / "private"
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700


async def test_a_safe_attachment_opens_without_a_question(shown: Bar) -> None:
    (tile,) = await shown.show(raw_with(("notes.txt", "text/plain", b"hello")))
    opened = next_emit(shown.bar.fileOpened)
    tile.click()
    (path,) = await wait_for(opened)
    assert shown.opened == [path] and contents(path) == b"hello"
    assert shown.bar.findChild(QMessageBox, "openWarningBox") is None


async def test_drag_out_offers_a_file_url_of_a_private_copy(shown: Bar, tmp_path: Path) -> None:
    (tile,) = await shown.show(raw_with(("../notes.txt", "text/plain", b"drag me")))
    mime = shown.bar.drag_data(tile)
    assert mime is not None
    (url,) = mime.urls()
    copy = Path(url.toLocalFile())
    assert copy.name == "notes.txt" and contents(copy) == b"drag me"
    assert copy.parent.parent == tmp_path / "private"
    again = shown.bar.drag_data(tile)
    assert again is not None and again.urls() == [url]  # dragging twice reuses the copy


async def test_an_invitation_shows_as_a_card(shown: Bar) -> None:
    await shown.show(raw_with(("invite.ics", "text/calendar", INVITE)))
    card = shown.bar.invitation_card
    assert card.invitation is not None and card.invitation.title == "Quarterly planning"
    text = card.text()
    assert "Invitation: Quarterly planning" in text
    assert "Where: Room <b>7</b>" in text  # the sender's markup is shown as text, not applied
    assert "Organizer: Alice Smith <alice@example.com>" in text
    assert "Who: Bob <bob@example.org> (maybe)" in text
    shown.bar.clear()
    assert card.invitation is None and card.isHidden() and shown.bar.tiles() == []


@pytest.fixture
async def reader(qtbot: Any, store: Store) -> AsyncIterator[tuple[MessageReader, Store, int, Ops]]:
    account, _ = await store.accounts.create_local()
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert inbox is not None
    ops = Ops()
    widget = MessageReader(store, ops, web_engine=False)  # the text fallback: the bar is the same either way
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    yield widget, store, inbox.id, ops
    await ops.drain()


async def test_the_reader_shows_the_bar_with_thumbnail_preview_and_card(
    reader: tuple[MessageReader, Store, int, Ops],
) -> None:
    widget, store, inbox, _ops = reader
    raw = raw_with(("garden.png", "image/png", png()), ("invite.ics", "text/calendar", INVITE))
    [message_id], _ = await store.messages.add(inbox, [stored(raw, "Files")])
    summary = store.reader.message(message_id)
    assert summary is not None
    bar = widget.findChild(AttachmentsBar)
    assert bar is not None
    arrived = next_emit(bar.thumbnailReady)
    await wait_for(widget.show_message(summary))
    await wait_for(arrived)
    assert [line.split(" — ")[0] for line in widget.attachment_lines()] == ["garden.png", "invite.ics"]
    assert bar.isVisible() and bar.invitation_card.isVisible() and bar.image_previews.isVisible()

    empty = store.reader.message((await store.messages.add(inbox, [stored(raw_with(), "Plain")]))[0][0])
    assert empty is not None
    await wait_for(widget.show_message(empty))
    assert bar.isHidden() and bar.invitation_card.isHidden() and bar.image_previews.isHidden()


async def test_a_flood_of_attachments_shows_a_hundred_tiles_and_saves_them_all(shown: Bar, tmp_path: Path) -> None:
    raw = raw_with(*((f"part{i}.txt", "text/plain", f"{i}".encode()) for i in range(105)))
    tiles = await shown.show(raw)
    assert len(tiles) == MAX_TILES
    more = shown.bar.findChild(QLabel, "moreAttachments")
    assert more is not None and not more.isHidden() and more.text().startswith("…and 5 more")
    saved = next_emit(shown.bar.savedFiles)
    shown.bar.save_all_to(tmp_path)
    (paths,) = await wait_for(saved)
    assert len(paths) == 105 and contents(tmp_path / "part104.txt") == b"104"


async def test_a_picture_sent_as_another_type_keeps_its_warning_and_gets_no_inline_preview(shown: Bar) -> None:
    arrived = next_emit(shown.bar.thumbnailReady)
    (tile,) = await shown.show(raw_with(("contract.pdf", "application/pdf", png())))
    await wait_for(arrived)
    assert tile.has_thumbnail and tile.property("warning") is True
    assert "picture named like a PDF" in tile.toolTip()
    assert shown.bar.image_previews.previews() == [] and shown.bar.image_previews.isHidden()
