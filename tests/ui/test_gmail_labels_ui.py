"""Gmail labels in the window: a label folder lists the All Mail messages with its label, the reader shows a
message's labels, Label… (L) adds and takes off labels (queued for the server), Move to… between label folders
and Archive are label changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import shiboken6

from realmail_desktop.core.events import EventBus
from realmail_desktop.store import FolderRole, MessageQuery, RemoteFolder, RemoteOpKind, SortOrder, Store
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.dialogs.label_dialog import LabelDialog
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.main_window import MainWindow

from .mail_samples import mail
from .qt_async import idle, next_emit, wait_for
from .sync_stand_in import SETTINGS

pytestmark = pytest.mark.gui


@dataclass
class Gmail:
    window: MainWindow
    store: Store
    ops: Ops
    account: int
    inbox: int
    work: int
    all_mail: int
    rows: dict[str, int]

    def listed(self) -> list[str]:
        model = self.window.message_model
        return sorted(s.subject for r in range(model.rowCount()) if (s := model.summary_at(r)) is not None)

    async def open_folder(self, folder_id: int) -> None:
        self.window.folder_view.setCurrentIndex(self.window.folder_model.index_for_folder(folder_id))
        await idle(self.ops)

    async def select(self, message_id: int) -> None:
        shown = next_emit(self.window.reader.messageShown)
        assert self.window.message_list.select_ids([message_id], message_id)
        await wait_for(shown)
        await idle(self.ops)


@pytest.fixture
async def gmail(store: Store, bus: EventBus) -> AsyncIterator[Gmail]:
    """A Gmail account as after a sync: All Mail holds the rows; Inbox and Work are label folders."""
    account, _ = await store.accounts.create_imap("Gmail", "ann@gmail.com", SETTINGS)
    remote = [
        RemoteFolder(remote_name="INBOX", path="Inbox", delimiter="/", role=FolderRole.INBOX, subscribed=True),
        RemoteFolder(
            remote_name="[Gmail]/All Mail", path="[Gmail]/All Mail", delimiter="/", role=FolderRole.ALL, subscribed=True
        ),
        RemoteFolder(remote_name="Work", path="Work", delimiter="/", role=None, subscribed=True),
    ]
    await store.accounts.reconcile_folders(account.id, remote)
    await store.gmail.mark_label_folders(account.id, {"INBOX": "\\Inbox", "Work": "Work", "[Gmail]/All Mail": None})
    ids = {f.path: f.id for f in store.reader.folders(account.id)}
    all_mail = ids["[Gmail]/All Mail"]
    headers = [
        mail(subject, date=1_700_000_000 + n).model_copy(update={"uid": n}) for n, subject in enumerate("ABC", 1)
    ]
    await store.sync.store_headers(all_mail, headers)
    await store.gmail.set_labels(all_mail, {1: ["\\Inbox"], 2: ["\\Inbox", "Work"], 3: []})
    rows = {s.subject: s.id for s in store.reader.page(MessageQuery((all_mail,)), SortOrder(), 0, 10)}
    ops = Ops()
    bridge = EventBridge(bus)
    window = MainWindow(store, MailTransfer(store, bus), bridge, ops)
    window.show()
    yield Gmail(window, store, ops, account.id, ids["Inbox"], ids["Work"], all_mail, rows)
    await ops.drain()
    window.close()
    await ops.drain()
    bridge.detach()
    shiboken6.delete(window)


async def test_label_folders_list_their_messages_and_the_reader_shows_labels(gmail: Gmail) -> None:
    await gmail.open_folder(gmail.inbox)
    assert gmail.listed() == ["A", "B"]
    await gmail.select(gmail.rows["B"])
    assert gmail.window.reader.header_text()["Labels"] == "Inbox, Work"
    await gmail.open_folder(gmail.work)
    assert gmail.listed() == ["B"]
    await gmail.open_folder(gmail.all_mail)
    assert gmail.listed() == ["A", "B", "C"]
    await gmail.select(gmail.rows["C"])
    assert gmail.window.reader.header_text()["Labels"] == ""


async def test_label_dialog_adds_and_takes_off_labels(gmail: Gmail) -> None:
    await gmail.open_folder(gmail.inbox)
    await gmail.select(gmail.rows["A"])
    dialog = gmail.window.message_commands.label_selected()
    assert isinstance(dialog, LabelDialog)
    dialog.set_checked(gmail.work, True)
    dialog.set_checked(gmail.inbox, False)
    assert dialog.changes() == ([gmail.work], [gmail.inbox])
    dialog.accept()
    await gmail.ops.drain()
    await idle(gmail.ops)
    assert gmail.listed() == ["B"]  # A left the Inbox
    ops = [op for op in gmail.store.reader.sync.pending_ops(gmail.account) if op.kind is not RemoteOpKind.FLAGS]
    assert [(op.kind, op.add_labels, op.remove_labels) for op in ops] == [
        (RemoteOpKind.LABELS, ("Work",), ("\\Inbox",))
    ]
    assert ops[0].folder_id == gmail.all_mail  # named by its All Mail UID
    await gmail.open_folder(gmail.work)
    assert gmail.listed() == ["A", "B"]


async def test_archive_from_a_label_folder_takes_the_label_off(gmail: Gmail) -> None:
    await gmail.open_folder(gmail.inbox)
    await gmail.select(gmail.rows["B"])
    gmail.window.message_commands.archive_selected()
    await gmail.ops.drain()
    await idle(gmail.ops)
    assert gmail.listed() == ["A"]
    assert gmail.store.reader.gmail_labels(gmail.rows["B"]) == [(gmail.work, "Work")]
    assert gmail.store.reader.message(gmail.rows["B"]).folder_id == gmail.all_mail  # type: ignore[union-attr]


async def test_label_on_a_message_of_another_server_says_what_to_do(
    gmail: Gmail, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        "realmail_desktop.ui.views.message_commands.show_known_error",
        lambda _parent, message, _hint: shown.append(message),
    )
    local, _ = await gmail.store.accounts.create_local()
    inbox = next(f.id for f in gmail.store.reader.folders(local.id) if f.role is FolderRole.INBOX)
    (row,), _ = await gmail.store.messages.add(inbox, [mail("Local")])
    await gmail.open_folder(inbox)
    await gmail.select(row)
    assert gmail.window.message_commands.label_selected() is None
    assert shown == ["Labels are for Gmail messages."]


async def test_the_reader_follows_a_label_change(gmail: Gmail) -> None:
    await gmail.open_folder(gmail.all_mail)
    await gmail.select(gmail.rows["C"])
    assert gmail.window.reader.header_text()["Labels"] == ""
    dialog = gmail.window.message_commands.label_selected()
    assert dialog is not None
    dialog.set_checked(gmail.work, True)
    dialog.accept()
    await gmail.ops.drain()
    await idle(gmail.ops)
    assert gmail.window.reader.message_id == gmail.rows["C"]
    assert gmail.window.reader.header_text()["Labels"] == "Work"
