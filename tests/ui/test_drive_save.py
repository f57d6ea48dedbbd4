"""Save to Drive from the reader's attachments bar: one file or all, progress, the link shown, Cancel, and
Drive's refusals shown as known errors — through the real DriveService to the fake Drive on loopback."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl

from realmail_desktop.bridges.drive import DriveService, RetryPolicy
from realmail_desktop.mail import parse_message
from realmail_desktop.store import DriveSettings, Store
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.attachment_tile import AttachmentTile
from realmail_desktop.ui.views.attachments_bar import AttachmentsBar
from realmail_desktop.ui.views.drive_save import AccountDriveSaver
from tests.servers.drive import FakeDrive, running_drive

from .qt_async import next_emit, wait_for
from .test_attachments_bar import raw_with

pytestmark = pytest.mark.gui

REPORT = b"%PDF-1.4 quarterly report " * 200
PHOTO = bytes(range(256)) * 12_000  # ~3 MB: several 1 MiB chunks


class _Tokens:
    async def access_token(self) -> str:
        return "fresh"

    async def refreshed(self) -> str:
        return "fresh"


@dataclass
class Reader:
    bar: AttachmentsBar
    ops: Ops
    drive: FakeDrive
    store: Store
    account_id: int

    async def show(self, raw: bytes) -> list[AttachmentTile]:
        async def source() -> bytes:
            return raw

        checked = next_emit(self.bar.checked)
        assert self.bar.show_attachments(parse_message(raw).attachments, source) is not None
        await wait_for(checked)
        return self.bar.tiles()

    def stored(self, name: str) -> bytes:
        [file] = self.drive.files_named(name)
        return self.drive.content_path(file.id).read_bytes()


@pytest.fixture
def fake_drive(tmp_path: Path) -> Iterator[FakeDrive]:
    with running_drive(tmp_path / "drive") as drive:
        yield drive


@pytest.fixture
async def reader(qtbot: Any, store: Store, fake_drive: FakeDrive) -> AsyncIterator[Reader]:
    account, _ = await store.accounts.create_local()
    await store.drive.save_settings(account.id, DriveSettings(enabled=True))
    service = DriveService(
        store,
        lambda _a: _Tokens(),
        base_url=fake_drive.base_url,
        chunk_size=1 << 20,
        retry=RetryPolicy(attempts=3, base=0.001, cap=0.01),
    )

    async def drive_account() -> int:
        return account.id

    ops = Ops()
    bar = AttachmentsBar(ops, open_url=lambda _url: True)
    bar.set_drive(AccountDriveSaver(service, drive_account))
    qtbot.addWidget(bar)
    bar.resize(900, 120)
    bar.show()
    yield Reader(bar, ops, fake_drive, store, account.id)
    await ops.drain()


def menu_action(tile: AttachmentTile, text: str) -> Any:
    return next(action for action in tile.menu().actions() if action.text() == text)


async def test_save_one_attachment_to_drive_shows_its_link(reader: Reader) -> None:
    tiles = await reader.show(raw_with(("report.pdf", "application/pdf", REPORT), ("photo.raw", "image/x-raw", PHOTO)))
    saved = next_emit(reader.bar.drive_status.saved)
    menu_action(tiles[0], "Save to Drive").trigger()
    (links,) = await wait_for(saved)
    assert reader.stored("report.pdf") == REPORT
    assert not reader.drive.files_named("photo.raw")
    [file] = reader.drive.files_named("report.pdf")
    assert links == [f"https://drive.google.com/file/d/{file.id}/view?usp=drivesdk"]
    label = reader.bar.drive_status.links
    assert label.isVisible() and links[0] in label.text() and "report.pdf" in label.text()
    assert not reader.bar.drive_status.progress.isVisible()
    assert file.permissions == []  # saved for the person, not shared


async def test_save_all_to_drive_with_progress(reader: Reader) -> None:
    await reader.show(raw_with(("report.pdf", "application/pdf", REPORT), ("photo.raw", "image/x-raw", PHOTO)))
    values: list[int] = []
    reader.bar.drive_status.progress.valueChanged.connect(values.append)
    saved = next_emit(reader.bar.drive_status.saved)
    reader.bar.findChild(type(reader.bar._save_all_button), "saveAllToDrive").click()
    (links,) = await wait_for(saved)
    assert len(links) == 2
    assert hashlib.sha256(reader.stored("photo.raw")).digest() == hashlib.sha256(PHOTO).digest()
    assert reader.stored("report.pdf") == REPORT
    assert values == sorted(values) and len(values) >= 3 and values[-1] == 1000


async def test_cancel_stops_the_upload_and_forgets_its_session(reader: Reader) -> None:
    tiles = await reader.show(raw_with(("photo.raw", "image/x-raw", PHOTO)))
    status = reader.bar.drive_status
    moved = next_emit(status.progress.valueChanged)
    cancelled = next_emit(status.cancelled)
    task = reader.bar.save_to_drive(tiles[0])
    assert task is not None
    await wait_for(moved)
    while status.progress.value() == 0:  # the first chunk is confirmed
        await wait_for(next_emit(status.progress.valueChanged))
    status.cancel_button.click()
    await wait_for(cancelled)
    assert task.cancelled()
    assert status.links.text() == "Saving to Drive was cancelled."
    assert await reader.store.drive.pending(reader.account_id) == []
    assert not reader.drive.files_named("photo.raw")


async def test_a_full_drive_is_shown_as_a_known_error(reader: Reader) -> None:
    tiles = await reader.show(raw_with(("report.pdf", "application/pdf", REPORT)))
    reader.drive.inject("initiate", "quota")
    shown = next_emit(reader.ops.knownError)
    reader.bar.save_to_drive(tiles[0])
    message, hint = await wait_for(shown)
    assert message == "Your Google Drive is full." and "Free some space" in hint
    assert not reader.bar.drive_status.isVisible()


async def test_without_a_saver_there_is_no_drive_action(qtbot: Any) -> None:
    ops = Ops()
    bar = AttachmentsBar(ops, open_url=lambda _url: QUrl() is None)
    qtbot.addWidget(bar)
    raw = raw_with(("report.pdf", "application/pdf", REPORT))

    async def source() -> bytes:
        return raw

    checked = next_emit(bar.checked)
    bar.show_attachments(parse_message(raw).attachments, source)
    await wait_for(checked)
    assert [a.text() for a in bar.tiles()[0].menu().actions()] == ["Open", "Save…", "Save all…"]
    assert bar.findChild(type(bar._save_all_button), "saveAllToDrive").isHidden()
    assert bar.save_to_drive(bar.tiles()[0]) is None
    await ops.drain()
