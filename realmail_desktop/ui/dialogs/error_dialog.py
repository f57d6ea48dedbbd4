"""The one error display: known errors as a warning in plain words, bugs as a crash box with the traceback."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def show_known_error(parent: QWidget | None, message: str, hint: str = "") -> QMessageBox:
    """A window-modal warning; returned so callers (and tests) can follow it. It deletes itself on close."""
    box = QMessageBox(QMessageBox.Icon.Warning, "RealMail", message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("knownErrorBox")
    box.setInformativeText(hint)
    return _open(box)


def show_bug(parent: QWidget | None, summary: str, traceback: str) -> QMessageBox:
    """A crash box: what failed in one line, the traceback under "Show Details…" for a bug report."""
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        QCoreApplication.translate("ErrorDialog", "RealMail — something went wrong"),
        QCoreApplication.translate("ErrorDialog", "RealMail hit a bug and could not finish what it was doing."),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("bugBox")
    box.setInformativeText(
        QCoreApplication.translate(
            "ErrorDialog", "{summary}\n\nThe details are in the log; please include them in a bug report."
        ).format(summary=summary)
    )
    box.setDetailedText(traceback)
    return _open(box)


def _open(box: QMessageBox) -> QMessageBox:
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextFormat(Qt.TextFormat.PlainText)
    # open(), not exec(): a nested event loop under qasync would re-enter the asyncio loop.
    box.open()
    return box
