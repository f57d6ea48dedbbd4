"""The app's icons: every name in use has a clean bundled SVG that loads offscreen; recolouring; the delegate."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPalette, QStandardItemModel
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView

from realmail_desktop.core.bundle import resources_dir
from realmail_desktop.ui.icons import ICON_THEME_NAMES, app_icon, faded_icon, icon_path, in_colour
from realmail_desktop.ui.models.folder_tree import _ROLE_ICONS
from realmail_desktop.ui.views.icon_delegate import IconDelegate

pytestmark = pytest.mark.gui

ICONS_DIR = resources_dir() / "icons"
PACKAGE = Path(__file__).resolve().parents[2] / "realmail_desktop"
SVG = "{http://www.w3.org/2000/svg}"


def names_in_source() -> set[str]:
    """Icon names passed as literals to app_icon/faded_icon, and the folder tree's role icons."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r"(?:app_icon|faded_icon)\(\s*\"([^\"]+)\"", text))
    names.update(_ROLE_ICONS.values())
    return names


def test_every_icon_in_use_is_registered_and_bundled() -> None:
    used = names_in_source()
    assert {"paperclip", "star", "star-outline", "inbox", "realmail", "delete"} <= used
    assert used <= ICON_THEME_NAMES.keys()
    bundled = {path.stem for path in ICONS_DIR.glob("*.svg")}
    assert bundled == set(ICON_THEME_NAMES)  # no icon without a file, no file without a name


@pytest.mark.parametrize("name", sorted(ICON_THEME_NAMES))
def test_each_icon_loads_offscreen_from_its_svg(name: str, qapp: object) -> None:
    bundled = QIcon(str(icon_path(name)))  # what shows offscreen, where there is no icon theme
    assert not bundled.isNull()
    for size in (16, 24):
        image = bundled.pixmap(size, size).toImage()
        assert not image.isNull()
        assert any(image.pixelColor(x, y).alpha() > 0 for x in range(size) for y in range(size)), name
    icon = app_icon(name)
    assert isinstance(icon, QIcon) and not icon.isNull()
    assert app_icon(name) is icon  # cached
    assert not faded_icon(name).isNull()


@pytest.mark.parametrize("path", sorted(ICONS_DIR.glob("*.svg")), ids=lambda path: path.stem)
def test_svgs_are_self_contained(path: Path) -> None:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") in {"0 0 16 16", "0 0 24 24", "0 0 256 256"}
    for element in root.iter():
        assert element.tag.removeprefix(SVG) not in {"script", "image", "use", "foreignObject", "style"}
        for attribute, value in element.attrib.items():
            assert "href" not in attribute and not attribute.startswith("on"), (path.name, attribute)
            assert "url(" not in value, (path.name, attribute)


def test_unknown_names_fail_loudly(qapp: object) -> None:
    with pytest.raises(KeyError, match="no icon named 'nope'"):
        app_icon("nope")
    assert icon_path("inbox") == ICONS_DIR / "inbox.svg"


def test_one_grey_icons_recolour_and_coloured_ones_do_not(qapp: object) -> None:
    white = QColor("white")
    paperclip = app_icon("paperclip")
    recoloured = in_colour(paperclip, white)
    assert recoloured is not paperclip and in_colour(paperclip, white) is recoloured  # cached
    assert opaque_colours(recoloured) == {white.rgb()}
    assert in_colour(app_icon("star"), white) is app_icon("star")  # keeps its yellow on a highlight
    assert in_colour(QIcon(), white).isNull()
    faded = faded_icon("star-outline")
    assert max(QColor.fromRgba(rgba).alpha() for rgba in pixels(faded)) < 128  # a quiet mark
    assert opaque_colours(in_colour(faded, white), min_alpha=1) == {white.rgb()}


def test_icon_only_cells_centre_the_icon_and_selection_recolours_it(qapp: object) -> None:
    model = QStandardItemModel(1, 1)
    model.setData(model.index(0, 0), app_icon("paperclip"), Qt.ItemDataRole.DecorationRole)
    view = QTableView()
    view.setModel(model)
    delegate = IconDelegate(view, icon_only=True)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = QRect(0, 0, 60, 30)
    option.decorationSize = QSize(16, 16)

    def painted(selected: bool) -> QImage:
        option.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Active
        if selected:
            option.state |= QStyle.StateFlag.State_Selected
        image = QImage(60, 30, QImage.Format.Format_ARGB32)
        image.fill(QColor(0, 0, 0, 0))
        painter = QPainter(image)
        delegate.paint(painter, option, model.index(0, 0))
        painter.end()
        return image

    image = painted(selected=False)
    grey = [(x, y) for x in range(60) for y in range(30) if image.pixelColor(x, y).name() == "#5f6368"]
    xs, ys = [x for x, _ in grey], [y for _, y in grey]
    assert abs((min(xs) + max(xs)) / 2 - 29.5) <= 1.5 and abs((min(ys) + max(ys)) / 2 - 14.5) <= 1.5
    image = painted(selected=True)
    text = option.palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText)
    assert any(image.pixelColor(x, y) == text for x in range(20, 40) for y in range(7, 23))


def pixels(icon: QIcon, size: int = 24) -> list[int]:
    image = icon.pixmap(size, size).toImage().convertToFormat(QImage.Format.Format_ARGB32)
    return [image.pixel(x, y) for x in range(image.width()) for y in range(image.height())]


def opaque_colours(icon: QIcon, min_alpha: int = 200) -> set[int]:
    """The colours (alpha dropped) of the pixels at least `min_alpha` opaque."""
    colours = (QColor.fromRgba(rgba) for rgba in pixels(icon))
    return {colour.rgb() for colour in colours if colour.alpha() >= min_alpha}
