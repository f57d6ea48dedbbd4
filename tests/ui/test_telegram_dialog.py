"""The Telegram bridge dialog against a real bridge and the fake Bot API: token into the keyring, Enable,
a pairing code with its link and QR code, confirming the Telegram name, the paired list, the choice saved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox

from realmail_desktop.auth import SecretKind, SecretStore
from realmail_desktop.bridges.telegram import BridgeState, TelegramBridge
from realmail_desktop.core.events import EventBus
from realmail_desktop.store import Account, FolderRole, Store
from realmail_desktop.ui.dialogs.telegram_dialog import TelegramDialog, bot_token, qr_pixmap
from realmail_desktop.ui.ops import Ops
from tests.keyring_backends import MemoryKeyring
from tests.servers.telegram import FakeBotApi, Person, fake_bot_api
from tests.ui.qt_async import idle, next_emit, wait_for
from tests.unit.bridges.telegram_support import TOKEN, bot_call

OWNER = Person(4242, "Bob", "bobstone")


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with fake_bot_api(TOKEN) as api:
        yield api


async def test_set_up_pair_and_choose(
    qtbot, store: Store, bus: EventBus, local_account: Account, bot_api: FakeBotApi
) -> None:
    keyring = MemoryKeyring()
    secrets = SecretStore(backend=keyring)
    bridge = TelegramBridge(
        store,
        bus,
        lambda: bot_token(secrets),
        base_url=bot_api.base_url,
        base_file_url=bot_api.base_file_url,
        poll_timeout=5,
    )
    ops = Ops()
    window = QMainWindow()  # as in the app: closing the dialog (Save) is not closing the last window
    qtbot.addWidget(window)
    window.show()
    dialog = TelegramDialog(store, ops, bridge, secrets, bus=bus, parent=window)
    dialog.show()
    try:
        await idle(ops)
        dialog.token_field.setText(TOKEN)
        dialog.save_token_button.click()
        assert dialog.token_field.text() == ""
        await idle(ops)
        assert secrets.get_secret(0, SecretKind.TELEGRAM_BOT_TOKEN) == TOKEN
        assert TOKEN not in str(
            await store.db.read_async(lambda c: c.execute("SELECT * FROM telegram_settings").fetchall())
        )
        running = next_emit(dialog.statusChanged)
        dialog.enabled_box.setChecked(True)
        while (await wait_for(running))[0].state != BridgeState.RUNNING:
            running = next_emit(dialog.statusChanged)
        assert dialog.status_label.text() == "On"

        dialog.pair_button.click()
        await idle(ops)
        link = dialog.link_label.text()
        assert link.startswith("https://t.me/realmail_test_bot?start=")
        assert dialog.qr_label.pixmap() is not None and not dialog.qr_label.pixmap().isNull()
        asked = next_emit(dialog.pairingRequested)
        bot_api.say(OWNER, "/start " + link.rsplit("=", 1)[1])
        await wait_for(asked)
        box = dialog.findChild(QMessageBox, "confirmPairingBox")
        assert box is not None and "Bob (@bobstone)" in box.text()
        box.button(QMessageBox.StandardButton.Yes).click()
        await idle(ops)
        await bot_call(bot_api, lambda c: "Paired" in c.text)
        assert dialog.chat_list.count() == 1 and dialog.chat_list.item(0).text() == "Bob (@bobstone)"

        inbox = store.reader.folder_by_role(local_account.id, FolderRole.INBOX)
        assert inbox is not None
        for row in range(dialog.folder_list.count()):
            item = dialog.folder_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == inbox.id:
                item.setCheckState(Qt.CheckState.Checked)
        dialog.vip_field.setPlainText("Boss@Example.com\n")
        dialog.quiet_box.setChecked(True)
        dialog.per_hour.setValue(7)
        dialog.save_choices()
        await idle(ops)
        assert not dialog.isVisible()  # Save closes it
        settings = await store.telegram.settings()
        assert settings.folders == {inbox.id} and settings.vip_senders == {"boss@example.com"}
        assert (settings.quiet_start, settings.quiet_end, settings.per_hour) == (22 * 60, 7 * 60, 7)

        dialog.chat_list.setCurrentRow(0)
        dialog.remove_chat_button.click()
        await idle(ops)
        assert dialog.chat_list.count() == 0 and await store.telegram.chats() == []
    finally:
        await bridge.stop()
        window.close()


def test_qr_code_is_an_image(qtbot) -> None:
    pixmap = qr_pixmap("https://t.me/realmail_test_bot?start=abc")
    assert not pixmap.isNull() and pixmap.width() == pixmap.height() > 100


async def test_tools_menu_opens_the_dialog(qtbot, store: Store, bus: EventBus, local_account: Account) -> None:
    from realmail_desktop.transfer import MailTransfer
    from realmail_desktop.ui.qtbridge import EventBridge
    from realmail_desktop.ui.views.main_window import MainWindow

    events = EventBridge(bus)
    ops = Ops()
    window = MainWindow(store, MailTransfer(store, bus), events, ops, secrets=SecretStore(backend=MemoryKeyring()))
    qtbot.addWidget(window)
    window.show()
    action = window.window_actions.telegram_settings
    assert not action.isEnabled()
    bridge = TelegramBridge(store, bus, lambda: None)
    window.set_telegram(bridge, bus)
    assert action.isEnabled()
    tools = [a for a in window.menuBar().actions() if a.text() == "&Tools"]
    assert tools and action in tools[0].menu().actions()
    action.trigger()
    dialog = window.findChild(TelegramDialog)
    assert dialog is not None and dialog.isVisible()
    await idle(ops)
    dialog.close()
    await ops.drain()
    events.detach()


async def test_a_chat_waiting_for_confirmation_is_asked_about_on_opening(
    qtbot, store: Store, bus: EventBus, local_account: Account
) -> None:
    await store.telegram.add_pending_chat(4242, "Bob", "bobstone")
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    ops = Ops()
    bridge = TelegramBridge(store, bus, lambda: None)
    dialog = TelegramDialog(store, ops, bridge, SecretStore(backend=MemoryKeyring()), bus=bus, parent=window)
    dialog.show()
    await idle(ops)
    box = dialog.findChild(QMessageBox, "confirmPairingBox")
    assert box is not None and box.isVisible() and "Bob (@bobstone)" in box.text()
    box.button(QMessageBox.StandardButton.No).click()
    await idle(ops)
    assert await store.telegram.chats() == []
    window.close()
