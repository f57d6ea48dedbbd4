"""SettingsDialog (Tools ▸ Settings…): General, Reading, Composing, Notifications, Privacy, Accounts, Drive,
Telegram — the person's desktop settings, saved in the store's preferences and applied at once.

OK saves every setting in one transaction (and forgets the trusted senders the person removed); the window
applies what was saved. The Accounts, Drive and Telegram pages open their own dialogs.

Signals: settingsSaved(DesktopSettings) once saved; accountSettingsRequested(), arrangeAccountsRequested(),
identitiesRequested(), driveRequested(), telegramRequested() — the buttons that open other dialogs.
"""

from __future__ import annotations

from PySide6.QtCore import QTime, Signal, SignalInstance
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.store import Account, Store
from realmail_desktop.ui.desktop.desktop_settings import (
    MARK_READ_NEVER,
    ColorScheme,
    DesktopSettings,
    RemoteContent,
    parse_clock,
    settings_rows,
)
from realmail_desktop.ui.ops import Ops

_CLOCK = "HH:mm"


class SettingsDialog(QDialog):
    settingsSaved = Signal(object)
    accountSettingsRequested = Signal()
    arrangeAccountsRequested = Signal()
    identitiesRequested = Signal()
    driveRequested = Signal()
    telegramRequested = Signal()

    def __init__(
        self,
        store: Store,
        ops: Ops,
        settings: DesktopSettings,
        parent: QWidget | None = None,
        *,
        tray_available: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self._store = store
        self._ops = ops
        self._removed: list[str] = []
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Settings pages"))
        self.tabs.addTab(self._general(settings, store.reader.accounts(), tray_available), self.tr("General"))
        self.tabs.addTab(self._reading(settings), self.tr("Reading"))
        self.tabs.addTab(self._composing(settings), self.tr("Composing"))
        self.tabs.addTab(self._notifications(settings), self.tr("Notifications"))
        self.tabs.addTab(self._privacy(store.reader.trusted_senders()), self.tr("Privacy"))
        self.tabs.addTab(
            self._opener(
                self.tr("Server settings, identities and the order and colours of your accounts."),
                (
                    (self.tr("Account &settings…"), self.accountSettingsRequested),
                    (self.tr("&Identities and signatures…"), self.identitiesRequested),
                    (self.tr("&Arrange accounts…"), self.arrangeAccountsRequested),
                ),
            ),
            self.tr("Accounts"),
        )
        self.tabs.addTab(
            self._opener(
                self.tr("Send big attachments as Google Drive links (Google accounts)."),
                ((self.tr("Google &Drive settings…"), self.driveRequested),),
            ),
            self.tr("Drive"),
        )
        self.tabs.addTab(
            self._opener(
                self.tr("Read and answer mail from Telegram, through your own bot."),
                ((self.tr("&Telegram bridge…"), self.telegramRequested),),
            ),
            self.tr("Telegram"),
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)

    # --- pages ------------------------------------------------------------------------------------
    def _general(self, s: DesktopSettings, accounts: list[Account], tray_available: bool) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.start_minimised = QCheckBox(self.tr("Start &minimised"), page)
        self.start_minimised.setChecked(s.start_minimised)
        self.close_to_tray = QCheckBox(self.tr("&Close to the tray (keep checking mail)"), page)
        self.close_to_tray.setChecked(s.close_to_tray)
        if not tray_available:
            self.close_to_tray.setToolTip(self.tr("This desktop has no system tray."))
        self.default_account = QComboBox(page)
        self.default_account.addItem(self.tr("The account of the folder in view"), 0)
        for account in accounts:
            self.default_account.addItem(account.name or account.address, account.id)
        self.default_account.setCurrentIndex(max(0, self.default_account.findData(s.default_account)))
        self.color_scheme = QComboBox(page)
        for scheme, text in (
            (ColorScheme.SYSTEM, self.tr("Follow the system")),
            (ColorScheme.LIGHT, self.tr("Light")),
            (ColorScheme.DARK, self.tr("Dark")),
        ):
            self.color_scheme.addItem(text, scheme.value)
        self.color_scheme.setCurrentIndex(max(0, self.color_scheme.findData(s.color_scheme.value)))
        form.addRow(self.start_minimised)
        form.addRow(self.close_to_tray)
        form.addRow(self._label(self.tr("Default &account for new mail:"), self.default_account), self.default_account)
        form.addRow(self._label(self.tr("&Look:"), self.color_scheme), self.color_scheme)
        return page

    def _reading(self, s: DesktopSettings) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.remote_content = QComboBox(page)
        self.remote_content.addItem(self.tr("Block until I allow it (recommended)"), RemoteContent.BLOCK.value)
        self.remote_content.addItem(self.tr("Always load"), RemoteContent.LOAD.value)
        self.remote_content.setCurrentIndex(max(0, self.remote_content.findData(s.remote_content.value)))
        self.plain_text = QCheckBox(self.tr("Show messages as &plain text"), page)
        self.plain_text.setChecked(s.plain_text)
        self.mark_read_delay = QSpinBox(page)
        self.mark_read_delay.setRange(MARK_READ_NEVER, 600)
        self.mark_read_delay.setSpecialValueText(self.tr("Never"))
        self.mark_read_delay.setSuffix(self.tr(" s"))
        self.mark_read_delay.setValue(s.mark_read_delay)
        self.mark_read_delay.setToolTip(self.tr("0: as soon as it is shown; Never: only with Mark as Read (M)"))
        form.addRow(self._label(self.tr("&Remote images and styles:"), self.remote_content), self.remote_content)
        form.addRow(self.plain_text)
        form.addRow(self._label(self.tr("Mark as read &after:"), self.mark_read_delay), self.mark_read_delay)
        return page

    def _composing(self, s: DesktopSettings) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.compose_plain = QCheckBox(self.tr("Write new messages as &plain text"), page)
        self.compose_plain.setChecked(s.compose_plain)
        self.undo_send = QSpinBox(page)
        self.undo_send.setRange(0, 120)
        self.undo_send.setSpecialValueText(self.tr("Send at once"))
        self.undo_send.setSuffix(self.tr(" s"))
        self.undo_send.setValue(s.undo_send_seconds)
        signatures = QPushButton(self.tr("&Signatures…"), page)
        signatures.setToolTip(self.tr("Signatures belong to identities"))
        signatures.clicked.connect(lambda _checked=False: self.identitiesRequested.emit())
        form.addRow(self.compose_plain)
        form.addRow(self._label(self.tr("&Undo send for:"), self.undo_send), self.undo_send)
        form.addRow(signatures)
        return page

    def _notifications(self, s: DesktopSettings) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.notify = QCheckBox(self.tr("&Notify me about new mail"), page)
        self.notify.setChecked(s.notify)
        self.quiet_hours = QCheckBox(self.tr("&Quiet hours"), page)
        start, end = parse_clock(s.quiet_from), parse_clock(s.quiet_to)
        self.quiet_hours.setChecked(start is not None and end is not None)
        self.quiet_from = QTimeEdit(QTime(start.hour, start.minute) if start else QTime(22, 0), page)
        self.quiet_to = QTimeEdit(QTime(end.hour, end.minute) if end else QTime(7, 0), page)
        span = QHBoxLayout()
        for edit, name in ((self.quiet_from, self.tr("Quiet from")), (self.quiet_to, self.tr("Quiet until"))):
            edit.setDisplayFormat(_CLOCK)
            edit.setAccessibleName(name)
            span.addWidget(edit)
        self.group_above = QSpinBox(page)
        self.group_above.setRange(1, 100)
        self.group_above.setValue(s.group_above)
        self.group_above.setToolTip(self.tr("More new messages than this at once show as one notification"))
        form.addRow(self.notify)
        form.addRow(self.quiet_hours, span)
        form.addRow(self._label(self.tr("&Group when more than:"), self.group_above), self.group_above)
        self.quiet_hours.toggled.connect(self.quiet_from.setEnabled)
        self.quiet_hours.toggled.connect(self.quiet_to.setEnabled)
        self.quiet_from.setEnabled(self.quiet_hours.isChecked())
        self.quiet_to.setEnabled(self.quiet_hours.isChecked())
        return page

    def _privacy(self, trusted: list[str]) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        label = QLabel(self.tr("Senders whose mail may load &remote images and styles:"), page)
        self.trusted = QListWidget(page)
        self.trusted.addItems(trusted)
        label.setBuddy(self.trusted)
        self.remove_trusted = QPushButton(self.tr("R&emove"), page)
        self.remove_trusted.clicked.connect(lambda _checked=False: self._remove_trusted())
        layout.addWidget(label)
        layout.addWidget(self.trusted)
        layout.addWidget(self.remove_trusted)
        return page

    def _opener(self, text: str, buttons: tuple[tuple[str, SignalInstance], ...]) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        note = QLabel(text, page)
        note.setWordWrap(True)
        layout.addWidget(note)
        for title, signal in buttons:
            button = QPushButton(title, page)
            button.clicked.connect(lambda _checked=False, s=signal: s.emit())
            layout.addWidget(button)
        layout.addStretch(1)
        return page

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    # --- results ----------------------------------------------------------------------------------
    def _remove_trusted(self) -> None:
        for item in self.trusted.selectedItems():
            self._removed.append(item.text())
            self.trusted.takeItem(self.trusted.row(item))

    def chosen(self) -> DesktopSettings:
        """What the dialog shows now, as settings."""
        quiet = self.quiet_hours.isChecked()
        return DesktopSettings(
            start_minimised=self.start_minimised.isChecked(),
            close_to_tray=self.close_to_tray.isChecked(),
            default_account=int(self.default_account.currentData() or 0),
            remote_content=RemoteContent(self.remote_content.currentData()),
            plain_text=self.plain_text.isChecked(),
            mark_read_delay=self.mark_read_delay.value(),
            compose_plain=self.compose_plain.isChecked(),
            undo_send_seconds=self.undo_send.value(),
            notify=self.notify.isChecked(),
            quiet_from=self.quiet_from.time().toString(_CLOCK) if quiet else "",
            quiet_to=self.quiet_to.time().toString(_CLOCK) if quiet else "",
            group_above=self.group_above.value(),
            color_scheme=ColorScheme(self.color_scheme.currentData()),
        )

    def save(self) -> None:
        """OK: save, then close (a failure is shown by Ops and the dialog stays open)."""
        chosen, removed = self.chosen(), list(self._removed)

        async def write() -> None:
            await self._store.preferences.set_many(settings_rows(chosen))
            for address in removed:
                await self._store.trust.distrust(address)

        def saved(_result: None) -> None:
            self.settingsSaved.emit(chosen)
            self.accept()

        self._ops.run(write(), label="Save settings", on_done=saved)
