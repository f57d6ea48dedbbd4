"""ShortcutsDialog (Help ▸ Keyboard shortcuts, or ?): every shortcut of a window, read from its actions.

The sheet is generated, never written by hand: `window_shortcuts` lists the actions that belong to a window
(on the window itself or on a widget inside it), so a new action with a key shows up here by itself, and the
conflict test (tests/ui/test_shortcuts.py) checks the same list.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True, slots=True)
class Shortcut:
    """One action's keys: `text` without its & mnemonic, `keys` as the platform writes them."""

    text: str
    keys: tuple[str, ...]
    portable: tuple[str, ...]  # the same keys in Qt's portable form (for comparing)


def _owner_window(action: QAction) -> QWidget | None:
    parent: QObject | None = action.parent()
    return parent.window() if isinstance(parent, QWidget) else None


def window_shortcuts(window: QWidget) -> list[Shortcut]:
    """Every action of `window` that has a shortcut, in creation order (actions of child windows excluded)."""
    found: list[Shortcut] = []
    for action in window.findChildren(QAction):
        if _owner_window(action) is not window or not action.shortcuts():
            continue
        native = QKeySequence.SequenceFormat.NativeText
        found.append(
            Shortcut(
                text=action.text().replace("&&", "\0").replace("&", "").replace("\0", "&"),
                keys=tuple(key.toString(native) for key in action.shortcuts()),
                portable=tuple(key.toString() for key in action.shortcuts()),
            )
        )
    return found


class ShortcutsDialog(QDialog):
    """A two-column table: what, and the keys."""

    def __init__(self, window: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        shortcuts = sorted(window_shortcuts(window), key=lambda s: s.text.casefold())
        self.table = QTableWidget(len(shortcuts), 2, self)
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Keys")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, shortcut in enumerate(shortcuts):
            self.table.setItem(row, 0, QTableWidgetItem(shortcut.text.removesuffix("…")))
            self.table.setItem(row, 1, QTableWidgetItem(self.tr(" or ").join(shortcut.keys)))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(460, 560)

    def rows(self) -> list[tuple[str, str]]:
        cells = ((self.table.item(r, 0), self.table.item(r, 1)) for r in range(self.table.rowCount()))
        return [(what.text(), keys.text()) for what, keys in cells if what is not None and keys is not None]
