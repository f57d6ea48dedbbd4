"""What Import mail… and Export folder… share: `PathField`, the `PathDialog` skeleton and `open_report_box`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
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

from realmail_desktop.ui.dialogs.folder_chooser import FolderChoice

SetUpChooser = Callable[[QFileDialog], None]
"""Readies the file dialog a "Choose…" button opens: its file mode, filters, suggested name."""


def fill_folder_combo(combo: QComboBox, choices: list[FolderChoice], default_folder_id: int | None) -> None:
    for choice in choices:
        combo.addItem(choice.label, choice.folder_id)
    index = combo.findData(default_folder_id) if default_folder_id is not None else -1
    combo.setCurrentIndex(max(index, 0))


class PathField(QWidget):
    """A read-only path and one "Choose…" button per way of choosing it; `pathChosen` when the user has chosen."""

    pathChosen = Signal(Path)

    def __init__(
        self,
        placeholder: str,
        caption: str,
        choosers: Sequence[tuple[str, SetUpChooser]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._path: Path | None = None
        self._caption = caption
        self._edit = QLineEdit(self)
        self._edit.setReadOnly(True)
        self._edit.setPlaceholderText(placeholder)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._edit, 1)
        for label, set_up in choosers:
            row.addWidget(self._choose_button(label, set_up))

    def path(self) -> Path | None:
        return self._path

    def set_path(self, path: Path) -> None:
        self._path = path
        self._edit.setText(str(path))

    def clear(self) -> None:
        self._path = None
        self._edit.clear()

    def _choose_button(self, label: str, set_up: SetUpChooser) -> QPushButton:
        button = QPushButton(label, self)
        button.clicked.connect(lambda: self._choose(set_up))
        return button

    def _choose(self, set_up: SetUpChooser) -> None:
        chooser = QFileDialog(self.window(), self._caption)
        set_up(chooser)
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.fileSelected.connect(lambda chosen: self._chosen(Path(chosen)))
        chooser.open()

    def _chosen(self, path: Path) -> None:
        self.set_path(path)
        self.pathChosen.emit(path)


class PathDialog(QDialog):
    """A form over OK/Cancel with a folder (`_folder`) and a path (`_path_field`); OK is enabled once both are
    known. Subclasses make their widgets in tab order, then `_lay_out` the rows."""

    _path_field: PathField
    _folder: QComboBox
    _buttons: QDialogButtonBox

    def __init__(self, title: str, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName(object_name)

    def _make_path_field(
        self, placeholder: str, caption: str, choosers: Sequence[tuple[str, SetUpChooser]]
    ) -> PathField:
        self._path_field = PathField(placeholder, caption, choosers, self)
        self._path_field.pathChosen.connect(lambda _path: self._update_ok())
        return self._path_field

    def _make_folder_combo(self, choices: list[FolderChoice], default_folder_id: int | None) -> QComboBox:
        self._folder = QComboBox(self)
        fill_folder_combo(self._folder, choices, default_folder_id)
        return self._folder

    def _lay_out(self, ok_text: str, rows: Sequence[tuple[str, QWidget]]) -> None:
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)

        form = QFormLayout()
        for label, field in rows:
            form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._buttons)
        self.resize(560, 0)
        self._update_ok()

    def _set_path(self, path: Path) -> None:
        self._path_field.set_path(path)
        self._update_ok()

    def _clear_path(self) -> None:
        self._path_field.clear()
        self._update_ok()

    def _folder_id(self) -> int | None:
        data = self._folder.currentData()
        return None if data is None else int(data)

    def _select_folder(self, folder_id: int) -> None:
        self._folder.setCurrentIndex(self._folder.findData(folder_id))
        self._update_ok()

    def _update_ok(self) -> None:
        ready = self._path_field.path() is not None and self._folder_id() is not None
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ready)


def open_report_box(
    parent: QWidget | None,
    *,
    object_name: str,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    informative: str,
    details: str = "",
) -> QMessageBox:
    """An import's or an export's report: plain text, `details` (if any) under "Show Details…"; opened, and
    deleted once closed."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName(object_name)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(informative)
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
