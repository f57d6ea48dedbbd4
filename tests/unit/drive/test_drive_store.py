"""The Drive bridge's rows in the store (store/drive_uploads.py): settings per account, sessions in flight."""

from __future__ import annotations

from realmail_desktop.store import Account, DriveSettings, LinkSharing, Store
from realmail_desktop.store.drive_uploads import DEFAULT_THRESHOLD, MB, MIN_THRESHOLD
from realmail_desktop.store.message_size import attachment_limit


async def test_settings_default_then_kept_per_account(store: Store, account: Account) -> None:
    assert await store.drive.settings(account.id) == DriveSettings(False, DEFAULT_THRESHOLD, LinkSharing.ANYONE, "")
    await store.drive.set_folder(account.id, "folder-1")
    await store.drive.save_settings(account.id, DriveSettings(True, 40 * 1024 * 1024, LinkSharing.RECIPIENTS))
    saved = await store.drive.settings(account.id)
    assert saved == DriveSettings(True, 40 * 1024 * 1024, LinkSharing.RECIPIENTS, "folder-1")
    assert saved.sends_as_link(40 * 1024 * 1024) and not saved.sends_as_link(40 * 1024 * 1024 - 1)
    other, _ = await store.accounts.create_local()
    assert await store.drive.settings(other.id) == DriveSettings()


async def test_a_threshold_below_the_minimum_is_raised_to_it(store: Store, account: Account) -> None:
    await store.drive.save_settings(account.id, DriveSettings(True, 1024))
    assert (await store.drive.settings(account.id)).threshold == MIN_THRESHOLD


async def test_sessions_are_replaced_by_key_and_go_with_their_account(store: Store, account: Account) -> None:
    await store.drive.remember(account.id, "file:/a:1:2", "a", 1, "https://up/1")
    await store.drive.remember(account.id, "file:/a:1:2", "a", 1, "https://up/2")
    await store.drive.remember(account.id, "sha256:ff", "b", 5, "https://up/3")
    assert [(u.source_key, u.session_url) for u in await store.drive.pending()] == [
        ("file:/a:1:2", "https://up/2"),
        ("sha256:ff", "https://up/3"),
    ]
    found = await store.drive.upload(account.id, "sha256:ff")
    assert found is not None and found.size == 5
    await store.accounts.delete_account(account.id)
    assert await store.drive.pending() == []


async def test_the_default_threshold_follows_the_servers_size_and_a_saved_one_wins(
    store: Store, account: Account
) -> None:
    await store.sending.set_smtp_size_limit(account.id, 35882577)  # Gmail's SIZE: 25.6 MB of files
    unsaved = await store.drive.settings(account.id)
    assert unsaved.threshold == DEFAULT_THRESHOLD == 25 * MB  # whole MB, as the settings dialog offers it
    assert unsaved.attachment_limit == attachment_limit(35882577)
    await store.sending.set_smtp_size_limit(account.id, 100 * MB)
    assert (await store.drive.settings(account.id)).threshold == 75 * MB - MB  # 75 MB less the headers' share
    await store.sending.set_smtp_size_limit(account.id, 4 * MB)
    assert (await store.drive.settings(account.id)).threshold == MIN_THRESHOLD  # offered from 10 MB
    await store.drive.save_settings(account.id, DriveSettings(True, 40 * MB))
    await store.sending.set_smtp_size_limit(account.id, 100 * MB)
    saved = await store.drive.settings(account.id)
    assert saved.threshold == 40 * MB and saved.attachment_limit == attachment_limit(100 * MB)
