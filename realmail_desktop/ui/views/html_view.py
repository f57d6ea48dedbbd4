"""HtmlMailView: the QtWebEngine view of one sanitised HTML mail — no scripts, no navigation, no unasked fetches.

The document and its `cid:` parts are served from memory by the view's own `MailProfile` (web_profile.py),
one off-the-record profile per reader window. A click on a link never navigates the view: it is reported
(`linkClicked`) and the reader opens it in the system browser. Dark mode keeps mail readable by drawing it
on a light "paper" card (mail_document.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QContextMenuEvent, QPalette
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QMenu, QWidget

from realmail_desktop.ui.views.mail_document import mail_document
from realmail_desktop.ui.views.web_engine import MESSAGE_SCHEME
from realmail_desktop.ui.views.web_profile import MailProfile


class _MailPage(QWebEnginePage):
    """Allows only loads of our own documents; every link click is reported instead of followed."""

    linkClicked = Signal(QUrl)

    def acceptNavigationRequest(
        self, url: QUrl | str, kind: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        url = QUrl(url)
        if url.scheme().lower() == MESSAGE_SCHEME:
            return True  # our document (or an anchor inside it: the sanitiser allows no other href to it)
        if kind == QWebEnginePage.NavigationType.NavigationTypeLinkClicked:
            self.linkClicked.emit(url)
        return False


class HtmlMailView(QWebEngineView):
    """Shows mail documents (`show_document`); zoom, find and PDF through QWebEngineView/QWebEnginePage.

    Signals: linkClicked(QUrl) when the person clicks a link (never followed here); linkHovered(str url)
    with "" when the pointer leaves it; pdfSaved(str path, bool ok) after `save_pdf`.
    """

    linkClicked = Signal(QUrl)
    linkHovered = Signal(str)
    pdfSaved = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mailHtmlBody")
        # Order matters at exit: the page is this view's child before the profile is, so Qt deletes it
        # first; a profile deleted before its page crashes Chromium.
        self.mail_profile = MailProfile()
        self._page = _MailPage(self.mail_profile.profile, self)
        self.mail_profile.setParent(self)
        self.setPage(self._page)
        self._page.linkClicked.connect(self.linkClicked)
        self._page.linkHovered.connect(self.linkHovered)
        self._page.pdfPrintingFinished.connect(self.pdfSaved)
        self._shown = 0
        self.apply_palette()

    @property
    def profile(self) -> QWebEngineProfile:
        return self.mail_profile.profile

    def apply_palette(self) -> None:
        self._page.setBackgroundColor(self.palette().color(QPalette.ColorRole.Window))

    def show_document(self, document: str, inline: Mapping[str, tuple[str, bytes]], *, remote_allowed: bool) -> None:
        """Load `document` (a whole HTML page); `loadFinished` follows. Remote requests only if allowed."""
        self._shown += 1
        path = f"/message/{self._shown}"  # a new URL per showing: nothing cached answers for another message
        self.mail_profile.schemes.set_content(path, document.encode("utf-8", "surrogatepass"), inline)
        self.mail_profile.interceptor.remote_allowed = remote_allowed
        self.load(QUrl(f"{MESSAGE_SCHEME}:{path}"))

    def clear_body(self) -> None:
        self.mail_profile.interceptor.remote_allowed = False
        self.show_document(mail_document("", dark=False), {}, remote_allowed=False)

    def save_pdf(self, path: str) -> None:
        """Write the shown message as PDF to `path`; `pdfSaved` reports the outcome."""
        self._page.printToPdf(path)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        # Chromium's own menu offers Back, Reload, "Open link in new window", "Save page": none fit a mail.
        menu = QMenu(self)
        action = QWebEnginePage.WebAction
        menu.addAction(self._page.action(action.Copy))
        request = self.lastContextMenuRequest()
        if request is not None and not request.linkUrl().isEmpty():
            menu.addAction(self._page.action(action.CopyLinkToClipboard))
        menu.addAction(self._page.action(action.SelectAll))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())
