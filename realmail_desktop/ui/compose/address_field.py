"""AddressField: a To/Cc/Bcc line that completes the address being typed from the contacts, most used first."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from realmail_desktop.mail.headers import Address
from realmail_desktop.mail.recipients import RecipientField, format_recipients, read_recipients
from realmail_desktop.store import Contact

Suggest = Callable[[str], list[Contact]]  # StoreReader.suggest_contacts


def shown_contact(contact: Contact) -> str:
    """A contact as the field writes it: `Ann Lee <ann@example.org>`."""
    return format_recipients([Address(contact.name, contact.address)])


class AddressField(QLineEdit):
    """Addresses separated by commas. While the person types, the piece after the last comma is looked up
    in the contacts (`suggest`, ranked by use); choosing a suggestion replaces just that piece. `mark_invalid`
    outlines the field and says which pieces are not addresses (the composer calls it before sending)."""

    def __init__(self, suggest: Suggest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._suggest = suggest
        self.suggestions = QStringListModel(self)
        self.completer_popup = QCompleter(self.suggestions, self)
        self.completer_popup.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_popup.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_popup.setWidget(self)
        self.completer_popup.activated[str].connect(self.insert_suggestion)  # type: ignore[index]
        self.textEdited.connect(self._on_edited)
        self.textChanged.connect(lambda _text: self.mark_invalid(()))
        self.mark_invalid(())

    def current_piece(self) -> str:
        """What is typed after the last separator: the address being completed."""
        text = self.text()[: self.cursorPosition()]
        return text.replace(";", ",").rsplit(",", 1)[-1].strip()

    def _on_edited(self, _text: str) -> None:
        piece = self.current_piece()
        found = self._suggest(piece) if len(piece) >= 1 else []
        self.suggestions.setStringList([shown_contact(c) for c in found])
        if found:
            self.completer_popup.complete()
        elif (popup := self.completer_popup.popup()) is not None:
            popup.hide()

    def insert_suggestion(self, shown: str) -> None:
        text = self.text()
        cut = max(text.rfind(",", 0, self.cursorPosition()), text.rfind(";", 0, self.cursorPosition()))
        before = text[: cut + 1] + (" " if cut >= 0 else "")
        self.setText(f"{before}{shown}, ")
        self.setCursorPosition(len(self.text()))

    def recipients(self) -> RecipientField:
        return read_recipients(self.text())

    def mark_invalid(self, pieces: tuple[str, ...]) -> None:
        invalid = bool(pieces)
        if self.property("invalid") is invalid:
            return
        self.setProperty("invalid", invalid)
        self.setStyleSheet("QLineEdit { border: 2px solid #c0392b; }" if invalid else "")
        self.setToolTip(
            self.tr("Not an e-mail address: {addresses}").format(addresses=", ".join(pieces)) if invalid else ""
        )
