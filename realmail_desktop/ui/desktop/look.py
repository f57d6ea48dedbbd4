"""The look: light or dark, following the system's colour scheme or the person's choice (Settings ▸ General).

Qt ≥ 6.8 asks the platform theme for the scheme (`QStyleHints.setColorScheme`); where the platform does not
honour the request (offscreen, older desktops) a Fusion-style dark or the style's light palette is set on the
application instead. "System" drops any palette of ours and lets Qt follow the desktop again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from realmail_desktop.ui.desktop.desktop_settings import ColorScheme

_REQUEST = {
    ColorScheme.SYSTEM: Qt.ColorScheme.Unknown,
    ColorScheme.LIGHT: Qt.ColorScheme.Light,
    ColorScheme.DARK: Qt.ColorScheme.Dark,
}
_DARK_LIGHTNESS = 128


def dark_palette() -> QPalette:
    """A dark palette in the manner of Fusion's (contrast checked by eye on the three panes and dialogs)."""
    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    base, window, text = QColor("#1e1f22"), QColor("#2b2d30"), QColor("#e6e6e6")
    for r, colour in (
        (role.Window, window),
        (role.WindowText, text),
        (role.Base, base),
        (role.AlternateBase, QColor("#26282b")),
        (role.ToolTipBase, window),
        (role.ToolTipText, text),
        (role.PlaceholderText, QColor("#8c8c8c")),
        (role.Text, text),
        (role.Button, window),
        (role.ButtonText, text),
        (role.BrightText, QColor("#ff6b6b")),
        (role.Light, QColor("#3c3f41")),
        (role.Midlight, QColor("#34373a")),
        (role.Mid, QColor("#202225")),
        (role.Dark, QColor("#151618")),
        (role.Shadow, QColor("#000000")),
        (role.Highlight, QColor("#3574f0")),
        (role.HighlightedText, QColor("#ffffff")),
        (role.Link, QColor("#6ea6ff")),
        (role.LinkVisited, QColor("#b48cff")),
    ):
        p.setColor(r, colour)
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#7a7a7a"))
    return p


def is_dark(app: QApplication) -> bool:
    """Whether the application is showing dark colours now (by the scheme, else by the window colour)."""
    if app.styleHints().colorScheme() is Qt.ColorScheme.Dark:
        return True
    return app.palette().color(QPalette.ColorRole.Window).lightness() < _DARK_LIGHTNESS


def apply_color_scheme(app: QApplication, scheme: ColorScheme) -> bool:
    """Light, dark, or the system's; returns whether the result is dark."""
    hints = app.styleHints()
    wanted = _REQUEST[scheme]
    hints.setColorScheme(wanted)
    if scheme is ColorScheme.SYSTEM:
        app.setPalette(QPalette())  # an empty palette: Qt resolves every role from the platform's again
    elif hints.colorScheme() is not wanted:  # the platform ignored the request: paint it ourselves
        style = app.style()
        app.setPalette(dark_palette() if scheme is ColorScheme.DARK else style.standardPalette())
    else:
        app.setPalette(QPalette())
    return is_dark(app)
