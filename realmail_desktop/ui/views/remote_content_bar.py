"""RemoteContentBar: "Remote content blocked (N items)" above a message, with the person's choices.

"Load for this message" allows remote images and styles for the message on screen only (nothing stored);
"Always for this sender" remembers the sender (store/trust.py) until "Stop trusting".
"""

from __future__ import annotations

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class RemoteContentBar(QFrame):
    """Says what happened to a message's remote content and offers what the person may change.

    Signals: loadForMessage(), trustSender(), distrustSender() — the buttons; the reader acts on them.
    """

    loadForMessage = Signal()
    trustSender = Signal()
    distrustSender = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("remoteBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.load_button = self._button(self.tr("Load for this message"), "loadRemote", self.loadForMessage)
        self.trust_button = self._button(self.tr("Always for this sender"), "trustSender", self.trustSender)
        self.distrust_button = self._button(self.tr("Stop trusting"), "distrustSender", self.distrustSender)
        bar = QHBoxLayout(self)
        bar.setContentsMargins(12, 4, 12, 4)
        bar.addWidget(self.label, 1)
        for button in (self.load_button, self.trust_button, self.distrust_button):
            bar.addWidget(button)
        self.hide()

    def _button(self, text: str, name: str, signal: SignalInstance) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(signal)
        return button

    def text(self) -> str | None:
        return None if self.isHidden() else self.label.text()

    def show_state(self, *, blocked: int, allowed: bool, trusted: bool, sender: str, can_fetch: bool) -> None:
        """Blocked count from the sanitiser; `allowed` for this message; `trusted` sender; can the view fetch."""
        can_trust = bool(sender)
        if trusted:
            self.label.setText(self.tr("Remote content is shown: you trust {sender}.").format(sender=sender))
            buttons = (False, False, True)
        elif allowed:
            self.label.setText(
                self.tr("Remote content is shown for this message.")
                if can_fetch
                else self.tr("Remote content is allowed, but this reader cannot show it for this message.")
            )
            buttons = (False, can_trust, False)
        elif blocked > 0:
            blocked_text = (
                self.tr("Remote content blocked ({blocked} item)")
                if blocked == 1
                else self.tr("Remote content blocked ({blocked} items)")
            )
            self.label.setText(blocked_text.format(blocked=blocked))
            buttons = (True, can_trust, False)
        else:
            self.hide()
            return
        for button, visible in zip((self.load_button, self.trust_button, self.distrust_button), buttons, strict=True):
            button.setVisible(visible)
        self.show()
