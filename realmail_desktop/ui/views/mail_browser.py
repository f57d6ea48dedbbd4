"""MailBrowser: the QTextBrowser that shows one message body and never reaches the network by itself.

It shows plain-text bodies and notes, and HTML mail where QtWebEngine cannot run (the web view is
`html_view.py`). It answers only `cid:` parts of the message and `data:` images, and refuses every other URL
whatever the person allowed (with a transparent pixel for images, never with data from anywhere): remote
content is only ever fetched by the web view.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Callable, Mapping

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QToolTip, QWidget

# Schemes a click may hand to the desktop (browser, mail composer); anything else (javascript:, file:,
# data:, custom app handlers) is ignored even though the sanitiser should already have removed it.
CLICKABLE_SCHEMES = frozenset({"http", "https", "mailto"})

# What a refused image gets instead: an empty answer makes QTextImageHandler try the src as a local file
# path (QImage.load(name)) and draw a "file" icon; a transparent pixel does neither.
BLOCKED_IMAGE = QImage(1, 1, QImage.Format.Format_ARGB32)
BLOCKED_IMAGE.fill(0)

_URL = re.compile(r"""\b(?:https?://|mailto:)[^\s<>"']+""", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def plain_text_html(text: str) -> str:
    """A plain-text body as HTML: every piece escaped, its http(s)/mailto URLs made into links."""
    pieces: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = match.group(0)
        # "see https://example.org/." — the full stop ends the sentence, not the URL
        stripped = url.rstrip(_TRAILING)
        if url[len(stripped) : len(stripped) + 1] == ")" and stripped.count("(") > stripped.count(")"):
            stripped += ")"
        start, end = match.start(), match.start() + len(stripped)
        link = html.escape(stripped, quote=True)
        pieces.append(html.escape(text[last:start], quote=True))
        pieces.append(f'<a href="{link}">{link}</a>')
        last = end
    pieces.append(html.escape(text[last:], quote=True))
    return f'<div style="white-space: pre-wrap;">{"".join(pieces)}</div>'


class MailBrowser(QTextBrowser):
    """Read-only body view: links open in the desktop's browser only when clicked (http, https, mailto).

    Signals: remoteBlocked(str url) each time the document asked for a resource this browser refused;
    linkHovered(str url) with "" when the pointer leaves a link.
    """

    remoteBlocked = Signal(str)
    linkHovered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mailBody")
        # openLinks=False as well: with it on, QTextBrowser navigates itself to a clicked URL (setSource).
        self.setOpenExternalLinks(False)
        self.setOpenLinks(False)
        self.anchorClicked.connect(self.on_anchor_clicked)
        self.highlighted.connect(self._show_link_target)
        self._inline: Mapping[str, tuple[str, bytes]] = {}
        self._remote_allowed = False
        self.document().setDocumentMargin(12)
        # Where a clicked http(s)/mailto link goes; the reader puts its own (which warns about deceptive links).
        self.open_link: Callable[[QUrl], object] = _open_externally

    @property
    def remote_allowed(self) -> bool:
        return self._remote_allowed

    def show_body(
        self,
        body_html: str,
        inline: Mapping[str, tuple[str, bytes]],
        *,
        remote_allowed: bool = False,
        paper: bool = False,
    ) -> None:
        """Show `body_html`; `paper` draws it dark-on-white whatever the palette (HTML mail in dark mode)."""
        self._inline = {_content_id(key): value for key, value in inline.items()}
        self._remote_allowed = remote_allowed
        self.setStyleSheet("QTextBrowser { background: #ffffff; color: #1a1a1a; }" if paper else "")
        # Resources cached for the previous message must not answer for this one.
        self.document().clear()
        self.setHtml(body_html)

    def clear_body(self) -> None:
        self._inline = {}
        self._remote_allowed = False
        self.document().clear()

    def loadResource(self, type: int, name: QUrl | str) -> object:
        name = QUrl(name)
        scheme = name.scheme().lower()
        if scheme == "cid":
            part = self._inline.get(_content_id(name.path()))
            if part is not None:
                return _resource(type, part[1])
        elif scheme == "data":
            data = _data_url_image(name)
            if data is not None:
                return _resource(type, data)
        # Everything else — http(s), file, ftp, relative paths — is refused, allowed or not: this browser
        # never fetches (see the module docstring), and file: must never leak local files into a message.
        if not name.isEmpty():
            self.remoteBlocked.emit(name.toString())
        return BLOCKED_IMAGE if type == QTextDocument.ResourceType.ImageResource.value else None

    def on_anchor_clicked(self, url: QUrl) -> None:
        if url.isRelative() and url.hasFragment() and not url.path():
            self.scrollToAnchor(url.fragment())
            return
        if url.scheme().lower() in CLICKABLE_SCHEMES:
            self.open_link(url)

    def _show_link_target(self, url: QUrl) -> None:
        # Show where a link really goes: the text of a phishing link says one thing, its href another.
        self.linkHovered.emit("" if url.isEmpty() else url.toString())
        if url.isEmpty():
            QToolTip.hideText()
        else:
            QToolTip.showText(self.cursor().pos(), url.toDisplayString(), self)


def _open_externally(url: QUrl) -> None:
    QDesktopServices.openUrl(url)


def _content_id(value: str) -> str:
    return value.strip().strip("<>").casefold()


def _resource(kind: int, data: bytes) -> object:
    if kind == QTextDocument.ResourceType.ImageResource.value:
        image = QImage.fromData(data)
        return None if image.isNull() else image
    return None


def _data_url_image(url: QUrl) -> bytes | None:
    header, _, payload = url.toString(QUrl.ComponentFormattingOption.FullyEncoded).partition(",")
    if not header.lower().startswith("data:image/") or not header.lower().endswith(";base64"):
        return None
    try:
        return base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError):
        return None
