"""Import mail…: choose an .eml/mbox file or a Maildir/.eml folder and the folder to import into; the report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from realmail_desktop.transfer import ImportReport
from realmail_desktop.ui.dialogs.folder_chooser import FolderChoice
from realmail_desktop.ui.dialogs.path_dialog import PathDialog, fill_folder_combo, open_report_box

__all__ = ["ImportDialog", "fill_folder_combo", "show_import_report"]  # fill_folder_combo lived here first

_PROBLEMS_SHOWN = 5


def _set_up_file_chooser(chooser: QFileDialog) -> None:
    chooser.setFileMode(QFileDialog.FileMode.ExistingFile)
    chooser.setNameFilter(
        QCoreApplication.translate("ImportDialog", "Mail files (*.eml *.mbox *.mbx *.mbs);;All files (*)")
    )


def _set_up_folder_chooser(chooser: QFileDialog) -> None:
    chooser.setFileMode(QFileDialog.FileMode.Directory)
    chooser.setOption(QFileDialog.Option.ShowDirsOnly)


class ImportDialog(PathDialog):
    """Where from (`source()`) and where to (`target_folder_id()`); OK is enabled once both are known."""

    def __init__(
        self, choices: list[FolderChoice], default_folder_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(QCoreApplication.translate("ImportDialog", "Import mail"), "importDialog", parent)
        source = self._make_path_field(
            self.tr("An .eml or mbox file, or a Maildir or folder of .eml files"),
            self.tr("Choose mail to import"),
            ((self.tr("Choose file…"), _set_up_file_chooser), (self.tr("Choose folder…"), _set_up_folder_chooser)),
        )
        target = self._make_folder_combo(choices, default_folder_id)
        self._lay_out(self.tr("Import"), ((self.tr("Import from:"), source), (self.tr("Into folder:"), target)))

    def source(self) -> Path | None:
        return self._path_field.path()

    def set_source(self, path: Path) -> None:
        self._set_path(path)

    def target_folder_id(self) -> int | None:
        return self._folder_id()

    def select_target(self, folder_id: int) -> None:
        self._select_folder(folder_id)


def show_import_report(parent: QWidget | None, source: Path, report: ImportReport) -> QMessageBox:
    """What the import did, with the first problems listed and all of them under "Show Details…"."""
    lines = []
    if report.duplicates:
        lines.append(
            QCoreApplication.translate(
                "ImportDialog", "{count:,} were already there and were not imported twice."
            ).format(count=report.duplicates)
        )
    if report.skipped:
        lines.append(
            QCoreApplication.translate("ImportDialog", "{count:,} could not be read and were skipped:").format(
                count=report.skipped
            )
        )
        lines.extend(f"• {problem}" for problem in report.problems[:_PROBLEMS_SHOWN])
        if len(report.problems) > _PROBLEMS_SHOWN:
            lines.append(
                QCoreApplication.translate("ImportDialog", "…and {count:,} more (see the details).").format(
                    count=len(report.problems) - _PROBLEMS_SHOWN
                )
            )
    source_name = source.name or str(source)
    if report.imported == 1:
        text = QCoreApplication.translate("ImportDialog", "Imported {count:,} message from {source}.")
    else:
        text = QCoreApplication.translate("ImportDialog", "Imported {count:,} messages from {source}.")
    return open_report_box(
        parent,
        object_name="importReport",
        icon=QMessageBox.Icon.Warning if report.skipped else QMessageBox.Icon.Information,
        title=QCoreApplication.translate("ImportDialog", "Import finished"),
        text=text.format(count=report.imported, source=source_name),
        informative="\n".join(lines),
        details="\n".join(report.problems),
    )
