"""IconDelegate: item views' icons readable on a selected row, and icon-only columns with the icon centred."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from realmail_desktop.ui.icons import in_colour

_SELECTED = QStyle.StateFlag.State_Selected
_ACTIVE = QStyle.StateFlag.State_Active
_HAS_DECORATION = QStyleOptionViewItem.ViewItemFeature.HasDecoration


class IconDelegate(QStyledItemDelegate):
    """The standard delegate, except that on a selected row the bundled one-grey icons take the highlighted
    text's colour (grey on the highlight is hard to see). With `icon_only` (the star and paper-clip columns)
    the cells have no text and the icon is drawn in the middle of the cell, not at its left edge."""

    def __init__(self, parent: QObject | None = None, *, icon_only: bool = False) -> None:
        super().__init__(parent)
        self._icon_only = icon_only

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        if option.state & _SELECTED and not option.icon.isNull():
            group = QPalette.ColorGroup.Active if option.state & _ACTIVE else QPalette.ColorGroup.Inactive
            option.icon = in_colour(option.icon, option.palette.color(group, QPalette.ColorRole.HighlightedText))

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if not self._icon_only:
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        # Copies: PySide hands out the option's own members, and the icon is cleared next.
        icon, size = QIcon(item.icon), QSize(item.decorationSize)
        item.icon = QIcon()
        item.features &= ~_HAS_DECORATION
        style = item.widget.style() if item.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, item.widget)  # background
        if not icon.isNull():
            target = QStyle.alignedRect(item.direction, Qt.AlignmentFlag.AlignCenter, size, item.rect)
            mode = QIcon.Mode.Selected if item.state & _SELECTED else QIcon.Mode.Normal
            icon.paint(painter, target, Qt.AlignmentFlag.AlignCenter, mode)
