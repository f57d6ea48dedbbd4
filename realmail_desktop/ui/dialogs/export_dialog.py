"""Export folder…: which folder, which format (mbox, Maildir, .eml files), where to; and the report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.transfer import ExportFormat, ExportReport
from realmail_desktop.ui.dialogs.folder_chooser import FolderChoice
from realmail_desktop.ui.dialogs.import_dialog import fill_folder_combo

_FORMATS: tuple[tuple[str, ExportFormat], ...] = (
    ("mbox file (Thunderbird, Apple Mail, most clients)", ExportFormat.MBOX),
    ("Maildir folder", ExportFormat.MAILDIR),
    (".eml files (one file per message)", ExportFormat.EML),
)


class ExportDialog(QDialog):
    """`folder_id()`, `export_format()` and `destination()`; OK is enabled once a destination is chosen."""

    def __init__(
        self, choices: list[FolderChoice], default_folder_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export folder")
        self.setObjectName("exportDialog")
        self._destination: Path | None = None

        self._folder = QComboBox(self)
        fill_folder_combo(self._folder, choices, default_folder_id)
        self._format = QComboBox(self)
        for label, fmt in _FORMATS:
            self._format.addItem(label, fmt.value)
        self._format.currentIndexChanged.connect(lambda _index: self._clear_destination())

        self._path = QLineEdit(self)
        self._path.setReadOnly(True)
        self._path.setPlaceholderText("Where to write the export")
        choose = QPushButton("Choose…", self)
        choose.clicked.connect(self._choose)
        destination_row = QHBoxLayout()
        destination_row.addWidget(self._path, 1)
        destination_row.addWidget(choose)

        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Folder:", self._folder)
        form.addRow("Format:", self._format)
        form.addRow("Save to:", destination_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._buttons)
        self.resize(560, 0)
        self._update_ok()

    def folder_id(self) -> int | None:
        data = self._folder.currentData()
        return None if data is None else int(data)

    def export_format(self) -> ExportFormat:
        return ExportFormat(self._format.currentData())

    def set_export_format(self, fmt: ExportFormat) -> None:
        self._format.setCurrentIndex(self._format.findData(fmt.value))

    def destination(self) -> Path | None:
        return self._destination

    def set_destination(self, path: Path) -> None:
        self._destination = path
        self._path.setText(str(path))
        self._update_ok()

    def _clear_destination(self) -> None:
        self._destination = None
        self._path.clear()
        self._update_ok()

    def _choose(self) -> None:
        chooser = QFileDialog(self, "Export to")
        if self.export_format() is ExportFormat.MBOX:
            chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            chooser.setFileMode(QFileDialog.FileMode.AnyFile)
            chooser.setNameFilter("mbox files (*.mbox);;All files (*)")
            chooser.setDefaultSuffix("mbox")
            name = self._folder.currentText().rsplit("/", 1)[-1].strip()
            chooser.selectFile(f"{name or 'folder'}.mbox")
        else:
            chooser.setFileMode(QFileDialog.FileMode.Directory)
            chooser.setOption(QFileDialog.Option.ShowDirsOnly)
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.fileSelected.connect(lambda chosen: self.set_destination(Path(chosen)))
        chooser.open()

    def _update_ok(self) -> None:
        ready = self._destination is not None and self.folder_id() is not None
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ready)


def show_export_report(parent: QWidget | None, report: ExportReport) -> QMessageBox:
    noun = "message" if report.exported == 1 else "messages"
    box = QMessageBox(
        QMessageBox.Icon.Information,
        "Export finished",
        f"Exported {report.exported:,} {noun}.",
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("exportReport")
    box.setTextFormat(Qt.TextFormat.PlainText)
    details = [f"Written to {report.destination}."]
    if report.skipped:
        details.append(f"{report.skipped:,} messages were skipped: their bodies are not stored on this computer.")
    box.setInformativeText("\n".join(details))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
