"""The rows of the rules editor: one condition (field, header name, operator, not, value) or one action
(kind and its argument), each read back as the store's Condition / RuleAction."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QToolButton, QWidget

from realmail_desktop.store.rule_engine import (
    ADDRESS_FIELDS,
    TEXT_FIELDS,
    ActionKind,
    Condition,
    ConditionField,
    Operator,
    RuleAction,
)

FIELD_NAMES: dict[ConditionField, str] = {
    ConditionField.FROM: "From",
    ConditionField.TO: "To",
    ConditionField.CC: "Cc",
    ConditionField.SUBJECT: "Subject",
    ConditionField.BODY: "Body",
    ConditionField.HEADER: "Header…",
    ConditionField.HAS_ATTACHMENT: "Has an attachment",
    ConditionField.SIZE: "Size (bytes)",
    ConditionField.ACCOUNT: "Account",
    ConditionField.FOLDER: "Folder",
    ConditionField.LIST_ID: "Mailing list (List-Id)",
}
OPERATOR_NAMES: dict[Operator, str] = {
    Operator.CONTAINS: "contains",
    Operator.IS: "is",
    Operator.MATCHES: "matches regex",
    Operator.DOMAIN: "is from domain",
    Operator.GREATER: "is greater than",
    Operator.LESS: "is less than",
}
ACTION_NAMES: dict[ActionKind, str] = {
    ActionKind.MOVE: "Move to folder",
    ActionKind.COPY: "Copy to folder",
    ActionKind.MARK_READ: "Mark as read",
    ActionKind.STAR: "Star",
    ActionKind.TAG: "Tag with",
    ActionKind.DELETE: "Delete",
    ActionKind.FORWARD: "Forward to",
    ActionKind.NOTIFY: "Notify me",
    ActionKind.STOP: "Stop processing more rules",
}


def _operators_of(field: ConditionField) -> list[Operator]:
    if field is ConditionField.SIZE:
        return [Operator.GREATER, Operator.LESS]
    if field in (ConditionField.HAS_ATTACHMENT, ConditionField.ACCOUNT, ConditionField.FOLDER):
        return [Operator.IS]
    operators = [Operator.CONTAINS, Operator.IS, Operator.MATCHES]
    return [*operators, Operator.DOMAIN] if field in ADDRESS_FIELDS else operators


class ConditionRow(QWidget):
    """One condition. Signals: changed() on any edit, removeRequested()."""

    changed = Signal()
    removeRequested = Signal()

    def __init__(
        self, folders: list[tuple[int, str]], accounts: list[tuple[int, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.field = QComboBox(self)
        self.field.setAccessibleName("Condition field")
        for field, name in FIELD_NAMES.items():
            self.field.addItem(name, field.value)
        self.header = QLineEdit(self)
        self.header.setPlaceholderText("Header name, e.g. X-Mailer")
        self.header.setAccessibleName("Header name")
        self.negate = QCheckBox("not", self)
        self.operator = QComboBox(self)
        self.operator.setAccessibleName("Condition operator")
        self.value = QLineEdit(self)
        self.value.setAccessibleName("Condition value")
        self.choice = QComboBox(self)  # accounts or folders
        self.choice.setAccessibleName("Condition choice")
        self._folders, self._accounts = folders, accounts
        remove = QToolButton(self)
        remove.setText("−")
        remove.setToolTip("Remove this condition")
        remove.clicked.connect(self.removeRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.field, self.header, self.negate, self.operator, self.value, self.choice, remove):
            layout.addWidget(widget)
        self.field.currentIndexChanged.connect(self._on_field)
        for signal in (self.header.textChanged, self.value.textChanged):
            signal.connect(self.changed)
        for signal in (self.operator.currentIndexChanged, self.choice.currentIndexChanged):
            signal.connect(self.changed)
        self.negate.toggled.connect(self.changed)
        self._on_field()

    def _on_field(self) -> None:
        field = ConditionField(self.field.currentData())
        self.operator.blockSignals(True)
        self.operator.clear()
        for operator in _operators_of(field):
            self.operator.addItem(OPERATOR_NAMES[operator], operator.value)
        self.operator.blockSignals(False)
        self.operator.setVisible(field is not ConditionField.HAS_ATTACHMENT)
        self.header.setVisible(field is ConditionField.HEADER)
        self.value.setVisible(field in TEXT_FIELDS or field is ConditionField.SIZE)
        self.choice.blockSignals(True)
        self.choice.clear()
        if field is ConditionField.ACCOUNT:
            for account_id, name in self._accounts:
                self.choice.addItem(name, str(account_id))
        elif field is ConditionField.FOLDER:
            for folder_id, label in self._folders:
                self.choice.addItem(label, str(folder_id))
        self.choice.blockSignals(False)
        self.choice.setVisible(field in (ConditionField.ACCOUNT, ConditionField.FOLDER))
        self.changed.emit()

    def set_condition(self, condition: Condition) -> None:
        self.field.setCurrentIndex(self.field.findData(condition.field.value))
        self.operator.setCurrentIndex(max(0, self.operator.findData(condition.operator.value)))
        self.header.setText(condition.header)
        self.negate.setChecked(condition.negate)
        if condition.field in (ConditionField.ACCOUNT, ConditionField.FOLDER):
            self.choice.setCurrentIndex(max(0, self.choice.findData(condition.value)))
        else:
            self.value.setText(condition.value)

    def condition(self) -> Condition:
        field = ConditionField(self.field.currentData())
        in_choice = field in (ConditionField.ACCOUNT, ConditionField.FOLDER)
        return Condition(
            field=field,
            operator=Operator(self.operator.currentData() or Operator.IS.value),
            value=str(self.choice.currentData() or "") if in_choice else self.value.text(),
            header=self.header.text().strip() if field is ConditionField.HEADER else "",
            negate=self.negate.isChecked(),
        )


class ActionRow(QWidget):
    """One action. Signals: changed(), removeRequested()."""

    changed = Signal()
    removeRequested = Signal()

    def __init__(self, folders: list[tuple[int, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = QComboBox(self)
        self.kind.setAccessibleName("Action")
        for kind, name in ACTION_NAMES.items():
            self.kind.addItem(name, kind.value)
        self.folder = QComboBox(self)
        self.folder.setAccessibleName("Action folder")
        for folder_id, label in folders:
            self.folder.addItem(label, str(folder_id))
        self.text = QLineEdit(self)
        self.text.setAccessibleName("Action value")
        self.channel = QComboBox(self)
        self.channel.setAccessibleName("Notify where")
        self.channel.addItem("on the desktop", "desktop")
        self.channel.addItem("on Telegram", "telegram")
        remove = QToolButton(self)
        remove.setText("−")
        remove.setToolTip("Remove this action")
        remove.clicked.connect(self.removeRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.kind, self.folder, self.text, self.channel, remove):
            layout.addWidget(widget)
        self.kind.currentIndexChanged.connect(self._on_kind)
        self.folder.currentIndexChanged.connect(self.changed)
        self.channel.currentIndexChanged.connect(self.changed)
        self.text.textChanged.connect(self.changed)
        self._on_kind()

    def _on_kind(self) -> None:
        kind = ActionKind(self.kind.currentData())
        self.folder.setVisible(kind in (ActionKind.MOVE, ActionKind.COPY))
        self.text.setVisible(kind in (ActionKind.TAG, ActionKind.FORWARD))
        self.text.setPlaceholderText("name@example.org" if kind is ActionKind.FORWARD else "Tag, e.g. Work")
        self.channel.setVisible(kind is ActionKind.NOTIFY)
        self.changed.emit()

    def set_action(self, action: RuleAction) -> None:
        self.kind.setCurrentIndex(self.kind.findData(action.kind.value))
        if action.kind in (ActionKind.MOVE, ActionKind.COPY):
            self.folder.setCurrentIndex(max(0, self.folder.findData(action.argument)))
        elif action.kind is ActionKind.NOTIFY:
            self.channel.setCurrentIndex(max(0, self.channel.findData(action.argument)))
        else:
            self.text.setText(action.argument)

    def action(self) -> RuleAction:
        kind = ActionKind(self.kind.currentData())
        if kind in (ActionKind.MOVE, ActionKind.COPY):
            argument = str(self.folder.currentData() or "")
        elif kind is ActionKind.NOTIFY:
            argument = str(self.channel.currentData())
        elif kind in (ActionKind.TAG, ActionKind.FORWARD):
            argument = self.text.text().strip()
        else:
            argument = ""
        return RuleAction(kind, argument)
