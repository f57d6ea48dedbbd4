"""The sync window choices (how much mail is kept offline) shared by the account dialogs, and the address check
the Add account form uses."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

_CONTEXT = "SyncWindow"  # the tr() context of the labels below (pyside6-lupdate reads it from QT_TRANSLATE_NOOP)
SYNC_WINDOWS: tuple[tuple[str, int], ...] = (  # labels marked for pyside6-lupdate; see sync_window_label()
    (str(QT_TRANSLATE_NOOP("SyncWindow", "Last 7 days")), 7),
    (str(QT_TRANSLATE_NOOP("SyncWindow", "Last 30 days")), 30),
    (str(QT_TRANSLATE_NOOP("SyncWindow", "Last 90 days")), 90),
    (str(QT_TRANSLATE_NOOP("SyncWindow", "Last year")), 365),
    (str(QT_TRANSLATE_NOOP("SyncWindow", "All mail")), 0),
)
DEFAULT_SYNC_WINDOW = 30


def sync_window_label(label: str) -> str:
    """A SYNC_WINDOWS label as shown (translated)."""
    return QCoreApplication.translate(_CONTEXT, label)


def is_address(text: str) -> bool:
    """Whether `text` looks like an e-mail address: something@somewhere, no spaces."""
    local, at, domain = text.strip().rpartition("@")
    return bool(at and local and domain) and not any(c.isspace() for c in text.strip())
