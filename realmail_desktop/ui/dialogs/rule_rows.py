"""The rows of the rules editor: one condition (field, header name, operator, not, value) or one action
(kind and its argument), each read back as the store's Condition / RuleAction."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
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

# Names marked for pyside6-lupdate (context "RuleRows"); translated where shown by _translated().
FIELD_NAMES: dict[ConditionField, str] = {
    ConditionField.FROM: str(QT_TRANSLATE_NOOP("RuleRows", "From")),
    ConditionField.TO: str(QT_TRANSLATE_NOOP("RuleRows", "To")),
    ConditionField.CC: str(QT_TRANSLATE_NOOP("RuleRows", "Cc")),
    ConditionField.SUBJECT: str(QT_TRANSLATE_NOOP("RuleRows", "Subject")),
    ConditionField.BODY: str(QT_TRANSLATE_NOOP("RuleRows", "Body")),
    ConditionField.HEADER: str(QT_TRANSLATE_NOOP("RuleRows", "Header…")),
    ConditionField.HAS_ATTACHMENT: str(QT_TRANSLATE_NOOP("RuleRows", "Has an attachment")),
    ConditionField.SIZE: str(QT_TRANSLATE_NOOP("RuleRows", "Size (bytes)")),
    ConditionField.ACCOUNT: str(QT_TRANSLATE_NOOP("RuleRows", "Account")),
    ConditionField.FOLDER: str(QT_TRANSLATE_NOOP("RuleRows", "Folder")),
    ConditionField.LIST_ID: str(QT_TRANSLATE_NOOP("RuleRows", "Mailing list (List-Id)")),
}
OPERATOR_NAMES: dict[Operator, str] = {
    Operator.CONTAINS: str(QT_TRANSLATE_NOOP("RuleRows", "contains")),
    Operator.IS: str(QT_TRANSLATE_NOOP("RuleRows", "is")),
    Operator.MATCHES: str(QT_TRANSLATE_NOOP("RuleRows", "matches regex")),
    Operator.DOMAIN: str(QT_TRANSLATE_NOOP("RuleRows", "is from domain")),
    Operator.GREATER: str(QT_TRANSLATE_NOOP("RuleRows", "is greater than")),
    Operator.LESS: str(QT_TRANSLATE_NOOP("RuleRows", "is less than")),
}
ACTION_NAMES: dict[ActionKind, str] = {
    ActionKind.MOVE: str(QT_TRANSLATE_NOOP("RuleRows", "Move to folder")),
    ActionKind.COPY: str(QT_TRANSLATE_NOOP("RuleRows", "Copy to folder")),
    ActionKind.MARK_READ: str(QT_TRANSLATE_NOOP("RuleRows", "Mark as read")),
    ActionKind.STAR: str(QT_TRANSLATE_NOOP("RuleRows", "Star")),
    ActionKind.TAG: str(QT_TRANSLATE_NOOP("RuleRows", "Tag with")),
    ActionKind.DELETE: str(QT_TRANSLATE_NOOP("RuleRows", "Delete")),
    ActionKind.FORWARD: str(QT_TRANSLATE_NOOP("RuleRows", "Forward to")),
    ActionKind.NOTIFY: str(QT_TRANSLATE_NOOP("RuleRows", "Notify me")),
    ActionKind.STOP: str(QT_TRANSLATE_NOOP("RuleRows", "Stop processing more rules")),
}


def _translated(name: str) -> str:
    return QCoreApplication.translate("RuleRows", name)


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
        self.field.setAccessibleName(self.tr("Condition field"))
        for field, name in FIELD_NAMES.items():
            self.field.addItem(_translated(name), field.value)
        self.header = QLineEdit(self)
        self.header.setPlaceholderText(self.tr("Header name, e.g. X-Mailer"))
        self.header.setAccessibleName(self.tr("Header name"))
        self.negate = QCheckBox(self.tr("not"), self)
        self.operator = QComboBox(self)
        self.operator.setAccessibleName(self.tr("Condition operator"))
        self.value = QLineEdit(self)
        self.value.setAccessibleName(self.tr("Condition value"))
        self.choice = QComboBox(self)  # accounts or folders
        self.choice.setAccessibleName(self.tr("Condition choice"))
        self._folders, self._accounts = folders, accounts
        remove = QToolButton(self)
        remove.setText("−")
        remove.setToolTip(self.tr("Remove this condition"))
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
            self.operator.addItem(_translated(OPERATOR_NAMES[operator]), operator.value)
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
        self.kind.setAccessibleName(self.tr("Action"))
        for kind, name in ACTION_NAMES.items():
            self.kind.addItem(_translated(name), kind.value)
        self.folder = QComboBox(self)
        self.folder.setAccessibleName(self.tr("Action folder"))
        for folder_id, label in folders:
            self.folder.addItem(label, str(folder_id))
        self.text = QLineEdit(self)
        self.text.setAccessibleName(self.tr("Action value"))
        self.channel = QComboBox(self)
        self.channel.setAccessibleName(self.tr("Notify where"))
        self.channel.addItem(self.tr("on the desktop"), "desktop")
        self.channel.addItem(self.tr("on Telegram"), "telegram")
        remove = QToolButton(self)
        remove.setText("−")
        remove.setToolTip(self.tr("Remove this action"))
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
        self.text.setPlaceholderText("name@example.org" if kind is ActionKind.FORWARD else self.tr("Tag, e.g. Work"))
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
