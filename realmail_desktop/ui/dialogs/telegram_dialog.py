"""Tools ▸ Telegram bridge…: the bot token (kept in the keyring), Enable, pairing (code, t.me link, QR code,
confirming the Telegram name that paired), paired chats, and what is worth a notification.

Signals: statusChanged(TelegramStatus), pairingRequested(TelegramPairingRequest) — the bridge's bus events,
heard while the dialog is open.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable

import segno
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTime, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.auth import SecretKind, SecretStore
from realmail_desktop.bridges.telegram import PairingCode, TelegramBridge
from realmail_desktop.core.events import EventBus, TelegramPairingRequest, TelegramStatus
from realmail_desktop.store import Store
from realmail_desktop.store.telegram_bridge import BridgeSettings, ChatState, TelegramChat
from realmail_desktop.ui.ops import Ops

BOT_TOKEN_KEY = 0  # the bot token is profile-wide: kept under account id 0 (auth/secrets.py)
_STATE_TEXT = {  # marked for pyside6-lupdate; translated where shown
    "stopped": str(QT_TRANSLATE_NOOP("TelegramDialog", "Off")),
    "connecting": str(QT_TRANSLATE_NOOP("TelegramDialog", "Connecting to Telegram…")),
    "running": str(QT_TRANSLATE_NOOP("TelegramDialog", "On")),
    "offline": str(QT_TRANSLATE_NOOP("TelegramDialog", "Telegram cannot be reached; retrying.")),
    "error": str(QT_TRANSLATE_NOOP("TelegramDialog", "Not running")),
}


def bot_token(secrets: SecretStore) -> str | None:
    """The bridge's `token_for`: the token from the keyring (blocking; the bridge calls it in a thread)."""
    return secrets.get_secret(BOT_TOKEN_KEY, SecretKind.TELEGRAM_BOT_TOKEN)


