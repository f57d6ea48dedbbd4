"""Folder commands of the main window: new, rename and delete a folder; import mail into one, export one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from realmail_desktop.store import Folder, FolderRole, Store
from realmail_desktop.transfer import ExportReport, ImportReport, MailTransfer
from realmail_desktop.ui.dialogs.export_dialog import ExportDialog, show_export_report
from realmail_desktop.ui.dialogs.folder_chooser import folder_choices
from realmail_desktop.ui.dialogs.import_dialog import ImportDialog, show_import_report
from realmail_desktop.ui.ops import Ops


class FolderCommands(QObject):
    """Opens the dialogs (window-modal, never a nested event loop) and runs what they decide through Ops.

    `current_folder` and `current_account` tell which folder/account the folder tree has selected;
    `select_folder` is called with a folder just created so the tree can show it.
    """

    def __init__(
        self,
        window: QWidget,
        store: Store,
        transfer: MailTransfer,
        ops: Ops,
        *,
        current_folder: Callable[[], int | None],
        current_account: Callable[[], int | None],
        select_folder: Callable[[int], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._store = store
        self._transfer = transfer
        self._ops = ops
        self._current_folder = current_folder
        self._current_account = current_account
        self._select_folder = select_folder

    def _folder(self) -> Folder | None:
        folder_id = self._current_folder()
        return self._store.reader.folder(folder_id) if folder_id is not None else None

    # --- folders ----------------------------------------------------------------------------------
    def new_folder(self) -> QInputDialog | None:
        account_id = self._current_account()
        if account_id is None:
            accounts = self._store.reader.accounts()
            if not accounts:
                return None
            account_id = accounts[0].id
        dialog = self._ask_name(
            self.tr("New folder"), self.tr("Name of the new folder (use / to put it inside another):"), ""
        )

        def create(name: str) -> None:
            self._ops.run(
                self._store.accounts.create_folder(account_id, name),
                label="Create folder",
                on_done=lambda result: self._select_folder(result[0].id),
            )

        dialog.textValueSelected.connect(create)
        dialog.open()
        return dialog

    def rename_folder(self) -> QInputDialog | None:
        folder = self._folder()
        if folder is None:
            return None
        dialog = self._ask_name(
            self.tr("Rename folder"), self.tr("New name for “{path}”:").format(path=folder.path), folder.path
        )

        def rename(path: str) -> None:
            if path.strip() != folder.path:
                self._ops.run(self._store.accounts.rename_folder(folder.id, path), label="Rename folder")

        dialog.textValueSelected.connect(rename)
        dialog.open()
        return dialog

    def delete_folder(self) -> QMessageBox | None:
        folder = self._folder()
        if folder is None:
            return None
        if folder.role is not None:
            # The store refuses special folders with a plain-words KnownError; show exactly that.
            self._run_delete(folder.id)
            return None
        count = folder.total_count
        question = (
            self.tr("Delete the folder “{path}” and the {count:,} messages in it?")
            if count
            else self.tr("Delete the folder “{path}”?")
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Delete folder"),
            question.format(path=folder.path, count=count),
            QMessageBox.StandardButton.NoButton,
            self._window,
        )
        box.setObjectName("deleteFolderBox")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(self.tr("Its subfolders are deleted too. This cannot be undone."))
        delete_button = box.addButton(self.tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: self._run_delete(folder.id) if button is delete_button else None)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def empty_trash(self) -> QMessageBox | None:
        """Asks, then deletes every message in the Trash of the selected folder's account for good."""
        account_id = self._current_account()
        trash = self._store.reader.folder_by_role(account_id, FolderRole.TRASH) if account_id is not None else None
        if trash is None or trash.total_count == 0:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Empty Trash"),
            self.tr("Delete the {count:,} messages in Trash for good?").format(count=trash.total_count),
            QMessageBox.StandardButton.NoButton,
            self._window,
        )
        box.setObjectName("emptyTrashBox")
        box.setInformativeText(self.tr("This cannot be undone."))
        empty_button = box.addButton(self.tr("Empty Trash"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(
            lambda button: (
                self._ops.run(self._store.messages.empty_folder(trash.id), label="Empty Trash")
                if button is empty_button
                else None
            )
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def _run_delete(self, folder_id: int) -> None:
        self._ops.run(self._store.accounts.delete_folder(folder_id), label="Delete folder")

    def _ask_name(self, title: str, label: str, text: str) -> QInputDialog:
        dialog = QInputDialog(self._window)
        dialog.setObjectName("folderNameDialog")
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setTextValue(text)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return dialog

    # --- import and export ------------------------------------------------------------------------
    def import_mail(self) -> ImportDialog:
        dialog = ImportDialog(folder_choices(self._store.reader), self._current_folder(), self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def start() -> None:
            source, folder_id = dialog.source(), dialog.target_folder_id()
            if source is not None and folder_id is not None:
                self.start_import(source, folder_id)

        dialog.accepted.connect(start)
        dialog.open()
        return dialog

    def start_import(self, source: Path, folder_id: int) -> None:
        def report(result: ImportReport) -> None:
            show_import_report(self._window, source, result)

        self._ops.run(self._transfer.import_path(source, folder_id), label=f"Import {source.name}", on_done=report)

    def export_folder(self) -> ExportDialog:
        dialog = ExportDialog(folder_choices(self._store.reader), self._current_folder(), self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def start() -> None:
            folder_id, destination = dialog.folder_id(), dialog.destination()
            if folder_id is not None and destination is not None:
                self._ops.run(
                    self._transfer.export_folder(folder_id, destination, dialog.export_format()),
                    label="Export folder",
                    on_done=self._report_export,
                )

        dialog.accepted.connect(start)
        dialog.open()
        return dialog

    def _report_export(self, report: ExportReport) -> None:
        show_export_report(self._window, report)
