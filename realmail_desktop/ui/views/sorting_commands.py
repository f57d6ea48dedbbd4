"""The main window's sorting commands: Tools → Rules…, Mark as junk / Not junk, Unsubscribe, and the
category filter (All · People · Updates · Notifications) above an Inbox's message list.

Signals of CategoryBar: categoryChanged(str) ('' = all).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QMessageBox, QPushButton, QVBoxLayout, QWidget

from realmail_desktop.mail.categories import CATEGORY_HINTS, Category
from realmail_desktop.sorting import SortingService, Unsubscribed, Unsubscriber
from realmail_desktop.store import MessageQuery, Store
from realmail_desktop.ui.ops import Ops

if TYPE_CHECKING:
    from realmail_desktop.ui.dialogs.rules_dialog import RulesDialog
    from realmail_desktop.ui.views.main_window import MainWindow

_LABELS = {  # marked for pyside6-lupdate; translated where shown
    Category.PEOPLE: str(QT_TRANSLATE_NOOP("CategoryBar", "People")),
    Category.UPDATES: str(QT_TRANSLATE_NOOP("CategoryBar", "Updates")),
    Category.NOTIFICATIONS: str(QT_TRANSLATE_NOOP("CategoryBar", "Notifications")),
}


class CategoryBar(QWidget):
    """Filter buttons for an Inbox; each says on hover what it holds."""

    categoryChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("categoryBar")
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, hint in (
            ("", self.tr("All"), self.tr("Every message of the Inbox.")),
            *((c.value, self.tr(_LABELS[c]), CATEGORY_HINTS[c]) for c in Category),
        ):
            button = QPushButton(text, self)
            button.setCheckable(True)
            button.setFlat(True)
            button.setToolTip(hint)
            button.setAccessibleName(self.tr("Show {category}").format(category=text.lower()))
            self.group.addButton(button)
            self.buttons[key] = button
            layout.addWidget(button)
            button.clicked.connect(lambda _checked=False, key=key: self.categoryChanged.emit(key))
        layout.addStretch(1)
        self.buttons[""].setChecked(True)

    @property
    def category(self) -> str:
        return next((key for key, button in self.buttons.items() if button.isChecked()), "")


class SortingCommands:
    """Wires the sorting service into the main window."""

    def __init__(
        self,
        window: MainWindow,
        store: Store,
        ops: Ops,
        service: SortingService,
        unsubscriber: Unsubscriber,
        *,
        selected_ids: Callable[[], list[int]],
        refresh_list: Callable[[], None],
    ) -> None:
        self._window, self._store, self._ops = window, store, ops
        self.service, self.unsubscriber = service, unsubscriber
        self._selected_ids, self._refresh_list = selected_ids, refresh_list
        self.category_bar = CategoryBar(window)
        self.category_bar.hide()
        list_pane = cast(QWidget, window.message_list.parentWidget())
        layout = cast(QVBoxLayout, list_pane.layout())
        layout.insertWidget(layout.indexOf(window.message_list), self.category_bar)
        self.category_bar.categoryChanged.connect(lambda _category: self._refresh_list())
        actions = window.window_actions
        for action in (actions.rules, actions.mark_junk, actions.not_junk, actions.unsubscribe_list):
            action.setEnabled(True)
        actions.rules.triggered.connect(self.open_rules)
        actions.mark_junk.triggered.connect(self.mark_junk)
        actions.not_junk.triggered.connect(self.not_junk)
        actions.unsubscribe_list.triggered.connect(self.unsubscribe)

    def category_for(self, query: MessageQuery) -> str | None:
        """The category filter for a list query: shown and applied on Inbox lists only."""
        inboxes = set(self._store.reader.inbox_ids())
        is_inbox = bool(query.folder_ids) and set(query.folder_ids) <= inboxes and query.search is None
        self.category_bar.setVisible(is_inbox)
        return (self.category_bar.category or None) if is_inbox else None

    def open_rules(self) -> RulesDialog:
        from realmail_desktop.ui.dialogs.rules_dialog import RulesDialog

        dialog = RulesDialog(
            self._store, self._ops, self.service, folder_id=self._window.current_folder_id(), parent=self._window
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def mark_junk(self) -> None:
        ids = self._selected_ids()
        if ids:
            self._ops.run(self.service.junk.mark_junk(ids), label="Mark as junk")

    def not_junk(self) -> None:
        ids = self._selected_ids()
        if ids:
            self._ops.run(self.service.junk.mark_not_junk(ids), label="Not junk")

    def unsubscribe(self) -> QMessageBox | None:
        """Ask first (naming the way out), then unsubscribe from the current message's list."""
        ids = self._selected_ids()
        if len(ids) != 1:
            return None
        message_id = ids[0]
        self._ops.run(
            self.unsubscriber.options(message_id), label="Unsubscribe", on_done=lambda o: self._confirm(message_id, o)
        )
        return None

    def _confirm(self, message_id: int, options: object) -> None:
        from realmail_desktop.mail.unsubscribe import UnsubscribeOptions

        assert isinstance(options, UnsubscribeOptions)
        if not options.available:
            QMessageBox.information(
                self._window,
                QCoreApplication.translate("SortingCommands", "Unsubscribe"),
                QCoreApplication.translate("SortingCommands", "This message offers no one-click way to unsubscribe."),
            )
            return
        how = (
            QCoreApplication.translate(
                "SortingCommands", "RealMail will tell the list's web server to unsubscribe you."
            )
            if options.https and options.one_click
            else QCoreApplication.translate(
                "SortingCommands", "RealMail will send an unsubscribe e-mail to {address}."
            ).format(address=options.mailto.removeprefix("mailto:").split("?")[0])
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            QCoreApplication.translate("SortingCommands", "Unsubscribe"),
            QCoreApplication.translate("SortingCommands", "Unsubscribe from this mailing list?\n\n{how}").format(
                how=how
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self._window,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(
            lambda: self._ops.run(self.unsubscriber.unsubscribe(message_id), label="Unsubscribe", on_done=self._done)
        )
        box.open()

    def _done(self, result: Unsubscribed) -> None:
        text = (
            QCoreApplication.translate("SortingCommands", "Unsubscribed.")
            if result.method == "https"
            else QCoreApplication.translate("SortingCommands", "The unsubscribe e-mail is in the Outbox.")
        )
        self._window.statusBar().showMessage(text, 8000)
