"""Export folder…: which folder, which format (mbox, Maildir, .eml files), where to; and the report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QComboBox, QFileDialog, QMessageBox, QWidget

from realmail_desktop.transfer import ExportFormat, ExportReport
from realmail_desktop.ui.dialogs.folder_chooser import FolderChoice
from realmail_desktop.ui.dialogs.path_dialog import PathDialog, open_report_box

_FORMATS: tuple[tuple[str, ExportFormat], ...] = (  # marked for pyside6-lupdate; translated where shown
    (str(QT_TRANSLATE_NOOP("ExportDialog", "mbox file (Thunderbird, Apple Mail, most clients)")), ExportFormat.MBOX),
    (str(QT_TRANSLATE_NOOP("ExportDialog", "Maildir folder")), ExportFormat.MAILDIR),
    (str(QT_TRANSLATE_NOOP("ExportDialog", ".eml files (one file per message)")), ExportFormat.EML),
)


class ExportDialog(PathDialog):
    """`folder_id()`, `export_format()` and `destination()`; OK is enabled once a destination is chosen."""

    def __init__(
        self, choices: list[FolderChoice], default_folder_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(QCoreApplication.translate("ExportDialog", "Export folder"), "exportDialog", parent)
        folder = self._make_folder_combo(choices, default_folder_id)
        self._format = QComboBox(self)
        for label, fmt in _FORMATS:
            self._format.addItem(QCoreApplication.translate("ExportDialog", label), fmt.value)
        self._format.currentIndexChanged.connect(lambda _index: self._clear_path())
        destination = self._make_path_field(
            self.tr("Where to write the export"), self.tr("Export to"), ((self.tr("Choose…"), self._set_up_chooser),)
        )
        self._lay_out(
            self.tr("Export"),
            ((self.tr("Folder:"), folder), (self.tr("Format:"), self._format), (self.tr("Save to:"), destination)),
        )

    def folder_id(self) -> int | None:
        return self._folder_id()

    def export_format(self) -> ExportFormat:
        return ExportFormat(self._format.currentData())

    def set_export_format(self, fmt: ExportFormat) -> None:
        self._format.setCurrentIndex(self._format.findData(fmt.value))

    def destination(self) -> Path | None:
        return self._path_field.path()

    def set_destination(self, path: Path) -> None:
        self._set_path(path)

    def _set_up_chooser(self, chooser: QFileDialog) -> None:
        if self.export_format() is ExportFormat.MBOX:
            chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            chooser.setFileMode(QFileDialog.FileMode.AnyFile)
            chooser.setNameFilter(self.tr("mbox files (*.mbox);;All files (*)"))
            chooser.setDefaultSuffix("mbox")
            name = self._folder.currentText().rsplit("/", 1)[-1].strip()
            chooser.selectFile(f"{name or 'folder'}.mbox")
        else:
            chooser.setFileMode(QFileDialog.FileMode.Directory)
            chooser.setOption(QFileDialog.Option.ShowDirsOnly)


def show_export_report(parent: QWidget | None, report: ExportReport) -> QMessageBox:
    details = [
        QCoreApplication.translate("ExportDialog", "Written to {destination}.").format(destination=report.destination)
    ]
    if report.skipped:
        details.append(
            QCoreApplication.translate(
                "ExportDialog", "{count:,} messages were skipped: their bodies are not stored on this computer."
            ).format(count=report.skipped)
        )
    if report.exported == 1:
        text = QCoreApplication.translate("ExportDialog", "Exported {count:,} message.").format(count=report.exported)
    else:
        text = QCoreApplication.translate("ExportDialog", "Exported {count:,} messages.").format(count=report.exported)
    return open_report_box(
        parent,
        object_name="exportReport",
        icon=QMessageBox.Icon.Information,
        title=QCoreApplication.translate("ExportDialog", "Export finished"),
        text=text,
        informative="\n".join(details),
    )
