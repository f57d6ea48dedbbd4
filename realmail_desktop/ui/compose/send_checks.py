"""What the composer asks before sending: forgotten attachment, size over the limit; and the Send later dialog.

The boxes open window-modal (`open()`) with object names (`forgotAttachmentBox`, `sizeLimitBox`,
`invalidAddressBox`, `sendLaterDialog`) so tests find and answer them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDateTime, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

# marked for pyside6-lupdate; translated where shown
SEND_ANYWAY = str(QT_TRANSLATE_NOOP("SendChecks", "Send anyway"))
ATTACH_FILE = str(QT_TRANSLATE_NOOP("SendChecks", "Attach a file…"))


def _box(parent: QWidget, name: str, title: str, text: str, informative: str = "") -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName(name)
    box.setInformativeText(informative)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


def invalid_address_box(parent: QWidget, pieces: list[str]) -> QMessageBox:
    box = _box(
        parent,
        "invalidAddressBox",
        QCoreApplication.translate("SendChecks", "Check the recipients"),
        QCoreApplication.translate("SendChecks", "Some recipients are not e-mail addresses: {addresses}").format(
            addresses=", ".join(pieces)
        ),
        QCoreApplication.translate("SendChecks", "Correct the marked fields, then send again."),
    )
    box.setIcon(QMessageBox.Icon.Warning)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()
    return box


def ask(
    parent: QWidget,
    name: str,
    title: str,
    text: str,
    informative: str,
    *,
    on_send: Callable[[], None],
    on_attach: Callable[[], None] | None = None,
) -> QMessageBox:
    """A question before sending: "Send anyway" calls `on_send`; "Attach a file…" `on_attach`; Cancel nothing."""
    box = _box(parent, name, title, text, informative)
    send = box.addButton(QCoreApplication.translate("SendChecks", SEND_ANYWAY), QMessageBox.ButtonRole.AcceptRole)
    attach = (
        box.addButton(QCoreApplication.translate("SendChecks", ATTACH_FILE), QMessageBox.ButtonRole.ActionRole)
        if on_attach is not None
        else None
    )
    box.addButton(QMessageBox.StandardButton.Cancel)

    def clicked(button: QAbstractButton) -> None:
        if button is send:
            on_send()
        elif attach is not None and button is attach and on_attach is not None:
            on_attach()

    box.buttonClicked.connect(clicked)
    box.open()
    return box


class SendLaterDialog(QDialog):
    """Send later…: a date and time (at least a minute ahead); `send_at()` in Unix seconds."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sendLaterDialog")
        self.setWindowTitle(self.tr("Send later"))
        self.when = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600), self)
        self.when.setCalendarPopup(True)
        self.when.setMinimumDateTime(QDateTime.currentDateTime().addSecs(60))
        self.when.setDisplayFormat("ddd d MMM yyyy HH:mm")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Schedule"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Send this message on:"), self))
        layout.addWidget(self.when)
        layout.addWidget(buttons)

    def send_at(self) -> float:
        return max(float(self.when.dateTime().toSecsSinceEpoch()), time.time())
