"""MessageEditor: the composer's body — rich text (bold, italic, lists, links, quotes, inline pictures) or plain.

Pictures pasted or dropped go into the text as `cid:` images (their bytes kept here, sent as
multipart/related); other files dropped or pasted become attachments (`filesDropped`). Quotes are paragraphs
indented by 40 px per level, which `mail/rich_text.py` reads back as `<blockquote>` and `> `.

Signals: filesDropped(list[str] paths), imageAdded(str content id).
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QUrl, Signal
from PySide6.QtGui import QFont, QImage, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument, QTextListFormat
from PySide6.QtWidgets import QTextEdit, QWidget

from realmail_desktop.mail.compose import InlineImage
from realmail_desktop.mail.rich_text import QUOTE_INDENT_PX, editor_html, read_rich_text, text_to_html

IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


class MessageEditor(QTextEdit):
    filesDropped = Signal(list)
    imageAdded = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageEditor")
        self.setAccessibleName(self.tr("Message text"))
        self._rich = True
        self._images: dict[str, InlineImage] = {}
        self.setAcceptRichText(True)

    # --- mode -------------------------------------------------------------------------------------
    @property
    def rich(self) -> bool:
        return self._rich

    def set_rich(self, rich: bool) -> None:
        """Switch between rich and plain text, converting what is written (plain loses the formatting)."""
        if rich == self._rich:
            return
        if rich:
            text = self.toPlainText()
            self._rich = True
            self.setAcceptRichText(True)
            self.setHtml(text_to_html(text))
        else:
            text = read_rich_text(self.toHtml()).text
            self._rich = False
            self.setAcceptRichText(False)
            self.setPlainText(text.rstrip("\n"))
            self._images.clear()

    def set_body(self, text: str, html: str | None = None) -> None:
        if self._rich:
            self.setHtml(editor_html(html) if html is not None else text_to_html(text))
        else:
            self.setPlainText(text)
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.Start)
        self.setTextCursor(cursor)

    def body(self) -> tuple[str, str | None]:
        """(plain text, HTML or None in plain mode) as they would be sent."""
        if not self._rich:
            return self.toPlainText(), None
        source = self.toHtml()
        return read_rich_text(source).text, source

    def inline_images(self) -> tuple[InlineImage, ...]:
        """The pictures the text still shows (a deleted one is not sent)."""
        if not self._rich:
            return ()
        used = set(read_rich_text(self.toHtml()).image_sources)
        return tuple(image for cid, image in self._images.items() if f"cid:{cid}" in used)

    # --- formatting (the composer's toolbar) ------------------------------------------------------
    def toggle_bold(self, on: bool) -> None:
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold if on else QFont.Weight.Normal)
        self.mergeCurrentCharFormat(fmt)

    def toggle_italic(self, on: bool) -> None:
        fmt = QTextCharFormat()
        fmt.setFontItalic(on)
        self.mergeCurrentCharFormat(fmt)

    def make_list(self, ordered: bool) -> None:
        style = QTextListFormat.Style.ListDecimal if ordered else QTextListFormat.Style.ListDisc
        self.textCursor().createList(style)

    def quote(self) -> None:
        """Indent the selected paragraphs one quote level."""
        cursor = self.textCursor()
        fmt = QTextBlockFormat(cursor.blockFormat())
        fmt.setLeftMargin(fmt.leftMargin() + QUOTE_INDENT_PX)
        cursor.mergeBlockFormat(fmt)

    def insert_link(self, url: str, text: str = "") -> None:
        if not url.strip():
            return
        cursor = self.textCursor()
        label = text or cursor.selectedText() or url
        fmt = QTextCharFormat()
        fmt.setAnchor(True)
        fmt.setAnchorHref(url.strip())
        fmt.setFontUnderline(True)
        cursor.insertText(label, fmt)
        cursor.insertText(" ", QTextCharFormat())

    def add_image(self, data: bytes, content_type: str, filename: str = "") -> str | None:
        """Put a picture at the cursor (rich mode); returns its content id, None when it is not a picture."""
        image = QImage.fromData(QByteArray(data))
        if image.isNull() or not self._rich:
            return None
        cid = f"{uuid.uuid4().hex}@realmail"
        self._images[cid] = InlineImage(content_id=cid, data=data, content_type=content_type, filename=filename)
        self.document().addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"cid:{cid}"), image)
        self.textCursor().insertImage(f"cid:{cid}")
        self.imageAdded.emit(cid)
        return cid

    def load_images(self, images: tuple[InlineImage, ...]) -> None:
        """Pictures of a reopened draft, so its `cid:` references show and are sent again."""
        for image in images:
            qimage = QImage.fromData(QByteArray(image.data))
            if not qimage.isNull():
                self._images[image.content_id] = image
                self.document().addResource(
                    QTextDocument.ResourceType.ImageResource, QUrl(f"cid:{image.content_id}"), qimage
                )

    def replace_signature(self, old: str, new: str) -> bool:
        """Swap the signature `old` (the lines under a "-- " line) for `new` (none: the separator goes too);
        False when `old` is not in the text as it was put there (edited by hand: left alone)."""
        old_lines = old.split("\n")
        block = self.document().begin()
        while block.isValid():
            if block.text() == "-- ":
                last, following = block, block.next()
                for line in old_lines:
                    if not following.isValid() or following.text() != line:
                        break
                    last, following = following, following.next()
                else:
                    cursor = QTextCursor(block if not new else block.next())
                    cursor.setPosition(last.position() + last.length() - 1, QTextCursor.MoveMode.KeepAnchor)
                    cursor.insertText(new)
                    return True
            block = block.next()
        return False

    # --- paste and drop ---------------------------------------------------------------------------
    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasImage() or source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasUrls() and all(url.isLocalFile() for url in source.urls()):
            files = [url.toLocalFile() for url in source.urls()]
            pictures = [f for f in files if f.rsplit(".", 1)[-1].lower() in IMAGE_TYPES] if self._rich else []
            for path in pictures:
                with open(path, "rb") as handle:  # a dropped local picture: small enough to read here
                    self.add_image(handle.read(), IMAGE_TYPES[path.rsplit(".", 1)[-1].lower()], path.rsplit("/", 1)[-1])
            others = [f for f in files if f not in pictures]
            if others:
                self.filesDropped.emit(others)
            return
        if source.hasImage() and self._rich:
            image = source.imageData()
            if isinstance(image, QImage) and not image.isNull():
                buffer = QBuffer()
                buffer.open(QIODevice.OpenModeFlag.WriteOnly)
                image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stub says bytes; PySide6 takes str
                self.add_image(bytes(buffer.data().data()), "image/png", "pasted.png")
                return
        super().insertFromMimeData(source)
