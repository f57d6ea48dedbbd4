"""The locked-down QtWebEngine profile of one reader: request interceptor, scheme handler, settings.

Every request a mail document makes passes `RemoteRequestInterceptor`: our own schemes (`realmail-body:` for
the document itself, `cid:` for its inline parts, both answered by `MailSchemeHandler` from memory) and
`data:` pass; http(s) images, style sheets and fonts pass only while the person allowed remote content for
the message on screen; everything else (navigation, frames, objects, media, websockets, file:, …) is
blocked. The profile is off the record (no disk cache, no cookies kept) with JavaScript and plugins off.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlSchemeHandler,
)

from realmail_desktop.ui.views.web_engine import CID_SCHEME, MESSAGE_SCHEME

_OUR_SCHEMES = frozenset({MESSAGE_SCHEME, CID_SCHEME, "data"})
_REMOTE_KINDS = frozenset(
    {
        QWebEngineUrlRequestInfo.ResourceType.ResourceTypeImage,
        QWebEngineUrlRequestInfo.ResourceType.ResourceTypeStylesheet,
        QWebEngineUrlRequestInfo.ResourceType.ResourceTypeFontResource,
    }
)


class RemoteRequestInterceptor(QWebEngineUrlRequestInterceptor):
    """Blocks every request but our schemes and `data:`; remote images/CSS/fonts only when `remote_allowed`.

    Signals: blocked(str url) for each refused request.
    """

    blocked = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.remote_allowed = False

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        scheme = url.scheme().lower()
        if scheme in _OUR_SCHEMES:
            return
        if self.remote_allowed and scheme in ("http", "https") and info.resourceType() in _REMOTE_KINDS:
            return
        info.block(True)
        self.blocked.emit(url.toString())


class MailSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers `realmail-body:` (the document on screen) and `cid:` (its inline parts) from memory.

    Signals: served(str url, bool found) after each answer; tests use it to see a cid: image was asked for.
    """

    served = Signal(str, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = QByteArray()
        self._document_path = ""
        self._inline: dict[str, tuple[str, bytes]] = {}

    def set_content(self, path: str, document: bytes, inline: Mapping[str, tuple[str, bytes]]) -> None:
        self._document_path = path
        self._document = QByteArray(document)
        self._inline = {content_id_key(key): value for key, value in inline.items()}

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        url = job.requestUrl()
        scheme = url.scheme().lower()
        answer: tuple[bytes, QByteArray] | None = None
        if scheme == MESSAGE_SCHEME and url.path() == self._document_path:
            answer = (b"text/html;charset=utf-8", self._document)
        elif scheme == CID_SCHEME:
            part = self._inline.get(content_id_key(url.path()))
            if part is not None and part[0].lower().startswith("image/"):
                answer = (part[0].encode("ascii", "replace"), QByteArray(part[1]))
        if answer is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            self.served.emit(url.toString(), False)
            return
        buffer = QBuffer(job)  # the job owns it: it lives as long as Chromium reads
        buffer.setData(answer[1])
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(answer[0], buffer)
        self.served.emit(url.toString(), True)


def content_id_key(value: str) -> str:
    """A Content-ID as a lookup key: "<Logo@X>", "logo@x" and a percent-encoded cid: path are one key."""
    return QUrl.fromPercentEncoding(value.strip().encode()).strip().strip("<>").casefold()


class MailProfile(QObject):
    """One reader window's off-the-record profile with its interceptor and scheme handler (kept referenced).

    Delete pages made with `profile` before this object: Chromium crashes at exit otherwise.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.profile = QWebEngineProfile(self)  # no storage name: off the record
        self.interceptor = RemoteRequestInterceptor(self)
        self.schemes = MailSchemeHandler(self)
        self.profile.setUrlRequestInterceptor(self.interceptor)
        for name in (MESSAGE_SCHEME, CID_SCHEME):
            self.profile.installUrlSchemeHandler(name.encode(), self.schemes)
        self.profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
        self.profile.setPersistentCookiesPolicy(QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies)
        self.profile.setSpellCheckEnabled(False)
        settings = self.profile.settings()
        attribute = QWebEngineSettings.WebAttribute
        for switch, on in (
            (attribute.JavascriptEnabled, False),
            (attribute.JavascriptCanOpenWindows, False),
            (attribute.JavascriptCanAccessClipboard, False),
            (attribute.PluginsEnabled, False),
            (attribute.LocalContentCanAccessRemoteUrls, False),
            (attribute.LocalContentCanAccessFileUrls, False),
            (attribute.LocalStorageEnabled, False),
            (attribute.WebGLEnabled, False),
            (attribute.Accelerated2dCanvasEnabled, False),
            (attribute.AutoLoadIconsForPage, False),
            (attribute.HyperlinkAuditingEnabled, False),
            (attribute.DnsPrefetchEnabled, False),
            (attribute.PdfViewerEnabled, False),
            (attribute.NavigateOnDropEnabled, False),
            (attribute.XSSAuditingEnabled, True),
            (attribute.AutoLoadImages, True),
        ):
            settings.setAttribute(switch, on)
        # A clicked mailto: link must reach _MailPage.acceptNavigationRequest (which refuses it and hands it to
        # the desktop); with "disallow" Chromium drops it silently. Nothing else is followed: see html_view.py.
        settings.setUnknownUrlSchemePolicy(
            QWebEngineSettings.UnknownUrlSchemePolicy.AllowUnknownUrlSchemesFromUserInteraction
        )