def qr_pixmap(text: str, scale: int = 5) -> QPixmap:
    """A QR code of `text` (segno → PNG → QPixmap)."""
    png = io.BytesIO()
    segno.make(text, error="m").save(png, kind="png", scale=scale, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(png.getvalue(), "PNG")
    return pixmap


def _minutes(edit: QTimeEdit) -> int:
    value = edit.time()
    return value.hour() * 60 + value.minute()


class TelegramDialog(QDialog):
    statusChanged = Signal(object)
    pairingRequested = Signal(object)

    def __init__(
        self,
        store: Store,
        ops: Ops,
        bridge: TelegramBridge,
        secrets: SecretStore,
        *,
        bus: EventBus,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("telegramDialog")
        self.setWindowTitle(self.tr("Telegram bridge"))
        self._store, self._ops, self._bridge, self._secrets = store, ops, bridge, secrets
        self._unsubscribe: list[Callable[[], None]] = [
            bus.subscribe(TelegramStatus, self.statusChanged.emit),
            bus.subscribe(TelegramPairingRequest, self.pairingRequested.emit),
        ]
        self.finished.connect(self._detach)
        self.statusChanged.connect(self._show_status)
        self.pairingRequested.connect(self.ask_to_confirm)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close, self)
        buttons.accepted.connect(self.save_choices)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self._bot_box())
        layout.addWidget(self._pairing_box())
        layout.addWidget(self._notify_box())
        layout.addWidget(buttons)
        self._ops.run(self._load(), label="Telegram settings", on_done=self._fill)

    def _bot_box(self) -> QGroupBox:
        self.token_field = QLineEdit(self)
        self.token_field.setObjectName("botTokenField")
        self.token_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_field.setPlaceholderText(self.tr("123456789:AA… (from @BotFather)"))
        self.save_token_button = QPushButton(self.tr("Save token"), self)
        self.save_token_button.clicked.connect(self.save_token)
        self.enabled_box = QCheckBox(self.tr("Enable the Telegram bridge"), self)
        self.enabled_box.toggled.connect(self.set_enabled)
        self.status_label = QLabel(self._state_text(self._bridge.state, ""), self)
        self.status_label.setObjectName("telegramStatus")
        self.status_label.setWordWrap(True)
        token_row = QHBoxLayout()
        token_row.addWidget(self.token_field, 1)
        token_row.addWidget(self.save_token_button)
        bot_box = QGroupBox(self.tr("Bot"), self)
        bot_form = QFormLayout(bot_box)
        bot_form.addRow(self.tr("Bot token:"), token_row)
        bot_form.addRow(self.enabled_box)
        bot_form.addRow(self.tr("Status:"), self.status_label)
        return bot_box

    def _pairing_box(self) -> QGroupBox:
        self.pair_button = QPushButton(self.tr("New pairing code"), self)
        self.pair_button.clicked.connect(self.new_code)
        self.code_label = QLabel("", self)
        self.code_label.setObjectName("pairingCode")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.link_label = QLabel("", self)
        self.link_label.setObjectName("pairingLink")
        self.link_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.qr_label = QLabel(self)
        self.qr_label.setObjectName("pairingQr")
        self.chat_list = QListWidget(self)
        self.chat_list.setObjectName("pairedChats")
        self.remove_chat_button = QPushButton(self.tr("Remove"), self)
        self.remove_chat_button.clicked.connect(self.remove_selected_chat)
        pairing_box = QGroupBox(self.tr("Your phone"), self)
        pairing_layout = QVBoxLayout(pairing_box)
        pairing_layout.addWidget(
            QLabel(self.tr("Make a code, then open the link (or scan the code) on your phone and press Start."), self)
        )
        pairing_layout.addWidget(self.pair_button)
        pairing_layout.addWidget(self.code_label)
        pairing_layout.addWidget(self.link_label)
        pairing_layout.addWidget(self.qr_label)
        pairing_layout.addWidget(QLabel(self.tr("Paired chats:"), self))
        pairing_layout.addWidget(self.chat_list)
        pairing_layout.addWidget(self.remove_chat_button)
        return pairing_box

    def _notify_box(self) -> QGroupBox:
        self.folder_list = QListWidget(self)
        self.folder_list.setObjectName("watchedFolders")
        self.vip_field = QPlainTextEdit(self)
        self.vip_field.setObjectName("vipSenders")
        self.vip_field.setPlaceholderText(self.tr("boss@example.com (one address a line)"))
        self.quiet_box = QCheckBox(self.tr("Quiet hours"), self)
        self.quiet_from = QTimeEdit(QTime(22, 0), self)
        self.quiet_to = QTimeEdit(QTime(7, 0), self)
        self.per_hour = QSpinBox(self)
        self.per_hour.setRange(1, 120)
        self.per_hour.setSuffix(self.tr(" an hour, then a digest"))
        quiet_row = QHBoxLayout()
        for widget in (self.quiet_box, self.quiet_from, QLabel(self.tr("to"), self), self.quiet_to):
            quiet_row.addWidget(widget)
        notify_box = QGroupBox(self.tr("Notify me about"), self)
        notify_form = QFormLayout(notify_box)
        notify_form.addRow(self.tr("New mail in:"), self.folder_list)
        notify_form.addRow(self.tr("Mail from (VIP):"), self.vip_field)
        notify_form.addRow(quiet_row)
        notify_form.addRow(self.tr("At most:"), self.per_hour)
        return notify_box

    # --- loading ----------------------------------------------------------------------------------
    async def _load(self) -> tuple[BridgeSettings, list[TelegramChat]]:
        return await self._store.telegram.settings(), await self._bridge.chats()

    def _fill(self, loaded: tuple[BridgeSettings, list[TelegramChat]]) -> None:
        settings, chats = loaded
        self.enabled_box.blockSignals(True)
        self.enabled_box.setChecked(settings.enabled)
        self.enabled_box.blockSignals(False)
        self.folder_list.clear()
        for folder in self._store.reader.folders():
            item = QListWidgetItem(f"{self._account_name(folder.account_id)} · {folder.path}", self.folder_list)
            item.setData(Qt.ItemDataRole.UserRole, folder.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if folder.id in settings.folders else Qt.CheckState.Unchecked)
        self.vip_field.setPlainText("\n".join(sorted(settings.vip_senders)))
        quiet = settings.quiet_start != settings.quiet_end
        self.quiet_box.setChecked(quiet)
        if quiet:
            self.quiet_from.setTime(QTime(settings.quiet_start // 60, settings.quiet_start % 60))
            self.quiet_to.setTime(QTime(settings.quiet_end // 60, settings.quiet_end % 60))
        self.per_hour.setValue(settings.per_hour)
        self._show_chats(chats)
        waiting = next((c for c in chats if c.state is ChatState.PENDING), None)
        if waiting is not None:  # paired while this dialog was closed: still to be confirmed
            self.ask_to_confirm(TelegramPairingRequest(waiting.chat_id, waiting.name, waiting.username))

    def _account_name(self, account_id: int) -> str:
        return next((a.name or a.address for a in self._store.reader.accounts() if a.id == account_id), "")

    def _show_chats(self, chats: list[TelegramChat]) -> None:
        self.chat_list.clear()
        for chat in chats:
            who = f"{chat.name} (@{chat.username})" if chat.username else chat.name
            waiting = "" if chat.state is ChatState.PAIRED else self.tr(" — waiting for your confirmation")
            item = QListWidgetItem(who + waiting, self.chat_list)
            item.setData(Qt.ItemDataRole.UserRole, chat.chat_id)

    def _reload_chats(self) -> None:
        self._ops.run(self._bridge.chats(), label="Telegram chats", on_done=self._show_chats)

    def _state_text(self, state: str, default: str) -> str:
        text = _STATE_TEXT.get(state)
        return self.tr(text) if text is not None else default

    def _show_status(self, status: TelegramStatus) -> None:
        text = self._state_text(status.state, status.state)
        self.status_label.setText(f"{text} — {status.message}" if status.message else text)

    # --- actions ----------------------------------------------------------------------------------
    def save_token(self) -> None:
        token = self.token_field.text().strip()
        if not token:
            return
        self.token_field.clear()  # the token leaves the widget at once

        async def store_token() -> None:
            await asyncio.to_thread(self._secrets.set_secret, BOT_TOKEN_KEY, SecretKind.TELEGRAM_BOT_TOKEN, token)
            await self._bridge.restart()

        self._ops.run(store_token(), label="Save bot token")

    def set_enabled(self, enabled: bool) -> None:
        async def apply() -> None:
            await self._store.telegram.set_values(enabled=enabled)
            await self._bridge.restart()

        self._ops.run(apply(), label="Telegram bridge")

    def new_code(self) -> None:
        self._ops.run(self._bridge.new_pairing_code(), label="Pairing code", on_done=self._show_code)

    def _show_code(self, made: tuple[PairingCode, str]) -> None:
        code, link = made
        minutes = max(1, round((code.expires_at - time.time()) / 60))
        self.code_label.setText(
            self.tr("Code: {code} (for {minutes} minutes, once)").format(code=code.code, minutes=minutes)
        )
        self.link_label.setText(link)
        self.qr_label.setPixmap(qr_pixmap(link))

    def ask_to_confirm(self, request: TelegramPairingRequest) -> QMessageBox:
        who = f"{request.name} (@{request.username})" if request.username else request.name
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Pair with Telegram"),
            self.tr("“{who}” sent your pairing code. Is that you?").format(who=who),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("confirmPairingBox")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(self.tr("Only a chat you confirm can see your mail and act on it."))

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                work = self._bridge.confirm_chat(request.chat_id)
            else:
                work = self._bridge.remove_chat(request.chat_id)
            self._ops.run(work, label="Pairing", on_done=lambda _: self._reload_chats())
            self.code_label.clear()
            self.link_label.clear()
            self.qr_label.clear()

        box.finished.connect(answered)
        box.open()
        self._reload_chats()
        return box

    def remove_selected_chat(self) -> None:
        item = self.chat_list.currentItem()
        if item is None:
            return
        chat_id = int(item.data(Qt.ItemDataRole.UserRole))
        self._ops.run(self._bridge.remove_chat(chat_id), label="Unpair", on_done=lambda _: self._reload_chats())

    def save_choices(self) -> None:
        folders = []
        for row in range(self.folder_list.count()):
            item = self.folder_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                folders.append(int(item.data(Qt.ItemDataRole.UserRole)))
        vip = [line.strip() for line in self.vip_field.toPlainText().splitlines() if line.strip()]
        quiet = self.quiet_box.isChecked()
        start, end = (_minutes(self.quiet_from), _minutes(self.quiet_to)) if quiet else (0, 0)
        per_hour = self.per_hour.value()

        async def save() -> None:
            await self._store.telegram.set_watched(folders, vip)
            await self._store.telegram.set_values(quiet_start=start, quiet_end=end, per_hour=per_hour)
            await self._bridge.settings_changed()

        self._ops.run(save(), label="Telegram settings", on_done=lambda _: self.accept())

    def _detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
