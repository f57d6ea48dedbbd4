"""Account → Arrange accounts…: every account in the folder list's order, to rename, move up or down, and give a
colour (a small palette; the store keeps '#rrggbb'). Each change is written at once through the store's
account repository (via Ops) and the list re-reads the store when it reports the change."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.core.events import Changes
from realmail_desktop.store import Account, Store
from realmail_desktop.ui.icons import swatch
from realmail_desktop.ui.ops import Ops

COLORS: tuple[tuple[str, str], ...] = (  # names marked for pyside6-lupdate; translated where shown
    (str(QT_TRANSLATE_NOOP("AccountsDialog", "No colour")), ""),
    (str(QT_TRANSLATE_NOOP("AccountsDialog", "Red")), "#d64541"),
    (str(QT_TRANSLATE_NOOP("AccountsDialog", "Orange")), "#e67e22"),
    (str(QT_TRANSLATE_NOOP("AccountsDialog", "Yellow")), "#d4ac0d"),
    (str(QT_TRANSLATE_NOOP("AccountsDialog", "Green")), "#27ae60"),
    (str(QT_TRANSLATE_NOOP("AccountsDialog", "Teal")), "#16a085"),
    (str(QT_TRANSLATE_NOOP("AccountsDialog", "Blue")), "#2e86de"),
    (str(QT_TRANSLATE_NOOP("AccountsDialog", "Purple")), "#8e44ad"),
    (str(QT_TRANSLATE_NOOP("AccountsDialog", "Grey")), "#7f8c8d"),
)


class AccountsDialog(QDialog):
    """The accounts list with Rename…, Move up, Move down and a colour choice for the selected account.
    `on_store_changed(changes)` (the window forwards `storeChanged`) re-reads the list and keeps the selection."""

    def __init__(self, store: Store, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Arrange accounts"))
        self.setObjectName("accountsDialog")
        self._reader, self._accounts, self._ops = store.reader, store.accounts, ops
        self.list = QListWidget(self)
        self.list.setObjectName("accountList")
        self.list.setAccessibleName(self.tr("Accounts"))
        self.rename_button = QPushButton(self.tr("Rename…"), self)
        self.up_button = QPushButton(self.tr("Move up"), self)
        self.down_button = QPushButton(self.tr("Move down"), self)
        self.color_combo = QComboBox(self)
        self.color_combo.setObjectName("accountColor")
        for label, color in COLORS:
            self.color_combo.addItem(swatch(color), QCoreApplication.translate("AccountsDialog", label), color)
        self.rename_button.clicked.connect(self.rename_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.color_combo.activated.connect(lambda index: self.set_color(str(self.color_combo.itemData(index))))
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        side = QVBoxLayout()
        for widget in (self.rename_button, self.up_button, self.down_button, self.color_combo):
            side.addWidget(widget)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.reload()

    # --- reading ------------------------------------------------------------------------------------------------
    def reload(self) -> None:
        selected = self.selected()
        self.list.clear()
        for account in self._reader.accounts():
            item = QListWidgetItem(swatch(account.color), account.name, self.list)
            item.setData(Qt.ItemDataRole.UserRole, account.id)
            item.setToolTip(account.address)
            if selected is not None and account.id == selected.id:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self._update_buttons()

    def on_store_changed(self, changes: Changes) -> None:
        if changes.accounts:
            self.reload()

    def names(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def selected(self) -> Account | None:
        item = self.list.currentItem()
        if item is None:
            return None
        account_id = item.data(Qt.ItemDataRole.UserRole)
        return next((a for a in self._reader.accounts() if a.id == account_id), None)

    def select(self, account_id: int) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == account_id:
                self.list.setCurrentRow(i)

    # --- changing -----------------------------------------------------------------------------------------------
    def rename_selected(self) -> QInputDialog | None:
        account = self.selected()
        if account is None:
            return None
        dialog = QInputDialog(self)
        dialog.setObjectName("renameAccountDialog")
        dialog.setWindowTitle(self.tr("Rename account"))
        dialog.setLabelText(self.tr("New name for {account}:").format(account=account.address or account.name))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setTextValue(account.name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(
            lambda name: self._ops.run(self._accounts.rename_account(account.id, name), label="Rename account")
        )
        dialog.open()
        return dialog

    def move_selected(self, offset: int) -> None:
        account = self.selected()
        if account is not None:
            self._ops.run(self._accounts.move_account(account.id, offset), label="Move account")

    def set_color(self, color: str) -> None:
        account = self.selected()
        if account is not None:
            self._ops.run(self._accounts.set_account_color(account.id, color), label="Colour account")

    def _update_buttons(self) -> None:
        row = self.list.currentRow()
        self.rename_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.list.count() - 1)
        self.color_combo.setEnabled(row >= 0)
        account = self.selected()
        if account is not None:
            index = self.color_combo.findData(account.color)
            self.color_combo.setCurrentIndex(max(index, 0))
