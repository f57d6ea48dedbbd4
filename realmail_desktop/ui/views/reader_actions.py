"""ReaderActions: what the reader offers in the View menu — plain text, full headers, source, zoom, print, PDF.

The actions are added to the reader widget itself, so their shortcuts work in whichever window holds the
reader (the main window, a reader window); each window also lists them in its View menu.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QMenu

from realmail_desktop.core.errors import ExportFailedError
from realmail_desktop.ui.views.source_window import SourceWindow, decode_source

if TYPE_CHECKING:
    from realmail_desktop.ui.views.message_reader import MessageReader


class ReaderActions:
    """The reader's QActions (`all` in menu order) and what they do."""

    def __init__(self, reader: MessageReader) -> None:
        self._reader = reader
        self.plain_text = self._make(QCoreApplication.translate("ReaderActions", "&Plain text"), None, checkable=True)
        self.plain_text.toggled.connect(reader.set_plain_text)
        self.full_headers = self._make(
            QCoreApplication.translate("ReaderActions", "All &headers"), None, checkable=True
        )
        self.full_headers.toggled.connect(reader.set_full_headers)
        self.view_source = self._make(QCoreApplication.translate("ReaderActions", "Message &source"), "Ctrl+U")
        self.view_source.triggered.connect(self.open_source)
        self.zoom_in = self._make(QCoreApplication.translate("ReaderActions", "Zoom &in"), "Ctrl+=")
        self.zoom_in.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        self.zoom_in.triggered.connect(reader.body_view.zoom_in)
        self.zoom_out = self._make(QCoreApplication.translate("ReaderActions", "Zoom &out"), "Ctrl+-")
        self.zoom_out.triggered.connect(reader.body_view.zoom_out)
        self.zoom_reset = self._make(QCoreApplication.translate("ReaderActions", "&Actual size"), "Ctrl+0")
        self.zoom_reset.triggered.connect(reader.body_view.zoom_reset)
        self.print = self._make(QCoreApplication.translate("ReaderActions", "&Print…"), "Ctrl+P")
        self.print.triggered.connect(self.print_message)
        self.save_pdf = self._make(QCoreApplication.translate("ReaderActions", "Save as P&DF…"), None)
        self.save_pdf.triggered.connect(self.ask_save_pdf)
        self.all = (
            self.plain_text,
            self.full_headers,
            self.view_source,
            self.zoom_in,
            self.zoom_out,
            self.zoom_reset,
            self.print,
            self.save_pdf,
        )
        self.set_enabled(False)

    def _make(self, text: str, shortcut: str | None, *, checkable: bool = False) -> QAction:
        action = QAction(text, self._reader)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(checkable)
        tip = text.replace("&", "")
        if not action.shortcut().isEmpty():
            tip = f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        self._reader.addAction(action)
        return action

    def set_enabled(self, on: bool) -> None:
        """Only while a message is on screen (the toggles stay: they apply to the next message too)."""
        for action in (self.view_source, self.print, self.save_pdf):
            action.setEnabled(on)

    def add_to_menu(self, menu: QMenu, *, section: bool = False) -> None:
        """List the actions in `menu` (`section`: after a separator, below what the menu holds)."""
        if section:
            menu.addSeparator()
        menu.addActions([self.plain_text, self.full_headers, self.view_source])
        menu.addSeparator()
        menu.addActions([self.zoom_in, self.zoom_out, self.zoom_reset])
        menu.addSeparator()
        menu.addActions([self.print, self.save_pdf])

    # --- what they do ---------------------------------------------------------------------------------
    def open_source(self) -> asyncio.Task[SourceWindow | None] | None:
        """View ▸ Message source: read and decode in worker threads, then show it in a window."""
        summary = self._reader.summary
        if summary is None:
            return None
        message_id, title, store = summary.id, summary.subject, self._reader.store

        async def load() -> SourceWindow | None:
            raw = await store.read(lambda reader: reader.raw_message(message_id))
            if raw is None:
                return None
            source = await asyncio.to_thread(decode_source, raw)
            window = SourceWindow(title, source, self._reader.window())
            window.show()
            return window

        return self._reader.ops.run(load(), label="Message source")

    def print_message(self) -> QPrintDialog:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self._reader)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            self._reader.body_view.print_to(printer)

        dialog.accepted.connect(accepted)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()
        return dialog

    def ask_save_pdf(self) -> QFileDialog:
        """View ▸ Save as PDF…: a file dialog (window-modal), then the PDF is written."""
        summary = self._reader.summary
        name = "".join(c for c in (summary.subject if summary else "") if c.isalnum() or c in " -_").strip()
        dialog = QFileDialog(
            self._reader,
            QCoreApplication.translate("ReaderActions", "Save as PDF"),
            f"{name or 'message'}.pdf",
            QCoreApplication.translate("ReaderActions", "PDF (*.pdf)"),
        )
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self._reader.ops.run(self._save(path), label="Save as PDF"))
        dialog.open()
        return dialog

    async def _save(self, path: str) -> None:
        if not await self._reader.body_view.save_pdf(path):
            raise ExportFailedError(
                QCoreApplication.translate("ReaderActions", "The message could not be saved as PDF."),
                hint=QCoreApplication.translate("ReaderActions", "Choose a folder you can write to, with free space."),
            )
