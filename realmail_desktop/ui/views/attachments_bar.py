"""AttachmentsBar: a message's attachments as tiles — type checked, thumbnails, Save / Save all / Open / drag out.

Nothing heavy runs on the GUI thread: the raw message is read through the caller's `RawSource`, parts are
extracted, sniffed (python-magic) and thumbnailed (Pillow) with `asyncio.to_thread`, and each tile updates as
its result arrives. Opening writes a copy into a private folder (0700) first, then asks the system to open
it (`open_url`, injectable so tests never launch an application); a mismatched or risky file is explained
in a confirmation box before that. Saved names are sanitised by `mail.filenames` and never replace a file
unless the person picked that file and confirmed.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QMimeData, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDrag, QPixmap
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QScrollArea, QWidget

from realmail_desktop.mail import AttachmentInfo, attachment_payload
from realmail_desktop.mail.attachment_checks import check_parts, save_parts
from realmail_desktop.mail.attachment_safety import SafetyVerdict, judge_attachment, kind_of_type
from realmail_desktop.mail.filenames import replace_file, safe_filename, write_new_file
from realmail_desktop.mail.thumbnails import make_thumbnail
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.attachment_previews import PREVIEW_SIZE, ImagePreviews, InvitationCard
from realmail_desktop.ui.views.attachment_tile import TILE_ICON, AttachmentTile, RawSource
from realmail_desktop.ui.views.drive_save import DriveSaver, DriveSaveStatus, PartReader

OpenUrl = Callable[[QUrl], object]
"""Hands a file URL to the system (QDesktopServices.openUrl); tests pass a recorder."""

# A hostile message may carry thousands of parts (5,000 tiles take over a second to build): show this many,
# say how many more there are; Save all still saves every one.
MAX_TILES = 100


class AttachmentsBar(QWidget):
    """The attachments of the message on screen (`show_attachments`), plus its invitation card and image previews,
    which the reader places above and below the body (`invitation_card`, `image_previews`).

    Signals: checked() once every tile has its verdict; thumbnailReady(str part_id); savedFiles(list of paths);
    fileOpened(str path) after a copy was handed to the system. Save to Drive (once `set_drive` gave a saver)
    reports through `drive_status` (its `saved(list of links)`).
    """

    checked = Signal()
    thumbnailReady = Signal(str)
    savedFiles = Signal(list)
    fileOpened = Signal(str)

    def __init__(
        self,
        ops: Ops,
        parent: QWidget | None = None,
        *,
        open_url: OpenUrl = QDesktopServices.openUrl,
        temp_root: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attachments")
        self._ops = ops
        self._open_url = open_url
        self._temp_root = temp_root
        self._private: Path | None = None
        self._source: RawSource | None = None
        self._attachments: list[AttachmentInfo] = []
        self._tiles: list[AttachmentTile] = []
        self._check: asyncio.Task[None] | None = None
        self.invitation_card = InvitationCard(parent)
        self.image_previews = ImagePreviews(parent)
        self.image_previews.openRequested.connect(self._open_part)

        self._row = QWidget()
        self._row_layout = QHBoxLayout(self._row)
        self._row_layout.setContentsMargins(8, 4, 8, 4)
        self._more = QLabel(self._row)
        self._more.setObjectName("moreAttachments")
        self._row_layout.addWidget(self._more)
        self._row_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(self._row)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedHeight(TILE_ICON + 28)
        self._save_all_button = QPushButton(self.tr("Save all…"), self)
        self._save_all_button.setObjectName("saveAllAttachments")
        self._save_all_button.clicked.connect(self.save_all)
        self._drive: DriveSaver | None = None
        self._drive_button = QPushButton(self.tr("Save all to Drive"), self)
        self._drive_button.setObjectName("saveAllToDrive")
        self._drive_button.clicked.connect(self.save_all_to_drive)
        self._drive_button.hide()
        self.drive_status = DriveSaveStatus(ops, self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self._save_all_button)
        layout.addWidget(self._drive_button)
        layout.addWidget(self.drive_status)
        self.hide()

    # --- public face ------------------------------------------------------------------------------
    def tiles(self) -> list[AttachmentTile]:
        return list(self._tiles)

    def lines(self) -> list[str]:
        return [tile.line() for tile in self._tiles]

    def clear(self) -> None:
        if self._check is not None and not self._check.done():
            self._check.cancel()
        self._check = None
        self._source = None
        self._attachments = []
        self._more.hide()
        for tile in self._tiles:
            tile.deleteLater()
        self._tiles.clear()
        self.invitation_card.show_invitation(None)
        self.image_previews.clear()
        self.hide()

    def show_attachments(self, attachments: Sequence[AttachmentInfo], source: RawSource) -> asyncio.Task[None] | None:
        """Tiles for `attachments` now; verdicts, thumbnails and the invitation as the returned task finds them."""
        self.clear()
        self._source = source
        self._attachments = [a for a in attachments if not (a.inline and a.content_id)]  # not shown in the body
        for info in self._attachments[:MAX_TILES]:
            tile = AttachmentTile(info, source, self._row)
            tile.openRequested.connect(lambda tile=tile: self.open_attachment(tile))
            tile.saveRequested.connect(lambda tile=tile: self.save_attachment(tile))
            tile.saveAllRequested.connect(self.save_all)
            tile.dragRequested.connect(lambda tile=tile: self.drag_out(tile))
            if self._drive is not None:
                save_to_drive = tile.menu().addAction(self.tr("Save to Drive"))
                save_to_drive.triggered.connect(lambda _checked=False, tile=tile: self.save_to_drive(tile))
            self._row_layout.insertWidget(len(self._tiles), tile)
            self._tiles.append(tile)
        hidden = len(self._attachments) - len(self._tiles)
        self._more.setText(self.tr("…and {hidden} more (Save all… saves them all)").format(hidden=hidden))
        self._more.setVisible(hidden > 0)
        self.setVisible(bool(self._tiles))
        if not self._tiles:
            return None
        self._check = self._ops.run(self._check_tiles(list(self._tiles), source), label="Check attachments")
        return self._check

    # --- checking and thumbnails (off the GUI thread) ---------------------------------------------
    async def _check_tiles(self, tiles: list[AttachmentTile], source: RawSource) -> None:
        raw = await source()
        if raw is None:
            return
        parts = await asyncio.to_thread(check_parts, raw, [tile.info for tile in tiles])
        for tile, part in zip(tiles, parts, strict=True):
            tile.set_checked_part(part)
        invitation = next((part.invitation for part in parts if part.invitation is not None), None)
        self.invitation_card.show_invitation(invitation)
        self.checked.emit()
        for tile, part in zip(tiles, parts, strict=True):
            if part.payload is None or kind_of_type(part.verdict.sniffed_type) != "picture":
                continue
            if part.verdict.sniffed_type == "image/svg+xml":
                continue  # SVG may carry scripts; Pillow cannot read it anyway
            thumbnail = await asyncio.to_thread(make_thumbnail, part.payload, PREVIEW_SIZE)
            if thumbnail.data is None:
                continue
            pixmap = QPixmap()
            if not pixmap.loadFromData(thumbnail.data):
                continue
            tile.set_thumbnail(pixmap)
            if not part.verdict.needs_confirmation:
                self.image_previews.add_preview(tile.info.part_id, tile.name, thumbnail.data)
            self.thumbnailReady.emit(tile.info.part_id)

    async def _payload(self, tile: AttachmentTile) -> bytes:
        if tile.payload is not None:
            return tile.payload
        raw = await tile.source()
        data = await asyncio.to_thread(attachment_payload, raw, tile.info.part_id) if raw is not None else None
        return data or b""

    async def _verdict(self, tile: AttachmentTile, data: bytes) -> SafetyVerdict:
        if tile.verdict is None:
            tile.verdict = await asyncio.to_thread(judge_attachment, data, tile.info.filename, tile.info.content_type)
        return tile.verdict

    # --- Open -------------------------------------------------------------------------------------
    def _open_part(self, part_id: str) -> None:
        tile = next((tile for tile in self._tiles if tile.info.part_id == part_id), None)
        if tile is not None:
            self.open_attachment(tile)

    def open_attachment(self, tile: AttachmentTile) -> None:
        """Open a copy with the system's app; a mismatched or risky file is explained and confirmed first."""
        self._ops.run(self._prepare_open(tile), label="Open attachment")

    async def _prepare_open(self, tile: AttachmentTile) -> None:
        data = await self._payload(tile)
        verdict = await self._verdict(tile, data)
        if verdict.needs_confirmation:
            self._confirm_open(tile, data, verdict)
        else:
            await self._open_copy(tile, data)

    def _confirm_open(self, tile: AttachmentTile, data: bytes, verdict: SafetyVerdict) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Open attachment?"),
            self.tr("Open “{name}”?").format(name=tile.name),
            parent=self.window(),
        )
        box.setObjectName("openWarningBox")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(verdict.reason)
        open_button = box.addButton(self.tr("Open anyway"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def on_finished(_result: int) -> None:
            if box.clickedButton() is open_button:
                self._ops.run(self._open_copy(tile, data), label="Open attachment")

        box.finished.connect(on_finished)
        box.open()

    def _private_folder(self) -> Path:
        if self._private is None:
            # mkdtemp makes the folder 0700: other users of this computer cannot read what was opened. It lives
            # until RealMail quits, so the app that opened a copy can still read it after the message changes.
            if self._temp_root is not None:
                self._temp_root.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._private = Path(tempfile.mkdtemp(prefix="realmail-open-", dir=self._temp_root))
            atexit.register(shutil.rmtree, self._private, ignore_errors=True)
        return self._private

    async def _temporary_copy(self, tile: AttachmentTile, data: bytes) -> Path:
        return await asyncio.to_thread(write_new_file, self._private_folder(), tile.name, data)

    async def _open_copy(self, tile: AttachmentTile, data: bytes) -> None:
        path = await self._temporary_copy(tile, data)
        self._open_url(QUrl.fromLocalFile(str(path)))
        self.fileOpened.emit(str(path))

    # --- Save / Save all --------------------------------------------------------------------------
    def _file_dialog(self, caption: str, object_name: str) -> QFileDialog:
        dialog = QFileDialog(self.window(), caption)
        dialog.setObjectName(object_name)
        dialog.setDirectory(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return dialog

    def save_attachment(self, tile: AttachmentTile) -> QFileDialog:
        """Ask where to save one attachment (an existing file is replaced only after a confirmation)."""
        dialog = self._file_dialog(self.tr("Save attachment"), "saveAttachmentDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        # We ask ourselves, so the question is the same with native and Qt dialogs, and testable.
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, True)
        dialog.selectFile(safe_filename(tile.name))
        dialog.fileSelected.connect(lambda chosen: self.save_to(tile, Path(chosen)))
        dialog.open()
        return dialog

    def save_to(self, tile: AttachmentTile, target: Path) -> None:
        """Save to the file the person chose; if it exists, ask: replace it, keep both, or cancel."""
        if not target.exists():
            self._ops.run(self._save(tile, target, replace=False), label="Save attachment")
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Replace file?"),
            self.tr("“{name}” already exists.").format(name=target.name),
            parent=self.window(),
        )
        box.setObjectName("replaceFileBox")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(self.tr("Replace it with the attachment, or keep both files?"))
        replace = box.addButton(self.tr("Replace"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("Keep both"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def on_finished(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked is replace or clicked is keep:
                self._ops.run(self._save(tile, target, replace=clicked is replace), label="Save attachment")

        box.finished.connect(on_finished)
        box.open()

    async def _save(self, tile: AttachmentTile, target: Path, *, replace: bool) -> None:
        data = await self._payload(tile)
        if replace:
            saved = await asyncio.to_thread(replace_file, target, data)
        else:
            saved = await asyncio.to_thread(write_new_file, target.parent, target.name, data)
        self.savedFiles.emit([str(saved)])

    def save_all(self) -> QFileDialog:
        """Ask for a folder and save every attachment there: sanitised names, "(2)" rather than an overwrite."""
        dialog = self._file_dialog(self.tr("Save all attachments"), "saveAllDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        # What is on screen now is what gets saved, even if another message is shown before a folder is chosen.
        attachments, tiles, source = list(self._attachments), list(self._tiles), self._source
        dialog.fileSelected.connect(lambda chosen: self._start_save_all(Path(chosen), attachments, tiles, source))
        dialog.open()
        return dialog

    def save_all_to(self, folder: Path) -> asyncio.Task[None]:
        return self._start_save_all(folder, list(self._attachments), list(self._tiles), self._source)

    def _start_save_all(
        self,
        folder: Path,
        attachments: list[AttachmentInfo],
        tiles: list[AttachmentTile],
        source: RawSource | None,
    ) -> asyncio.Task[None]:
        kept = {tile.info.part_id: tile.payload for tile in tiles if tile.payload is not None}
        return self._ops.run(self._save_all(folder, attachments, kept, source), label="Save attachments")

    async def _save_all(
        self, folder: Path, attachments: list[AttachmentInfo], kept: dict[str, bytes], source: RawSource | None
    ) -> None:
        needs_raw = source is not None and any(info.part_id not in kept for info in attachments)
        raw = await source() if needs_raw and source is not None else None
        saved = await asyncio.to_thread(save_parts, folder, attachments, kept, raw)
        self.savedFiles.emit([str(path) for path in saved])

    # --- Save to Drive ----------------------------------------------------------------------------
    def set_drive(self, saver: DriveSaver | None) -> None:
        """Offer "Save to Drive" / "Save all to Drive" (from the next message shown) through `saver`."""
        self._drive = saver
        self._drive_button.setVisible(saver is not None)

    def save_to_drive(self, tile: AttachmentTile) -> asyncio.Task[None] | None:
        if self._drive is None:
            return None
        return self.drive_status.start(self._drive, [(tile.info.size, self._drive_part(tile.info, tile))])

    def save_all_to_drive(self) -> asyncio.Task[None] | None:
        """Every attachment of the message (also those past the tiles shown), one after the other."""
        if self._drive is None or not self._attachments:
            return None
        tiles = {tile.info.part_id: tile for tile in self._tiles}
        parts = [(info.size, self._drive_part(info, tiles.get(info.part_id))) for info in self._attachments]
        return self.drive_status.start(self._drive, parts)

    def _drive_part(self, info: AttachmentInfo, tile: AttachmentTile | None) -> PartReader:
        source = self._source

        async def read() -> tuple[str, str, bytes]:
            if tile is not None:
                data = await self._payload(tile)
            else:
                raw = await source() if source is not None else None
                found = await asyncio.to_thread(attachment_payload, raw, info.part_id) if raw else None
                data = found or b""
            return safe_filename(info.filename or "attachment"), info.content_type, data

        return read

    # --- drag out ---------------------------------------------------------------------------------
    def drag_data(self, tile: AttachmentTile) -> QMimeData | None:
        """A file URL of a private copy, for dragging to the desktop or a file manager; None until the part
        is in memory (a very big one: save it instead)."""
        if tile.payload is None:
            return None
        if tile.drag_copy is None or not tile.drag_copy.exists():
            tile.drag_copy = write_new_file(self._private_folder(), tile.name, tile.payload)
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(tile.drag_copy))])
        return mime

    def drag_out(self, tile: AttachmentTile) -> None:
        mime = self.drag_data(tile)
        if mime is None:
            return
        drag = QDrag(tile)
        drag.setMimeData(mime)
        drag.setPixmap(tile.icon().pixmap(TILE_ICON, TILE_ICON))
        drag.exec(Qt.DropAction.CopyAction)
