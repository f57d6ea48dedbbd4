"""Routes Qt's own warnings into RealMail's log (area `qt`) instead of letting them spill onto stderr."""

from __future__ import annotations

import logging

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

from realmail_desktop.core.logs import get_logger

_log = get_logger("qt")
_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
# Platform plugins saying what they cannot do; expected offscreen and on minimal window managers.
_EXPECTED = ("does not support propagateSizeHints", "does not support setting the window icon")


def _handle(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = logging.DEBUG if any(text in message for text in _EXPECTED) else _LEVELS.get(kind, logging.WARNING)
    _log.log(level, "%s", message)


def route_qt_messages() -> None:
    qInstallMessageHandler(_handle)
