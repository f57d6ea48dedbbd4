"""The app's icons: the system icon theme's when it has one, else the SVG shipped in resources/icons/."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from realmail_desktop.core.bundle import resources_dir

ThemeName = str | QIcon.ThemeIcon

# Every icon RealMail draws: resources/icons/<name>.svg, and the theme icons that stand for it, best first.
# A theme icon wins so the app fits the desktop; offscreen, on bare Windows and macOS, and on desktops
# without an icon theme, the bundled SVG (one grey, #5f6368, on a 24 px grid) is used.
ICON_THEME_NAMES: dict[str, tuple[ThemeName, ...]] = {
    "realmail": (),  # the window icon is always ours
    "paperclip": (QIcon.ThemeIcon.MailAttachment, "mail-attachment"),
    "star": ("starred", "emblem-favorite"),
    "star-outline": ("non-starred",),
    "all-inboxes": ("mail-folder-inbox", "mail-inbox"),
    "inbox": ("mail-folder-inbox", "mail-inbox"),
    "drafts": ("mail-folder-drafts", "document-edit"),
    "send": ("mail-folder-sent", "mail-folder-outbox", "mail-send"),
    "archive": ("mail-folder-archive", "folder-archive"),
    "all-mail": ("mail-folder-all", "folder-mail"),
    "junk": ("mail-folder-junk", "mail-mark-junk"),
    "trash": ("user-trash",),
    "folder": ("folder",),
    "folder-new": ("folder-new",),
    "account": ("folder-remote",),
    "account-add": ("list-add-user", "contact-new"),
    "get-mail": ("mail-receive", "mail-get", "view-refresh"),
    "import": ("document-import",),
    "export": ("document-export",),
    "mark-read": ("mail-mark-read",),
    "move": ("mail-move",),
    "delete": (QIcon.ThemeIcon.EditDelete, "edit-delete"),
    "drive-link": ("folder-cloud", "cloud-upload"),  # a composer attachment that goes as a Google Drive link
}

# Bundled icons in more than the one grey keep their colours on a selected row.
_COLOURED = frozenset({"realmail", "star"})
# The sizes a derived icon is drawn at (QIcon picks the nearest for each size and device pixel ratio).
_DRAWN_SIZES = (16, 20, 24, 32, 48, 64)
# cacheKey() of every one-grey bundled icon handed out (faded ones too): those may be recoloured.
_one_grey: set[int] = set()
_recoloured: dict[tuple[int, int], QIcon] = {}


def swatch(color: str, size: int = 14) -> QIcon:
    """A filled square of an account's colour (an empty icon for none): the folder tree and Arrange accounts."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color) if color else QColor(Qt.GlobalColor.transparent))
    return QIcon(pixmap)


def icon_path(name: str) -> Path:
    """The bundled SVG of an icon in ICON_THEME_NAMES."""
    return resources_dir() / "icons" / f"{name}.svg"


@cache
def app_icon(name: str) -> QIcon:
    """The icon called `name` (a key of ICON_THEME_NAMES): the theme's, else the bundled SVG. Cached for the
    life of the process, so a theme change while RealMail runs shows after a restart. Needs a QGuiApplication."""
    if name not in ICON_THEME_NAMES:
        raise KeyError(f"no icon named {name!r} (add it to ICON_THEME_NAMES and resources/icons/)")
    themed = theme_icon(*ICON_THEME_NAMES[name])
    if not themed.isNull():
        return themed
    icon = QIcon(str(icon_path(name)))
    if name not in _COLOURED:
        _one_grey.add(icon.cacheKey())
    return icon


@cache
def faded_icon(name: str, opacity: float = 0.35) -> QIcon:
    """`app_icon(name)` drawn at `opacity`: a quiet mark such as the unstarred star in every list row."""
    source = app_icon(name)
    faded = _drawn(source, opacity=opacity)
    if source.cacheKey() in _one_grey:
        _one_grey.add(faded.cacheKey())
    return faded


def in_colour(icon: QIcon, colour: QColor) -> QIcon:
    """A one-grey bundled icon drawn in `colour` (a selected row's text colour, so it stays readable on the
    highlight); any other icon — a theme's, a coloured one — as it is."""
    key = icon.cacheKey()
    if key not in _one_grey:
        return icon
    recoloured = _recoloured.get((key, colour.rgba()))
    if recoloured is None:
        recoloured = _recoloured[key, colour.rgba()] = _drawn(icon, colour=colour)
    return recoloured


def _drawn(source: QIcon, *, opacity: float = 1.0, colour: QColor | None = None) -> QIcon:
    """`source` as pixmaps, at `opacity` and, given `colour`, in that colour (its alpha kept)."""
    icon = QIcon()
    for size in _DRAWN_SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setOpacity(opacity)
        source.paint(painter, 0, 0, size, size)
        if colour is not None:
            painter.setOpacity(1.0)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
            painter.fillRect(pixmap.rect(), colour)
        painter.end()
        # The same pixmap when selected: Qt would otherwise tint it with the highlight colour.
        icon.addPixmap(pixmap, QIcon.Mode.Normal)
        icon.addPixmap(pixmap, QIcon.Mode.Selected)
    return icon


def theme_icon(*names: ThemeName) -> QIcon:
    """The first of `names` the icon theme provides; a null icon when none is (offscreen, bare Windows)."""
    for name in names:
        if QIcon.hasThemeIcon(name):
            return QIcon.fromTheme(name)
    return QIcon()
