"""The composer warns at the From account's own size limit — the files its SMTP server takes in one message, as
the server announced it (EHLO SIZE, kept by the sender) — and at 25 MB while that is not known."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from realmail_desktop.mail.compose import FileAttachment
from realmail_desktop.store import Account, ImapSecurity, ImapSettings, Store
from realmail_desktop.store.message_size import attachment_limit
from realmail_desktop.ui.compose import ComposeCommands, ComposerStart, ComposerWindow
from realmail_desktop.ui.compose.attachment_panel import human_size
from realmail_desktop.ui.ops import Ops

from .qt_async import idle

pytestmark = pytest.mark.gui

ANNOUNCED = 2_000_000  # the small server's SIZE: ~1.4 MB of files


def imap(user: str) -> ImapSettings:
    return ImapSettings(host="imap.example.com", port=993, security=ImapSecurity.TLS, username=user)


def size_box() -> QMessageBox | None:
    found = [w for w in QApplication.topLevelWidgets() if w.objectName() == "sizeLimitBox" and w.isVisible()]
    return found[0] if found and isinstance(found[0], QMessageBox) else None


async def test_the_size_box_comes_at_the_from_accounts_announced_limit(store: Store, local_account: Account) -> None:
    small, _ = await store.accounts.create_imap("Small", "ann@small.example", imap("ann"))
    other, _ = await store.accounts.create_imap("Other", "ann@other.example", imap("ann.other"))
    await store.sending.set_smtp_size_limit(small.id, ANNOUNCED)
    ops = Ops()
    window = QMainWindow()
    commands = ComposeCommands(window, store, ops, current_account=lambda: small.id)
    identities = await commands.identities()
    [from_small] = [i for i in identities if i.account_id == small.id]
    [from_other] = [i for i in identities if i.account_id == other.id]
    composer = ComposerWindow(store, ops, ComposerStart(identities=tuple(identities), identity_id=from_small.id))
    try:
        window.show()
        composer.show()
        await idle(ops)  # the From account's settings are read
        limit = attachment_limit(ANNOUNCED)
        assert composer.attachments.size_limit == limit
        composer.attachments.add(FileAttachment("slides.pdf", b"p" * limit))
        assert "more than" not in composer.attachments.total_label.text()  # exactly the limit still goes
        composer.attachments.add(FileAttachment("note.txt", b"n"))
        assert f"more than this account accepts ({human_size(limit)})" in composer.attachments.total_label.text()
        composer.to_field.setText("bob@example.org")
        composer.send()
        box = size_box()
        assert box is not None and f"({human_size(limit)})" in box.text()
        box.reject()
        await idle(ops)
        assert store.reader.outbox.items() == []

        composer.from_box.setCurrentIndex(composer.from_box.findData(from_other.id))  # its server: not known yet
        await idle(ops)
        assert composer.attachments.size_limit == 25 * 1024 * 1024
        assert "more than" not in composer.attachments.total_label.text()
    finally:
        composer.autosave_timer.stop()
        await ops.drain()
        composer.close()
        window.close()
        shiboken6.delete(composer)
        shiboken6.delete(window)
