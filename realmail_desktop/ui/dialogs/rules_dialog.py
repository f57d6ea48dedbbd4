"""Tools → Rules…: the list of mail rules (enable, order, new, delete) and the editor of one rule, with its
regexes checked as they are typed, a preview count on a folder and "Run now on this folder".

Signals: rulesChanged() after a save, delete, enable or move; previewCounted(int); ranOnFolder(int).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.sorting import SortingService
from realmail_desktop.store import Store
from realmail_desktop.store.rule_engine import (
    ActionKind,
    Condition,
    ConditionField,
    Operator,
    Rule,
    RuleAction,
    RuleError,
    check_pattern,
    validate_rule,
)
from realmail_desktop.ui.dialogs.rule_rows import ActionRow, ConditionRow
from realmail_desktop.ui.ops import Ops


class RulesDialog(QDialog):
    rulesChanged = Signal()
    previewCounted = Signal(int)
    ranOnFolder = Signal(int)

    def __init__(
        self,
        store: Store,
        ops: Ops,
        sorting: SortingService,
        *,
        folder_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Rules"))
        self._store, self._ops, self._sorting = store, ops, sorting
        self._accounts = [(a.id, a.name) for a in store.reader.accounts()]
        names = dict(self._accounts)
        # "Work › Inbox": folder names repeat across accounts.
        self._folders = [(f.id, f"{names.get(f.account_id, '')} › {f.path}") for f in store.reader.folders()]
        self._rule_id = 0
        self._scope_folders: tuple[int, ...] = ()  # kept as stored (the editor narrows by account)
        self.condition_rows: list[ConditionRow] = []
        self.action_rows: list[ActionRow] = []

        body = QHBoxLayout()
        body.addLayout(self._build_list(), 1)
        body.addLayout(self._build_editor(folder_id), 2)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(body, 1)
        outer.addWidget(close)
        self.name.textChanged.connect(self._check)
        self._reload()
        if self.rule_list.count() == 0:
            self.new_rule()
        self.resize(900, 520)

    def _build_list(self) -> QVBoxLayout:
        self.rule_list = QListWidget(self)
        self.rule_list.setAccessibleName(self.tr("Rules"))
        self.rule_list.currentRowChanged.connect(self._on_current)
        self.rule_list.itemChanged.connect(self._on_item_changed)
        self.new_button = QPushButton(self.tr("&New"), self)
        self.delete_button = QPushButton(self.tr("&Delete"), self)
        self.up_button = QPushButton(self.tr("Move &up"), self)
        self.down_button = QPushButton(self.tr("Move do&wn"), self)
        self.new_button.clicked.connect(self.new_rule)
        self.delete_button.clicked.connect(self.delete_rule)
        self.up_button.clicked.connect(lambda: self.move_rule(-1))
        self.down_button.clicked.connect(lambda: self.move_rule(1))
        list_buttons = QHBoxLayout()
        for button in (self.new_button, self.delete_button, self.up_button, self.down_button):
            list_buttons.addWidget(button)

        left = QVBoxLayout()
        left.addWidget(self.rule_list, 1)
        left.addLayout(list_buttons)
        return left

    def _build_editor(self, folder_id: int | None) -> QVBoxLayout:
        self.name = QLineEdit(self)
        self.name.setAccessibleName(self.tr("Rule name"))
        self.scope = QComboBox(self)
        self.scope.setAccessibleName(self.tr("Accounts the rule applies to"))
        self.scope.addItem(self.tr("all accounts"), 0)
        for account_id, account_name in self._accounts:
            self.scope.addItem(account_name, account_id)
        self.match = QComboBox(self)
        self.match.addItem(self.tr("all of these conditions"), "all")
        self.match.addItem(self.tr("any of these conditions"), "any")
        self.conditions_box = QVBoxLayout()
        self.add_condition_button = QPushButton(self.tr("Add condition"), self)
        self.add_condition_button.clicked.connect(self._add_blank_condition)
        self.actions_box = QVBoxLayout()
        self.add_action_button = QPushButton(self.tr("Add action"), self)
        self.add_action_button.clicked.connect(self._add_blank_action)
        self.stop_processing = QCheckBox(self.tr("Stop processing more rules after this one"), self)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("ruleError")
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        self.save_button = QPushButton(self.tr("&Save rule"), self)
        self.save_button.clicked.connect(self.save_rule)

        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name)
        form.addRow(self.tr("Mail of:"), self.scope)
        form.addRow(self.tr("Match:"), self.match)
        editor = QVBoxLayout()
        editor.addLayout(form)
        editor.addWidget(QLabel(self.tr("Conditions:"), self))
        editor.addLayout(self.conditions_box)
        editor.addWidget(self.add_condition_button, 0, Qt.AlignmentFlag.AlignLeft)
        editor.addWidget(QLabel(self.tr("Actions:"), self))
        editor.addLayout(self.actions_box)
        editor.addWidget(self.add_action_button, 0, Qt.AlignmentFlag.AlignLeft)
        editor.addWidget(self.stop_processing)
        editor.addWidget(self.error_label)
        editor.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        editor.addLayout(self._build_run_row(folder_id))
        editor.addWidget(self.preview_label)
        editor.addStretch(1)
        return editor

    def _build_run_row(self, folder_id: int | None) -> QHBoxLayout:
        """The folder to preview or run the rule on, Preview and Run now."""
        self.folder_choice = QComboBox(self)
        self.folder_choice.setAccessibleName(self.tr("Folder to preview or run on"))
        for choice, label in self._folders:
            self.folder_choice.addItem(label, choice)
        if folder_id is not None:
            self.folder_choice.setCurrentIndex(max(0, self.folder_choice.findData(folder_id)))
        self.preview_button = QPushButton(self.tr("&Preview"), self)
        self.preview_button.clicked.connect(self.preview)
        self.run_button = QPushButton(self.tr("&Run now on this folder"), self)
        self.run_button.clicked.connect(self.run_now)
        self.preview_label = QLabel(self)
        run_row = QHBoxLayout()
        for widget in (self.folder_choice, self.preview_button, self.run_button):
            run_row.addWidget(widget)
        return run_row

    # --- the list ---------------------------------------------------------------------------------
    def _reload(self, select: int | None = None) -> None:
        self.rule_list.blockSignals(True)
        self.rule_list.clear()
        for rule in self._store.reader.rules.all():
            item = QListWidgetItem(rule.name, self.rule_list)
            item.setData(Qt.ItemDataRole.UserRole, rule.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked)
            item.setToolTip(self.tr("Enabled") if rule.enabled else self.tr("Disabled"))
        self.rule_list.blockSignals(False)
        ids = [self.rule_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.rule_list.count())]
        if select in ids:
            self.rule_list.setCurrentRow(ids.index(select))
        elif ids:
            self.rule_list.setCurrentRow(0)

    def _on_current(self, row: int) -> None:
        item = self.rule_list.item(row)
        rule = self._store.reader.rules.rule(int(item.data(Qt.ItemDataRole.UserRole))) if item else None
        if rule is not None:
            self.show_rule(rule)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        rule_id = int(item.data(Qt.ItemDataRole.UserRole))
        enabled = item.checkState() == Qt.CheckState.Checked
        self._ops.run(self._store.rules.set_enabled(rule_id, enabled), label="Rules", on_done=self._changed)

    def _changed(self, _result: object = None) -> None:
        self.rulesChanged.emit()

    def new_rule(self) -> None:
        self.rule_list.clearSelection()
        self.show_rule(
            Rule(
                "",
                conditions=(Condition(ConditionField.FROM, Operator.CONTAINS, ""),),
                actions=(RuleAction(ActionKind.MARK_READ),),
            )
        )
        self.name.setFocus()

    def delete_rule(self) -> None:
        if self._rule_id:
            self._ops.run(self._store.rules.delete(self._rule_id), label="Rules", on_done=self._after_delete)

    def _after_delete(self, _result: object) -> None:
        self._rule_id = 0
        self._reload()
        if self.rule_list.count() == 0:
            self.new_rule()
        self.rulesChanged.emit()

    def move_rule(self, steps: int) -> None:
        rule_id = self._rule_id
        if rule_id:
            self._ops.run(self._store.rules.move(rule_id, steps), label="Rules", on_done=self._after_move)

    def _after_move(self, _result: object) -> None:
        self._reload(select=self._rule_id)
        self.rulesChanged.emit()

    # --- the editor -------------------------------------------------------------------------------
    def show_rule(self, rule: Rule) -> None:
        self._rule_id = rule.id
        self._scope_folders = rule.scope_folders
        scoped = rule.scope_accounts[0] if len(rule.scope_accounts) == 1 else 0
        self.scope.setCurrentIndex(max(0, self.scope.findData(scoped)))
        self.name.setText(rule.name)
        self.match.setCurrentIndex(0 if rule.match_all else 1)
        self.stop_processing.setChecked(rule.stop_processing)
        for row in [*self.condition_rows, *self.action_rows]:
            row.deleteLater()
        self.condition_rows, self.action_rows = [], []
        for condition in rule.conditions:
            self.add_condition(condition)
        for action in rule.actions:
            self.add_action(action)
        self.preview_label.clear()
        self._check()

    def _add_blank_condition(self) -> None:
        self.add_condition()

    def _add_blank_action(self) -> None:
        self.add_action()

    def add_condition(self, condition: Condition | None = None) -> ConditionRow:
        row = ConditionRow(self._folders, self._accounts, self)
        if condition is not None:
            row.set_condition(condition)
        row.changed.connect(self._check)
        row.removeRequested.connect(lambda: self._remove(row, self.condition_rows))
        self.conditions_box.addWidget(row)
        self.condition_rows.append(row)
        self._check()
        return row

    def add_action(self, action: RuleAction | None = None) -> ActionRow:
        row = ActionRow(self._folders, self)
        if action is not None:
            row.set_action(action)
        row.changed.connect(self._check)
        row.removeRequested.connect(lambda: self._remove(row, self.action_rows))
        self.actions_box.addWidget(row)
        self.action_rows.append(row)
        self._check()
        return row

    def _remove(self, row: QWidget, rows: list[ConditionRow] | list[ActionRow]) -> None:
        if row in rows:
            rows.remove(row)  # type: ignore[arg-type]
            row.deleteLater()
        self._check()

    def rule(self) -> Rule:
        """The rule as the editor shows it now."""
        return Rule(
            id=self._rule_id,
            name=self.name.text().strip(),
            match_all=self.match.currentData() == "all",
            conditions=tuple(row.condition() for row in self.condition_rows),
            actions=tuple(row.action() for row in self.action_rows),
            stop_processing=self.stop_processing.isChecked(),
            scope_accounts=(int(self.scope.currentData()),) if self.scope.currentData() else (),
            scope_folders=self._scope_folders,
        )

    def _check(self) -> bool:
        """Show the first problem inline (invalid regexes as they are typed); whether the rule can be saved."""
        problem = ""
        for row in self.condition_rows:
            condition = row.condition()
            if condition.operator is Operator.MATCHES and condition.value:
                try:
                    check_pattern(condition.value)
                except RuleError as exc:
                    problem = f"{exc.message} {exc.hint}".strip()
                    break
        if not problem:
            try:
                validate_rule(self.rule())
            except RuleError as exc:
                problem = f"{exc.message} {exc.hint}".strip()
        self.error_label.setText(problem)
        self.error_label.setVisible(bool(problem))
        ok = not problem
        for button in (self.save_button, self.preview_button, self.run_button):
            button.setEnabled(ok)
        return ok

    def save_rule(self) -> None:
        if not self._check():
            return
        self._ops.run(self._store.rules.save(self.rule()), label="Save rule", on_done=self._saved)

    def _saved(self, rule_id: int) -> None:
        self._rule_id = rule_id
        self._reload(select=rule_id)
        self.rulesChanged.emit()

    # --- preview and run --------------------------------------------------------------------------
    def _folder(self) -> int | None:
        data = self.folder_choice.currentData()
        return int(data) if data is not None else None

    def preview(self) -> None:
        folder = self._folder()
        if folder is None or not self._check():
            return
        self.preview_label.setText(self.tr("Counting…"))
        self._ops.run(self._sorting.preview_count(self.rule(), folder), label="Preview", on_done=self._counted)

    def _counted(self, count: int) -> None:
        if count == 1:
            text = self.tr("This rule would match {count} message in {folder}.")
        else:
            text = self.tr("This rule would match {count} messages in {folder}.")
        self.preview_label.setText(text.format(count=count, folder=self.folder_choice.currentText()))
        self.previewCounted.emit(count)

    def run_now(self) -> None:
        folder = self._folder()
        if folder is None or not self._check():
            return
        rule = self.rule()
        self._ops.run(self._sorting.run_on_folder([rule], folder), label="Run rule", on_done=self._ran)

    def _ran(self, count: int) -> None:
        if count == 1:
            text = self.tr("The rule acted on {count} message.")
        else:
            text = self.tr("The rule acted on {count} messages.")
        self.preview_label.setText(text.format(count=count))
        self.ranOnFolder.emit(count)
