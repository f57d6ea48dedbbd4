"""Sending with big attachments (bridges/drive/outgoing.py): the big file goes to Drive, shared as the
account's settings say, and the built message carries its link instead of it."""

from __future__ import annotations

import email.parser
from collections.abc import Callable
from email import policy

from realmail_desktop.bridges.drive import DriveAttachments, DriveService
from realmail_desktop.mail.compose import Draft, FileAttachment, build_message
from realmail_desktop.mail.headers import Address
from realmail_desktop.store import Account, DriveSettings, LinkSharing, Store
from realmail_desktop.store.drive_uploads import MB
from tests.servers.drive import FakeDrive

BIG = bytes(range(256)) * (44 * 1024)  # 11 MiB
DRAFT = Draft(
    sender=Address("Ann", "ann@example.org"),
    to=(Address("Bob", "Bob@Example.com"),),
    subject="Film",
    text="Here it is.",
    attachments=(FileAttachment("notes.txt", b"small"), FileAttachment("film.mov", BIG, "video/quicktime")),
)


async def test_only_with_drive_on_and_at_the_threshold(
    make_service: Callable[..., DriveService], store: Store, account: Account, fake_drive: FakeDrive
) -> None:
    drive = DriveAttachments(store, make_service())
    assert await drive.prepare(account.id, DRAFT) is DRAFT  # Drive is off by default
    await store.drive.save_settings(account.id, DriveSettings(True, 12 * MB))
    assert await drive.links_needed(account.id, DRAFT) == []
    assert await drive.prepare(account.id, DRAFT) is DRAFT
    assert fake_drive.files == {}


async def test_the_big_file_leaves_as_a_link_shared_with_the_recipients(
    make_service: Callable[..., DriveService], store: Store, account: Account, fake_drive: FakeDrive
) -> None:
    await store.drive.save_settings(account.id, DriveSettings(True, 10 * MB, LinkSharing.RECIPIENTS))
    drive = DriveAttachments(store, make_service())
    assert await drive.links_needed(account.id, DRAFT) == [1]
    seen: list[tuple[str, int, int]] = []

    sent = await drive.prepare(account.id, DRAFT, lambda name, done, total: seen.append((name, done, total)))

    [file] = fake_drive.files_named("film.mov")
    assert fake_drive.content_path(file.id).read_bytes() == BIG
    assert [(p["type"], p.get("emailAddress")) for p in file.permissions] == [("user", "bob@example.com")]
    assert seen[-1] == ("film.mov", len(BIG), len(BIG))
    message = email.parser.BytesParser(policy=policy.default).parsebytes(build_message(sent).raw)
    assert [part.get_filename() for part in message.iter_attachments()] == ["notes.txt"]
    body = message.get_body(("plain",))
    assert body is not None
    assert f"https://drive.google.com/file/d/{file.id}/view?usp=drivesdk" in body.get_content()
    assert "film.mov (11.0 MB)" in body.get_content()
