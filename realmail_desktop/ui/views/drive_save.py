"""Save to Drive for the reader's attachments: the `DriveSaver` the bar calls, the one over `DriveService`,
and `DriveSaveStatus`, the strip that shows the upload's progress, a Cancel button and then the saved links.

Signals of DriveSaveStatus: saved(list of str links) once every file is in Drive; cancelled().
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from realmail_desktop.bridges.drive import BytesSource, DriveError, DriveService, UploadSource
from realmail_desktop.mail.drive_links import DriveLink
from realmail_desktop.ui.ops import Ops

Progress = Callable[[int, int], None]
PartReader = Callable[[], Awaitable[tuple[str, str, bytes]]]
"""Reads one attachment when its turn comes: (file name, content type, bytes)."""


class DriveSaver(Protocol):
    """Where Save to Drive puts a file (the app binds it to an account with Drive turned on)."""

    async def save(self, source: UploadSource, progress: Progress) -> DriveLink: ...

    async def discard(self, source: UploadSource) -> None: ...


class AccountDriveSaver:
    """A `DriveSaver` over `DriveService`: the file goes to the Drive of the account `account_id()` names
    (asked at each save: the person may turn Drive on for an account later), kept private to its owner."""

    def __init__(self, service: DriveService, account_id: Callable[[], Awaitable[int | None]]) -> None:
        self._service = service
        self._account_id = account_id

    async def _account(self) -> int:
        account = await self._account_id()
        if account is None:
            raise DriveError(
                QCoreApplication.translate("AccountDriveSaver", "No account uses Google Drive yet."),
                hint=QCoreApplication.translate(
                    "AccountDriveSaver",
                    "Turn on Google Drive in an account's Drive settings (Account menu), then try again.",
                ),
            )
        return account

    async def save(self, source: UploadSource, progress: Progress) -> DriveLink:
        return await self._service.upload(await self._account(), source, progress=progress)

    async def discard(self, source: UploadSource) -> None:
        await self._service.discard(await self._account(), source.key)


class DriveSaveStatus(QWidget):
    """The upload's progress (all files together), Cancel, then links to the saved files."""

    saved = Signal(list)
    cancelled = Signal()

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("driveSaveStatus")
        self._ops = ops
        self._task: asyncio.Task[None] | None = None
        self.progress = QProgressBar(self)
        self.progress.setObjectName("driveProgress")
        self.progress.setRange(0, 1000)
        self.progress.setFormat(self.tr("Saving to Drive… %p%"))
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("cancelDriveSave")
        self.cancel_button.clicked.connect(self.cancel)
        self.links = QLabel(self)
        self.links.setObjectName("driveLinks")
        self.links.setOpenExternalLinks(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.links)
        self.hide()

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, saver: DriveSaver, parts: Sequence[tuple[int, PartReader]]) -> asyncio.Task[None]:
        """Upload `parts` ((size, reader) each) one after the other; a new start cancels the one running."""
        self.cancel()
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.links.clear()
        self.show()
        self._task = self._ops.run(self._save(saver, parts), label="Save to Drive")
        return self._task

    def cancel(self) -> None:
        if self.busy and self._task is not None:
            self._task.cancel()

    async def _save(self, saver: DriveSaver, parts: Sequence[tuple[int, PartReader]]) -> None:
        total = max(1, sum(size for size, _read in parts))
        done_before = 0
        links: list[DriveLink] = []
        source: UploadSource | None = None

        def on_progress(done: int, _of: int) -> None:
            self.progress.setValue(int(1000 * min(1.0, (done_before + done) / total)))

        try:
            for size, read in parts:
                name, content_type, data = await read()
                source = await asyncio.to_thread(BytesSource, name, data, mime_type=content_type)
                links.append(await saver.save(source, on_progress))
                done_before += size
                source = None
        except asyncio.CancelledError:
            if source is not None:
                await asyncio.shield(saver.discard(source))
            self._finish(links, cancelled=True)
            self.cancelled.emit()
            raise
        except BaseException:
            self._finish(links, cancelled=False)
            raise
        self._finish(links, cancelled=False)
        self.saved.emit([link.url for link in links])

    def _finish(self, links: list[DriveLink], *, cancelled: bool) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        shown = [f'<a href="{html.escape(link.url)}">{html.escape(link.name)}</a>' for link in links]
        if shown:
            saved = (
                self.tr("Saved to Drive: {links} (then cancelled)") if cancelled else self.tr("Saved to Drive: {links}")
            )
            self.links.setText(saved.format(links=", ".join(shown)))
        else:
            self.links.setText(self.tr("Saving to Drive was cancelled.") if cancelled else "")
        self.setVisible(bool(self.links.text()))
