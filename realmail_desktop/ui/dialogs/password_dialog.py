"""Passwords the person types: "Re-enter password" for an account the server refused, storing a password in
the keyring off the GUI thread, and the plain question when there is no keyring to store it in."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QMessageBox, QVBoxLayout, QWidget

from realmail_desktop.auth import SecretStore
from realmail_desktop.core.errors import KeyringUnavailableError

KEEP_FOR_SESSION = str(
    QT_TRANSLATE_NOOP("PasswordDialog", "Keep the password for this session only?")
)  # translated where shown


async def store_password(secrets: SecretStore, account_id: int, password: str) -> KeyringUnavailableError | None:
    """Put the password in the keyring (which may block on D-Bus or an unlock prompt, so in a worker thread);
    the error, returned rather than raised, when there is no keyring: the caller asks the person what to do."""
    try:
        await asyncio.to_thread(secrets.set_password, account_id, password)
    except KeyringUnavailableError as exc:
        return exc
    return None


def ask_keep_for_session(
    parent: QWidget | None,
    error: KeyringUnavailableError,
    on_answer: Callable[[bool], None],
    *,
    no_text: str | None = None,
) -> QMessageBox:
    """Ask, in plain words, whether to keep a password in memory until RealMail quits; `on_answer(True)` when
    the person says yes. Window-modal (never a nested event loop); it deletes itself when answered."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        QCoreApplication.translate("PasswordDialog", "No keyring"),
        QCoreApplication.translate("PasswordDialog", KEEP_FOR_SESSION),
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setObjectName("keepForSessionBox")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(
        QCoreApplication.translate(
            "PasswordDialog",
            "{message}\n\nRealMail can keep it in memory until you quit, and will ask for it again next time.",
        ).format(message=error.message)
    )
    keep = box.addButton(
        QCoreApplication.translate("PasswordDialog", "Keep for this session"), QMessageBox.ButtonRole.YesRole
    )
    if no_text is None:
        no_text = QCoreApplication.translate("PasswordDialog", "Don't keep it")
    box.addButton(no_text, QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(keep)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: on_answer(button is keep))
    box.open()
    return box


class PasswordDialog(QDialog):
    """Re-enter password: one password field for an account the server refused; OK once it is not empty.
    `password()` is what was typed."""

    def __init__(self, account_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Re-enter password"))
        self.setObjectName("passwordDialog")
        prompt = QLabel(self.tr("Enter the password for {account}.").format(account=account_label), self)
        prompt.setTextFormat(Qt.TextFormat.PlainText)
        prompt.setWordWrap(True)
        self._password = QLineEdit(self)
        self._password.setObjectName("password")
        self._password.setEchoMode(QLineEdit.EchoMode.Password)
        self._password.setPlaceholderText(self.tr("Password"))
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self._password.textChanged.connect(lambda _text: self._update_ok())
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self._password)
        layout.addWidget(self._buttons)
        self._update_ok()
        self.resize(380, self.sizeHint().height())

    def password(self) -> str:
        return self._password.text()

    def set_password(self, password: str) -> None:
        self._password.setText(password)

    def accept(self) -> None:
        if self.password():
            super().accept()

    def _update_ok(self) -> None:
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.password()))
