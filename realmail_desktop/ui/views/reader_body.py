"""ReaderBody: where a message body shows — the QtWebEngine view for HTML mail, the QTextBrowser for the rest.

The web view (`html_view.py`) is built lazily, with the first HTML message, so start-up never pays for
Chromium; where QtWebEngine cannot run, HTML mail shows in the QTextBrowser (`mail_browser.py`). Below the
body a status line shows a hovered link's real target, and warns when its text names another domain.
Highlighting (search terms), zoom and PDF/print work the same on both.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QFileInfo, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFrame, QLabel, QMessageBox, QStackedWidget, QVBoxLayout, QWidget

from realmail_desktop.mail.highlight import mark_terms
from realmail_desktop.mail.links import DeceptiveLink
from realmail_desktop.ui.views.mail_browser import CLICKABLE_SCHEMES, MailBrowser
from realmail_desktop.ui.views.mail_document import is_dark, mail_document

if TYPE_CHECKING:  # QtWebEngine loads only with the first HTML message
    from realmail_desktop.ui.views.html_view import HtmlMailView

ZOOM_STEPS = (0.5, 0.67, 0.75, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
_NORMAL = ZOOM_STEPS.index(1.0)


@dataclass(frozen=True, slots=True)
class _Content:
    html: str
    inline: Mapping[str, tuple[str, bytes]]
    remote_allowed: bool
    rich: bool  # mail HTML (web view when available), or our own markup (plain text, notes)
    note: str = ""  # a line of ours above the mail (plain text)


def _url_key(url: str) -> str:
    return QUrl(url).toString(QUrl.ComponentFormattingOption.FullyEncoded)


class ReaderBody(QWidget):
    """Shows one body at a time (`show_html`, `show_text`).

    Signals: shown() once what was asked last is on screen (for the web view: after loadFinished);
    linkOpened(QUrl) after a clicked link was handed to the system browser.
    """

    shown = Signal()
    linkOpened = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None, *, web_engine: bool) -> None:
        super().__init__(parent)
        self._web_engine = web_engine
        self._html_view: HtmlMailView | None = None
        self._awaiting_load = False  # a document was handed to the web view and has not finished loading
        self._content: _Content | None = None
        self._terms: tuple[str, ...] = ()
        self._zoom = _NORMAL
        self._deceptive: dict[str, DeceptiveLink] = {}

        self.browser = MailBrowser(self)
        self.browser.setFrameShape(QFrame.Shape.NoFrame)
        self.browser.linkHovered.connect(self._on_link_hovered)
        self.browser.open_link = self.open_link
        self._base_font = QFont(self.browser.font())
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.browser)
        self._link_line = QLabel(self)
        self._link_line.setObjectName("linkTarget")
        self._link_line.setTextFormat(self._link_line.textFormat().PlainText)
        self._link_line.setContentsMargins(8, 2, 8, 2)
        self._link_line.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._stack, 1)
        layout.addWidget(self._link_line)

    # --- what is shown --------------------------------------------------------------------------------
    @property
    def html_view(self) -> HtmlMailView | None:
        """The QtWebEngine view, once an HTML message needed it (None before, or without QtWebEngine)."""
        return self._html_view

    def web_view(self) -> HtmlMailView | None:
        """The QtWebEngine view, built now if it was not yet (None without QtWebEngine)."""
        return self._ensure_html_view() if self._web_engine else None

    @property
    def showing_web_view(self) -> bool:
        return self._html_view is not None and self._stack.currentWidget() is self._html_view

    def link_line_text(self) -> str | None:
        return None if self._link_line.isHidden() else self._link_line.text()

    def show_html(
        self,
        body_html: str,
        inline: Mapping[str, tuple[str, bytes]],
        *,
        remote_allowed: bool,
        deceptive: Sequence[DeceptiveLink] = (),
        note: str = "",
    ) -> None:
        """A sanitised HTML mail body (`note`: a line of ours above it); `shown` follows once it is drawn."""
        self._deceptive = {_url_key(link.href): link for link in deceptive}
        self._content = _Content(body_html, inline, remote_allowed, rich=True, note=note)
        self._draw()

    def show_text(self, body_html: str) -> None:
        """Our own markup (a plain-text body made HTML, a note): always the QTextBrowser; `shown` at once."""
        self._deceptive = {}
        self._content = _Content(body_html, {}, remote_allowed=False, rich=False)
        self._draw()

    def clear(self) -> None:
        self._content = None
        self._deceptive = {}
        self._link_line.hide()
        self.browser.clear_body()
        self._stack.setCurrentWidget(self.browser)

    def set_highlight(self, terms: Sequence[str]) -> None:
        """Mark `terms` in the body on screen and in every body shown after (empty: no highlight)."""
        terms = tuple(term for term in terms if term.strip())
        if terms != self._terms:
            self._terms = terms
            if self._content is not None:
                self._draw()

    def _draw(self) -> None:
        content = self._content
        assert content is not None
        self._link_line.hide()
        body = mark_terms(content.html, self._terms) if self._terms else content.html
        dark = is_dark(self.palette())
        if content.rich and self._web_engine:
            view = self._ensure_html_view()
            self._stack.setCurrentWidget(view)
            window = self.palette().color(self.palette().ColorRole.Window)
            view.apply_palette()
            self._awaiting_load = True
            view.show_document(
                mail_document(body, dark=dark, window_color=window, note=content.note),
                content.inline,
                remote_allowed=content.remote_allowed,
            )
            return
        self._stack.setCurrentWidget(self.browser)
        if content.note:
            body = f"<p><i>{html.escape(content.note)}</i></p>{body}"
        self.browser.show_body(body, content.inline, remote_allowed=content.remote_allowed, paper=content.rich and dark)
        self.shown.emit()

    def _ensure_html_view(self) -> HtmlMailView:
        if self._html_view is None:
            from realmail_desktop.ui.views.html_view import HtmlMailView

            view = HtmlMailView(self._stack)
            view.loadFinished.connect(self._on_load_finished)
            view.linkHovered.connect(self._on_link_hovered)
            view.linkClicked.connect(self.open_link)
            view.setZoomFactor(ZOOM_STEPS[self._zoom])
            self._stack.addWidget(view)
            self._html_view = view
        return self._html_view

    def _on_load_finished(self, ok: bool) -> None:
        # A refused navigation (a clicked link) and a load replaced by a newer one both end with ok=False;
        # only our document arriving counts (its URL is the last one asked for).
        if ok and self._awaiting_load and self.showing_web_view:
            self._awaiting_load = False
            self.shown.emit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # The desktop switched between light and dark: draw the body on screen again with the new backdrop.
        if event.type() == QEvent.Type.PaletteChange and self._content is not None and self._content.rich:
            self._draw()

    # --- links ----------------------------------------------------------------------------------------
    def _on_link_hovered(self, url: str) -> None:
        if not url:
            self._link_line.hide()
            return
        link = self._deceptive.get(_url_key(url))
        display = QUrl(url).toDisplayString()
        if link is not None:
            self._link_line.setText(f"⚠ {link.warning} — {display}")
            self._link_line.setProperty("warning", True)
            self._link_line.setStyleSheet("QLabel { color: #b00020; font-weight: bold; }")
        else:
            self._link_line.setText(display)
            self._link_line.setProperty("warning", False)
            self._link_line.setStyleSheet("")
        self._link_line.show()

    def open_link(self, url: QUrl) -> QMessageBox | None:
        """A clicked link: http(s) and mailto go to the desktop's handler; nothing else goes anywhere.

        A link whose text names another domain than it goes to asks first (the box is returned).
        """
        if url.scheme().lower() not in CLICKABLE_SCHEMES:
            return None
        link = self._deceptive.get(_url_key(url.toString()))
        if link is None:
            self._open(url)
            return None
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Open this link?"), f"{link.warning}.", parent=self)
        box.setObjectName("deceptiveLinkBox")
        box.setInformativeText(
            self.tr("It opens {url}\nOpen it only if you trust this message.").format(url=url.toDisplayString())
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        go = box.addButton(self.tr("Open {address}").format(address=link.actual), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self._open(url) if button is go else None)
        box.open()
        return box

    def _open(self, url: QUrl) -> None:
        QDesktopServices.openUrl(url)
        self.linkOpened.emit(url)

    # --- zoom, PDF, print -----------------------------------------------------------------------------
    @property
    def zoom_factor(self) -> float:
        return ZOOM_STEPS[self._zoom]

    def zoom_in(self) -> None:
        self._set_zoom(min(self._zoom + 1, len(ZOOM_STEPS) - 1))

    def zoom_out(self) -> None:
        self._set_zoom(max(self._zoom - 1, 0))

    def zoom_reset(self) -> None:
        self._set_zoom(_NORMAL)

    def _set_zoom(self, step: int) -> None:
        self._zoom = step
        if self._html_view is not None:
            self._html_view.setZoomFactor(ZOOM_STEPS[step])
        font = QFont(self._base_font)
        size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
        font.setPointSizeF(size * ZOOM_STEPS[step])
        self.browser.setFont(font)

    def save_pdf(self, path: str) -> asyncio.Future[bool]:
        """Write the body on screen as a PDF file; the future says whether it worked."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        view = self._html_view
        if view is not None and self.showing_web_view:

            def on_saved(saved: str, ok: bool) -> None:
                if saved == path and not future.done():
                    view.pdfSaved.disconnect(on_saved)
                    future.set_result(ok)

            view.pdfSaved.connect(on_saved)
            view.save_pdf(path)
        elif not QFileInfo(QFileInfo(path).absolutePath()).isWritable():
            future.set_result(False)  # QPrinter would only warn on the console
        else:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(path)
            self.browser.document().print_(printer)
            future.set_result(QFileInfo(path).size() > 0)  # QPrinter says nothing when it cannot write
        return future

    def print_to(self, printer: QPrinter) -> None:
        """Print the body on screen on `printer` (already set up by a print dialog)."""
        if self._html_view is not None and self.showing_web_view:
            self._html_view.print(printer)
        else:
            self.browser.document().print_(printer)
