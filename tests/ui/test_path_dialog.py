"""Import mail… and Export folder… on their own: the shared PathField, when OK is enabled, the file choosers."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QPushButton

from realmail_desktop.transfer import ExportFormat
from realmail_desktop.ui.dialogs.export_dialog import ExportDialog
from realmail_desktop.ui.dialogs.folder_chooser import FolderChoice
from realmail_desktop.ui.dialogs.import_dialog import ImportDialog
from realmail_desktop.ui.dialogs.path_dialog import PathDialog, PathField

pytestmark = pytest.mark.gui

CHOICES = [FolderChoice(1, "Local / Inbox"), FolderChoice(2, "Local / Work/Projects")]


def ok_enabled(dialog: PathDialog) -> bool:
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    return buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def open_chooser(dialog: PathDialog, label: str) -> QFileDialog:
    button = next(b for b in dialog.findChildren(QPushButton) if b.text() == label)
    button.click()
    chooser = dialog.findChild(QFileDialog)
    assert chooser is not None
    return chooser


async def test_import_ok_waits_for_a_source_and_a_folder() -> None:
    dialog = ImportDialog(CHOICES, 2)
    assert dialog.target_folder_id() == 2 and dialog.source() is None and not ok_enabled(dialog)
    dialog.set_source(Path("/mail/in.mbox"))
    assert dialog.source() == Path("/mail/in.mbox") and ok_enabled(dialog)
    dialog.select_target(1)
    assert dialog.target_folder_id() == 1

    no_folders = ImportDialog([], None)
    no_folders.set_source(Path("/mail/in.mbox"))
    assert no_folders.target_folder_id() is None and not ok_enabled(no_folders)


async def test_choosing_a_file_fills_the_field_and_enables_import() -> None:
    dialog = ImportDialog(CHOICES, 1)
    field = dialog.findChild(PathField)
    assert field is not None
    chosen: list[Path] = []
    field.pathChosen.connect(chosen.append)

    chooser = open_chooser(dialog, "Choose folder…")
    assert chooser.parent() is dialog and chooser.fileMode() is QFileDialog.FileMode.Directory
    chooser.fileSelected.emit("/mail/Maildir")
    chooser.reject()

    assert chosen == [Path("/mail/Maildir")]
    assert dialog.source() == Path("/mail/Maildir") and ok_enabled(dialog)


async def test_export_format_change_forgets_the_destination() -> None:
    dialog = ExportDialog(CHOICES, 2)
    assert dialog.folder_id() == 2 and dialog.export_format() is ExportFormat.MBOX and not ok_enabled(dialog)
    dialog.set_destination(Path("/out/Projects.mbox"))
    assert dialog.destination() == Path("/out/Projects.mbox") and ok_enabled(dialog)
    dialog.set_export_format(ExportFormat.MAILDIR)
    assert dialog.export_format() is ExportFormat.MAILDIR
    assert dialog.destination() is None and not ok_enabled(dialog)


async def test_export_chooser_suggests_an_mbox_named_after_the_folder() -> None:
    dialog = ExportDialog(CHOICES, 2)
    chooser = open_chooser(dialog, "Choose…")
    assert chooser.acceptMode() is QFileDialog.AcceptMode.AcceptSave and chooser.defaultSuffix() == "mbox"
    assert Path(chooser.selectedFiles()[0]).name == "Projects.mbox"
    chooser.fileSelected.emit("/out/Projects.mbox")
    chooser.reject()
    assert dialog.destination() == Path("/out/Projects.mbox") and ok_enabled(dialog)
