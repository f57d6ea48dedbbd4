"""Choosing a folder: the "Account / path" labels every folder picker shows, and the Move to… dialog."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.store import StoreReader


@dataclass(frozen=True, slots=True)
class FolderChoice:
    folder_id: int
    label: str


def folder_choices(reader: StoreReader) -> list[FolderChoice]:
    """Every folder of every account, in tree order, labelled "Account / path"."""
    names = {account.id: account.name for account in reader.accounts()}
    return [
        FolderChoice(folder.id, f"{names.get(folder.account_id, '?')} / {folder.path}")
        for folder in reader.folders()
        if folder.account_id in names
    ]


class FolderChooserDialog(QDialog):
    """Pick one folder from a list (double-click or OK accepts); `selected_folder_id()` tells which."""

    def __init__(
        self,
        choices: list[FolderChoice],
        *,
        title: str | None = None,
        prompt: str | None = None,
        exclude: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title if title is not None else self.tr("Move to"))
        self.setObjectName("folderChooser")
        self._list = QListWidget(self)
        for choice in choices:
            if choice.folder_id == exclude:
                continue
            item = QListWidgetItem(choice.label, self._list)
            item.setData(Qt.ItemDataRole.UserRole, choice.folder_id)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self._list.itemDoubleClicked.connect(lambda _item: self.accept())
        self._list.currentItemChanged.connect(lambda current, _old: self._update_ok(current))
        if self._list.count():
            self._list.setCurrentRow(0)
        self._update_ok(self._list.currentItem())

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt if prompt is not None else self.tr("Move the selected messages to:"), self))
        layout.addWidget(self._list)
        layout.addWidget(self._buttons)
        self.resize(360, 420)

    def selected_folder_id(self) -> int | None:
        item = self._list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def select_folder(self, folder_id: int) -> bool:
        """Make `folder_id` the current choice; False when it is not offered."""
        for row in range(self._list.count()):
            item = self._list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == folder_id:
                self._list.setCurrentItem(item)
                return True
        return False

    def _update_ok(self, current: QListWidgetItem | None) -> None:
        ok = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(current is not None)
