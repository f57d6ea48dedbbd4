"""What a message's attachments show around its body: an invitation card above it, image previews below it."""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPixmap, QTextDocument
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from realmail_desktop.mail.calendar import Invitation

# Previews sit in a strip under the body: small enough that the body keeps the room.
PREVIEW_SIZE = 240


def invitation_html(invitation: Invitation) -> str:
    """The card's text: what, when, where, who (escaped: every field comes from the sender)."""
    rows = [
        (QCoreApplication.translate("InvitationCard", "When"), invitation.when_text()),
        (QCoreApplication.translate("InvitationCard", "Repeats"), invitation.recurrence),
        (QCoreApplication.translate("InvitationCard", "Where"), invitation.location),
    ]
    if invitation.organizer is not None:
        rows.append((QCoreApplication.translate("InvitationCard", "Organizer"), invitation.organizer.display()))
    people = [f"{a.display()} ({a.status})" if a.status else a.display() for a in invitation.attendees]
    if people:
        rows.append((QCoreApplication.translate("InvitationCard", "Who"), ", ".join(people)))
    title = f"{invitation.heading}: {invitation.title}"
    lines = [f"<b>{html.escape(title)}</b>"]
    lines += [f"{html.escape(name)}: {html.escape(value)}" for name, value in rows if value]
    return "<br>".join(lines)


class InvitationCard(QFrame):
    """A readable summary of an .ics invitation; hidden when the message has none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("invitationCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._label = QLabel(self)
        self._label.setObjectName("invitationText")
        self._label.setTextFormat(Qt.TextFormat.RichText)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label.setWordWrap(True)
        self._label.setOpenExternalLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self._label)
        self.invitation: Invitation | None = None
        self.hide()

    def show_invitation(self, invitation: Invitation | None) -> None:
        self.invitation = invitation
        if invitation is None:
            self._label.clear()
            self.hide()
            return
        self._label.setText(invitation_html(invitation))
        self.show()

    def text(self) -> str:
        """The card's text without markup (for tests and accessibility)."""
        document = QTextDocument()
        document.setHtml(self._label.text())
        return document.toPlainText()


class _PreviewLabel(QLabel):
    """One image preview; a click asks to open the attachment."""

    clicked = Signal(str)

    def __init__(self, part_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.part_id = part_id
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.part_id)
        super().mouseReleaseEvent(event)


class ImagePreviews(QScrollArea):
    """Scaled previews of a message's picture attachments, side by side in a strip; a click opens one.

    Signals: openRequested(str part_id).
    """

    openRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imagePreviews")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setFixedHeight(PREVIEW_SIZE + 24)
        strip = QWidget()
        self._layout = QHBoxLayout(strip)
        self._layout.setContentsMargins(12, 4, 12, 4)
        self._layout.addStretch(1)
        self.setWidget(strip)
        self._labels: list[_PreviewLabel] = []
        self.hide()

    def clear(self) -> None:
        for label in self._labels:
            label.deleteLater()
        self._labels.clear()
        self.hide()

    def add_preview(self, part_id: str, name: str, data: bytes) -> bool:
        """Add one preview from encoded thumbnail bytes; False when Qt cannot read them."""
        pixmap = QPixmap()
        if not pixmap.loadFromData(data):
            return False
        label = _PreviewLabel(part_id, self.widget())
        label.setObjectName("imagePreview")
        label.setPixmap(pixmap)
        label.setToolTip(self.tr("{name} — click to open").format(name=name))
        label.clicked.connect(self.openRequested)
        self._labels.append(label)
        self._layout.insertWidget(len(self._labels) - 1, label)
        self.show()
        return True

    def previews(self) -> list[QLabel]:
        return list(self._labels)
