"""Import mail…: choose an .eml/mbox file or a Maildir/.eml folder and the folder to import into; the report."""

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

from realmail_desktop.transfer import ImportReport
from realmail_desktop.ui.dialogs.folder_chooser import FolderChoice

_MAIL_FILES = "Mail files (*.eml *.mbox *.mbx *.mbs);;All files (*)"
_PROBLEMS_SHOWN = 5


def fill_folder_combo(combo: QComboBox, choices: list[FolderChoice], default_folder_id: int | None) -> None:
    for choice in choices:
        combo.addItem(choice.label, choice.folder_id)
    index = combo.findData(default_folder_id) if default_folder_id is not None else -1
    combo.setCurrentIndex(max(index, 0))


class ImportDialog(QDialog):
    """Where from (`source()`) and where to (`target_folder_id()`); OK is enabled once both are known."""

    def __init__(
        self, choices: list[FolderChoice], default_folder_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import mail")
        self.setObjectName("importDialog")
        self._source: Path | None = None

        self._path = QLineEdit(self)
        self._path.setReadOnly(True)
        self._path.setPlaceholderText("An .eml or mbox file, or a Maildir or folder of .eml files")
        choose_file = QPushButton("Choose file…", self)
        choose_file.clicked.connect(lambda: self._choose(QFileDialog.FileMode.ExistingFile))
        choose_folder = QPushButton("Choose folder…", self)
        choose_folder.clicked.connect(lambda: self._choose(QFileDialog.FileMode.Directory))
        source_row = QHBoxLayout()
        source_row.addWidget(self._path, 1)
        source_row.addWidget(choose_file)
        source_row.addWidget(choose_folder)

        self._target = QComboBox(self)
        fill_folder_combo(self._target, choices, default_folder_id)

        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Import from:", source_row)
        form.addRow("Into folder:", self._target)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._buttons)
        self.resize(560, 0)
        self._update_ok()

    def source(self) -> Path | None:
        return self._source

    def set_source(self, path: Path) -> None:
        self._source = path
        self._path.setText(str(path))
        self._update_ok()

    def target_folder_id(self) -> int | None:
        data = self._target.currentData()
        return None if data is None else int(data)

    def select_target(self, folder_id: int) -> None:
        self._target.setCurrentIndex(self._target.findData(folder_id))
        self._update_ok()

    def _choose(self, mode: QFileDialog.FileMode) -> None:
        chooser = QFileDialog(self, "Choose mail to import")
        chooser.setFileMode(mode)
        if mode is QFileDialog.FileMode.Directory:
            chooser.setOption(QFileDialog.Option.ShowDirsOnly)
        else:
            chooser.setNameFilter(_MAIL_FILES)
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.fileSelected.connect(lambda chosen: self.set_source(Path(chosen)))
        chooser.open()

    def _update_ok(self) -> None:
        ready = self._source is not None and self.target_folder_id() is not None
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ready)


def show_import_report(parent: QWidget | None, source: Path, report: ImportReport) -> QMessageBox:
    """What the import did, with the first problems listed and all of them under "Show Details…"."""
    noun = "message" if report.imported == 1 else "messages"
    lines = []
    if report.duplicates:
        lines.append(f"{report.duplicates:,} were already there and were not imported twice.")
    if report.skipped:
        lines.append(f"{report.skipped:,} could not be read and were skipped:")
        lines.extend(f"• {problem}" for problem in report.problems[:_PROBLEMS_SHOWN])
        if len(report.problems) > _PROBLEMS_SHOWN:
            lines.append(f"…and {len(report.problems) - _PROBLEMS_SHOWN:,} more (see the details).")
    icon = QMessageBox.Icon.Warning if report.skipped else QMessageBox.Icon.Information
    box = QMessageBox(
        icon,
        "Import finished",
        f"Imported {report.imported:,} {noun} from {source.name or source}.",
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("importReport")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText("\n".join(lines))
    if report.problems:
        box.setDetailedText("\n".join(report.problems))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
