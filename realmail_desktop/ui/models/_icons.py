"""Theme icon lookup shared by the list and tree models: the first icon the platform has, or a null QIcon."""

from __future__ import annotations

from PySide6.QtGui import QIcon


def theme_icon(*names: str | QIcon.ThemeIcon) -> QIcon:
    """The first of `names` the icon theme provides; a null icon when none is (offscreen, bare Windows)."""
    for name in names:
        if QIcon.hasThemeIcon(name):
            return QIcon.fromTheme(name)
    return QIcon()
