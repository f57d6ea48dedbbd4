"""Import and export through the service: round-trips, de-duplication, bad input, progress, the demo."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest

from realmail_desktop.core.bundle import demo_mailbox_dir
from realmail_desktop.core.errors import ImportFailedError
from realmail_desktop.core.events import EventBus, TaskFinished, TaskProgress
from realmail_desktop.mail.maildir import MaildirSource
from realmail_desktop.mail.mbox import MboxSource
from realmail_desktop.mail.sources import Flag, SourceMessage
from realmail_desktop.store import Account, Folder, FolderRole, MessageQuery, SortOrder, Store
from realmail_desktop.transfer import ExportFormat, MailTransfer, ensure_demo_mailbox
from realmail_desktop.transfer import importer as importer_module

FolderOf = Callable[[FolderRole], Folder]


def mail(i: int, *, subject: str | None = None, body: str = "Hello there.\n", extra: str = "") -> bytes:
    return (
        f"From: Person {i} <p{i}@example.com>\nTo: alex@example.org\n"
        f"Subject: {subject if subject is not None else f'Message {i}'}\n"
        f"Date: Mon, 2 Nov 2026 10:{i % 60:02d}:00 +0100\nMessage-ID: <m{i}@example.com>\n{extra}\n{body}"
    ).encode()


def write_mbox(path: Path, messages: list[bytes]) -> None:
    path.write_bytes(b"".join(b"From sender@example.com Mon Nov  2 10:00:00 2026\n" + m + b"\n" for m in messages))


def subjects(store: Store, folder: Folder) -> list[str]:
    query = MessageQuery((folder.id,))
    return [m.subject for m in store.reader.page(query, SortOrder(), 0, 10_000)]


async def test_mbox_import_then_maildir_export_round_trips(
    store: Store, bus: EventBus, folder_of: FolderOf, tmp_path: Path
) -> None:
    transfer = MailTransfer(store, bus)
    inbox, archive = folder_of(FolderRole.INBOX), folder_of(FolderRole.ARCHIVE)
    originals = [mail(i, body=f"Body {i}\nFrom the start of a line\n") for i in range(30)]
    write_mbox(tmp_path / "in.mbox", originals)
    report = await transfer.import_path(tmp_path / "in.mbox", inbox.id)
    assert (report.imported, report.skipped, report.duplicates) == (30, 0, 0)
    first = store.reader.page(MessageQuery((inbox.id,)), SortOrder(), 0, 100)[-1]
    await store.messages.set_flagged([first.id], True)

    export = await transfer.export_folder(inbox.id, tmp_path / "out", ExportFormat.MAILDIR)
    assert export.exported == 30
    exported = [item for item in MaildirSource(tmp_path / "out") if isinstance(item, SourceMessage)]
    assert sorted(m.raw for m in exported) == sorted(originals)  # the bytes survive import and export
    assert sum(Flag.FLAGGED in m.flags for m in exported) == 1

    again = await transfer.import_path(tmp_path / "out", archive.id)
    assert again.imported == 30
    assert sorted(subjects(store, archive)) == sorted(subjects(store, inbox))


async def test_reimport_skips_messages_already_there(
    store: Store, bus: EventBus, folder_of: FolderOf, tmp_path: Path
) -> None:
    transfer = MailTransfer(store, bus)
    write_mbox(tmp_path / "a.mbox", [mail(i) for i in range(5)] + [mail(1)])  # one repeated inside too
    inbox = folder_of(FolderRole.INBOX)
    first = await transfer.import_path(tmp_path / "a.mbox", inbox.id)
    second = await transfer.import_path(tmp_path / "a.mbox", inbox.id)
    assert (first.imported, first.duplicates) == (5, 1)
    assert (second.imported, second.duplicates) == (0, 6)
    assert store.reader.count(MessageQuery((inbox.id,))) == 5


@pytest.mark.parametrize("fmt", list(ExportFormat))
async def test_every_export_format_reads_back(
    store: Store, bus: EventBus, folder_of: FolderOf, tmp_path: Path, fmt: ExportFormat
) -> None:
    transfer = MailTransfer(store, bus)
    inbox, junk = folder_of(FolderRole.INBOX), folder_of(FolderRole.JUNK)
    write_mbox(tmp_path / "in.mbox", [mail(i, subject=f"Grüße {i} – 日本") for i in range(4)])
    await transfer.import_path(tmp_path / "in.mbox", inbox.id)
    target = tmp_path / "export"
    if fmt is not ExportFormat.MBOX:
        target.mkdir()
    report = await transfer.export_folder(inbox.id, target, fmt)
    assert report.exported == 4
    await transfer.import_path(report.destination, junk.id)
    assert sorted(subjects(store, junk)) == sorted(subjects(store, inbox))


async def test_bad_input_is_imported_with_what_can_be_read(
    store: Store, bus: EventBus, folder_of: FolderOf, tmp_path: Path
) -> None:
    big = base64.encodebytes(b"\x89PNG" + bytes(50 * 1024 * 1024)).decode()
    messages = [
        mail(1, subject="=?x-unknown-charset?Q?Caf=E9?="),  # unknown charset
        mail(2, body="Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\ntrunc"),
        mail(3, extra="".join(f"X-Header-{n}: {n}\n" for n in range(10_000))),  # 10,000 header lines
        mail(4, body="nul \x00 bytes \x00 inside\n"),
        mail(5, extra="Date: not a date at all\n"),
        mail(
            6,
            extra='MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="zz"\n',
            body=f"--zz\nContent-Type: text/plain\n\nsee attached\n--zz\nContent-Type: image/png; name=a.png\n"
            f"Content-Transfer-Encoding: base64\n\n{big}--zz--\n",
        ),  # a 50 MB attachment
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,  # not mail at all
    ]
    mbox = tmp_path / "bad.mbox"
    mbox.write_bytes(
        b"garbage before the first From line\n\n"
        + b"".join(b"From sender@example.com Mon Nov  2 10:00:00 2026\n" + m + b"\n" for m in messages)
        + b"From \n\n"  # a broken From_ line followed by an empty message
    )
    inbox = folder_of(FolderRole.INBOX)
    report = await MailTransfer(store, bus).import_path(mbox, inbox.id)
    assert report.imported == len(messages)
    assert report.skipped == 1  # the junk before the first From_ line, with its reason
    assert "before the first" in report.problems[0] and "bad.mbox" in report.problems[0]
    listed = {m.subject: m for m in store.reader.page(MessageQuery((inbox.id,)), SortOrder(), 0, 100)}
    assert "Message 3" in listed and "Message 6" in listed
    assert listed["Message 6"].has_attachments
    assert listed["Message 6"].size > 50_000_000


async def test_a_write_failure_leaves_whole_batches_only(
    store: Store, bus: EventBus, folder_of: FolderOf, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer_module, "BATCH_SIZE", 10)
    write_mbox(tmp_path / "m.mbox", [mail(i) for i in range(35)])
    real_add = store.messages.add
    calls = 0

    async def failing_add(folder_id: int, batch: list) -> object:  # type: ignore[type-arg]
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        return await real_add(folder_id, batch)

    monkeypatch.setattr(store.messages, "add", failing_add)
    inbox = folder_of(FolderRole.INBOX)
    with pytest.raises(OSError, match="No space"):
        await MailTransfer(store, bus).import_path(tmp_path / "m.mbox", inbox.id)
    assert store.reader.count(MessageQuery((inbox.id,))) == 20  # two whole batches, nothing half-written
    current = store.reader.folder(inbox.id)
    assert current is not None and current.total_count == 20


async def test_progress_and_finish_are_published(
    store: Store, bus: EventBus, folder_of: FolderOf, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer_module, "BATCH_SIZE", 4)
    progress: list[TaskProgress] = []
    finished: list[TaskFinished] = []
    bus.subscribe(TaskProgress, progress.append)
    bus.subscribe(TaskFinished, finished.append)
    write_mbox(tmp_path / "p.mbox", [mail(i) for i in range(10)])
    await MailTransfer(store, bus).import_path(tmp_path / "p.mbox", folder_of(FolderRole.INBOX).id)
    assert [p.done for p in progress] == [4, 8, 10]
    assert all(p.total == 10 for p in progress)
    assert len(finished) == 1 and "10 imported" in finished[0].summary


async def test_not_mail_is_refused_plainly(store: Store, bus: EventBus, folder_of: FolderOf, tmp_path: Path) -> None:
    picture = tmp_path / "holiday.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(ImportFailedError) as caught:
        await MailTransfer(store, bus).import_path(picture, folder_of(FolderRole.INBOX).id)
    assert "holiday.png" in caught.value.message
    assert store.reader.message_count() == 0


async def test_demo_mailbox_fills_local_folders_once(store: Store, bus: EventBus) -> None:
    transfer = MailTransfer(store, bus)
    assert await ensure_demo_mailbox(store, transfer)
    assert not await ensure_demo_mailbox(store, transfer)  # only on a profile without accounts
    (account,) = store.reader.accounts()
    folders = {f.path: f for f in store.reader.folders(account.id)}
    on_disk = sum(1 for p in demo_mailbox_dir().rglob("*") if p.is_file() and p.parent.name in {"cur", "new"})
    assert store.reader.message_count() == on_disk >= 36
    for path in ("Inbox", "Sent", "Drafts", "Archive", "Trash", "Newsletters"):
        assert folders[path].total_count > 0, path
    inbox = folders["Inbox"]
    assert 0 < inbox.unread_count < inbox.total_count
    sent = subjects(store, folders["Sent"])
    assert any(s.startswith("Re: ") for s in sent)


async def test_demo_mailbox_missing_still_gives_local_folders(store: Store, bus: EventBus, tmp_path: Path) -> None:
    assert await ensure_demo_mailbox(store, MailTransfer(store, bus), source=tmp_path / "nowhere")
    assert [a.name for a in store.reader.accounts()] == ["Local Folders"]


async def test_mbox_export_into_a_directory_names_the_file(
    store: Store, bus: EventBus, local_account: Account, tmp_path: Path
) -> None:
    folder, _ = await store.accounts.create_folder(local_account.id, "Work/Q3: plans")
    write_mbox(tmp_path / "in.mbox", [mail(1)])
    transfer = MailTransfer(store, bus)
    await transfer.import_path(tmp_path / "in.mbox", folder.id)
    report = await transfer.export_folder(folder.id, tmp_path, ExportFormat.MBOX)
    assert report.destination.parent == tmp_path and report.destination.suffix == ".mbox"
    assert "/" not in report.destination.name and ":" not in report.destination.name
    assert sum(1 for item in MboxSource(report.destination) if isinstance(item, SourceMessage)) == 1
