"""IdentitiesDialog: an account's From identities — name, address, Reply-To, signature; add, remove, default.

Each change is written at once through `store.identities` (via Ops); the list is read again after it.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.core.events import Changes
from realmail_desktop.mail.recipients import is_valid_address
from realmail_desktop.store import Identity, Store
from realmail_desktop.ui.ops import Ops


class IdentitiesDialog(QDialog):
    def __init__(self, store: Store, ops: Ops, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identitiesDialog")
        account = next((a for a in store.reader.accounts() if a.id == account_id), None)
        self.setWindowTitle(self.tr("Identities — {name}").format(name=account.name if account else ""))
        self._store = store
        self._ops = ops
        self._account_id = account_id
        self._pending_select: int | None = None  # the identity just added, selected once the list is read
        self.list = QListWidget(self)
        self.list.setObjectName("identityList")
        self.name_field = QLineEdit(self)
        self.address_field = QLineEdit(self)
        self.reply_to_field = QLineEdit(self)
        self.reply_to_field.setPlaceholderText(self.tr("(answers come to the From address)"))
        self.signature_field = QPlainTextEdit(self)
        self.signature_field.setPlaceholderText(self.tr("Added under “-- ” in new messages and replies"))
        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name_field)
        form.addRow(self.tr("Address:"), self.address_field)
        form.addRow(self.tr("Reply-To:"), self.reply_to_field)
        form.addRow(self.tr("Signature:"), self.signature_field)
        self.save_button = QPushButton(self.tr("Save changes"), self)
        self.add_button = QPushButton(self.tr("Add as new"), self)
        self.default_button = QPushButton(self.tr("Make default"), self)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.save_button.clicked.connect(self.save_current)
        self.add_button.clicked.connect(self.add_new)
        self.default_button.clicked.connect(self.make_default)
        self.remove_button.clicked.connect(self.remove_current)
        buttons_row = QHBoxLayout()
        for button in (self.save_button, self.add_button, self.default_button, self.remove_button):
            buttons_row.addWidget(button)
        # One setting for all accounts, kept with the profile: how long "Undo" is offered after Send.
        self.undo_delay = QSpinBox(self)
        self.undo_delay.setObjectName("undoDelay")
        self.undo_delay.setRange(0, 120)
        self.undo_delay.setSuffix(self.tr(" s"))
        self.undo_delay.setValue(store.reader.preferences.undo_send_seconds())
        self.undo_delay.valueChanged.connect(self._save_undo_delay)
        sending = QFormLayout()
        sending.addRow(self.tr("Undo send for (all accounts):"), self.undo_delay)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(form)
        layout.addLayout(buttons_row)
        layout.addLayout(sending)
        layout.addWidget(close)
        self.list.currentItemChanged.connect(lambda _now, _before: self._show_current())
        self.resize(520, 480)
        self._ops.run(self._store.identities.ensure_default(account_id), label="Identities", on_done=self._reload)

    def _save_undo_delay(self, seconds: int) -> None:
        self._ops.run(self._store.preferences.set_undo_send_seconds(seconds), label="Undo send delay")

    def identities(self) -> list[Identity]:
        return self._store.reader.identities.of_account(self._account_id)

    def current(self) -> Identity | None:
        item = self.list.currentItem()
        wanted = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return next((i for i in self.identities() if i.id == wanted), None)

    def _reload(self, _changes: object = None, select: int | None = None) -> None:
        """Read the list again; `select` (else the current identity, else the first) is made current."""
        current = self.current()
        keep = select if select is not None else (current.id if current else None)
        self.list.clear()
        chosen = 0
        for row, identity in enumerate(self.identities()):
            shown = f"{identity.name} <{identity.address}>" + (self.tr("  (default)") if identity.is_default else "")
            item = QListWidgetItem(shown)
            item.setData(Qt.ItemDataRole.UserRole, identity.id)
            self.list.addItem(item)
            if identity.id == keep:
                chosen = row
        if self.list.count():
            self.list.setCurrentRow(chosen)
        self._show_current()

    def _show_current(self) -> None:
        identity = self.current()
        self.name_field.setText(identity.name if identity else "")
        self.address_field.setText(identity.address if identity else "")
        self.reply_to_field.setText(identity.reply_to if identity else "")
        self.signature_field.setPlainText(identity.signature if identity else "")
        for button in (self.save_button, self.default_button, self.remove_button):
            button.setEnabled(identity is not None)

    def _run(self, work: Coroutine[Any, Any, Changes], label: str) -> None:
        self._ops.run(work, label=label, on_done=self._reload)

    def _addresses_ok(self) -> bool:
        """The address and Reply-To can be sent from (else a box says which is wrong, and nothing is saved)."""
        wrong = [
            text
            for text in (self.address_field.text().strip(), self.reply_to_field.text().strip())
            if text and not is_valid_address(text)
        ]
        if not self.address_field.text().strip():
            wrong.insert(0, self.tr("(no address)"))
        if wrong:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                self.tr("Identities"),
                self.tr("Not an e-mail address: {address}").format(address=wrong[0]),
                parent=self,
            )
            box.setObjectName("invalidIdentityBox")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
        return not wrong

    def save_current(self) -> None:
        identity = self.current()
        if identity is not None and self._addresses_ok():
            changed = identity.model_copy(
                update={
                    "name": self.name_field.text(),
                    "address": self.address_field.text(),
                    "reply_to": self.reply_to_field.text(),
                    "signature": self.signature_field.toPlainText(),
                }
            )
            self._run(self._store.identities.update(changed), "Save identity")

    def add_new(self) -> None:
        if not self._addresses_ok():
            return

        async def add() -> Changes:
            new_id, changes = await self._store.identities.add(
                self._account_id,
                self.name_field.text(),
                self.address_field.text(),
                signature=self.signature_field.toPlainText(),
                reply_to=self.reply_to_field.text(),
            )
            self._pending_select = new_id
            return changes

        self._ops.run(add(), label="Add identity", on_done=lambda _c: self._reload(select=self._pending_select))

    def make_default(self) -> None:
        identity = self.current()
        if identity is not None:
            self._run(self._store.identities.set_default(identity.id), "Make default")

    def remove_current(self) -> None:
        identity = self.current()
        if identity is not None:
            self._ops.run(self._store.identities.remove(identity.id), label="Remove identity", on_done=self._reload)
