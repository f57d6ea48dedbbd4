"""The Label… dialog (Gmail): tick the labels the selected messages should have, untick those to take off."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget


class LabelDialog(QDialog):
    """One checkable row per label folder of the account: checked when every selected message has the label,
    partly checked when some have it (left so, nothing changes for that label). `changes()` after OK."""

    def __init__(
        self,
        labels: Sequence[tuple[int, str]],
        having: Mapping[int, int],
        selected: int,
        parent: QWidget | None = None,
    ) -> None:
        """`labels`: (folder id, name) of each label; `having`: folder id → how many of the `selected`
        messages have that label."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Label"))
        self.setObjectName("labelDialog")
        self._before: dict[int, Qt.CheckState] = {}
        self._list = QListWidget(self)
        for folder_id, name in labels:
            count = having.get(folder_id, 0)
            state = (
                Qt.CheckState.Checked
                if count >= selected
                else Qt.CheckState.PartiallyChecked
                if count
                else Qt.CheckState.Unchecked
            )
            item = QListWidgetItem(name, self._list)
            item.setData(Qt.ItemDataRole.UserRole, folder_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            if state is Qt.CheckState.PartiallyChecked:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserTristate)
            item.setCheckState(state)
            self._before[folder_id] = state
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Labels of the selected messages:"), self))
        layout.addWidget(self._list)
        layout.addWidget(buttons)

    def set_checked(self, folder_id: int, checked: bool) -> None:
        for row in range(self._list.count()):
            item = self._list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == folder_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def changes(self) -> tuple[list[int], list[int]]:
        """(label folders to add, label folders to take off): only the rows the person changed."""
        add: list[int] = []
        remove: list[int] = []
        for row in range(self._list.count()):
            item = self._list.item(row)
            folder_id = int(item.data(Qt.ItemDataRole.UserRole))
            state = item.checkState()
            if state == self._before[folder_id] or state is Qt.CheckState.PartiallyChecked:
                continue
            (add if state is Qt.CheckState.Checked else remove).append(folder_id)
        return add, remove
