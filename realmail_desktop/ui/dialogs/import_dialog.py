"""Import mail…: choose an .eml/mbox file or a Maildir/.eml folder and the folder to import into; the report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from realmail_desktop.transfer import ImportReport
from realmail_desktop.ui.dialogs.folder_chooser import FolderChoice
from realmail_desktop.ui.dialogs.path_dialog import PathDialog, fill_folder_combo, open_report_box

__all__ = ["ImportDialog", "fill_folder_combo", "show_import_report"]  # fill_folder_combo lived here first

_MAIL_FILES = "Mail files (*.eml *.mbox *.mbx *.mbs);;All files (*)"
_PROBLEMS_SHOWN = 5


def _set_up_file_chooser(chooser: QFileDialog) -> None:
    chooser.setFileMode(QFileDialog.FileMode.ExistingFile)
    chooser.setNameFilter(_MAIL_FILES)


def _set_up_folder_chooser(chooser: QFileDialog) -> None:
    chooser.setFileMode(QFileDialog.FileMode.Directory)
    chooser.setOption(QFileDialog.Option.ShowDirsOnly)


class ImportDialog(PathDialog):
    """Where from (`source()`) and where to (`target_folder_id()`); OK is enabled once both are known."""

    def __init__(
        self, choices: list[FolderChoice], default_folder_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Import mail", "importDialog", parent)
        source = self._make_path_field(
            "An .eml or mbox file, or a Maildir or folder of .eml files",
            "Choose mail to import",
            (("Choose file…", _set_up_file_chooser), ("Choose folder…", _set_up_folder_chooser)),
        )
        target = self._make_folder_combo(choices, default_folder_id)
        self._lay_out("Import", (("Import from:", source), ("Into folder:", target)))

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
    noun = "message" if report.imported == 1 else "messages"
    lines = []
    if report.duplicates:
        lines.append(f"{report.duplicates:,} were already there and were not imported twice.")
    if report.skipped:
        lines.append(f"{report.skipped:,} could not be read and were skipped:")
        lines.extend(f"• {problem}" for problem in report.problems[:_PROBLEMS_SHOWN])
        if len(report.problems) > _PROBLEMS_SHOWN:
            lines.append(f"…and {len(report.problems) - _PROBLEMS_SHOWN:,} more (see the details).")
    return open_report_box(
        parent,
        object_name="importReport",
        icon=QMessageBox.Icon.Warning if report.skipped else QMessageBox.Icon.Information,
        title="Import finished",
        text=f"Imported {report.imported:,} {noun} from {source.name or source}.",
        informative="\n".join(lines),
        details="\n".join(report.problems),
    )
