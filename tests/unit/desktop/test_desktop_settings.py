"""Desktop settings in the store's preferences: they survive reopening the store; bad values read as defaults."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from realmail_desktop.core.events import EventBus
from realmail_desktop.store import Store
from realmail_desktop.ui.desktop.desktop_settings import (
    ColorScheme,
    DesktopSettings,
    RemoteContent,
    load_settings,
    settings_rows,
)


async def test_settings_persist_across_reopening_the_store(tmp_path: Path) -> None:
    path = tmp_path / "profile.sqlite3"
    chosen = DesktopSettings(
        start_minimised=True,
        close_to_tray=True,
        default_account=2,
        remote_content=RemoteContent.LOAD,
        plain_text=True,
        mark_read_delay=5,
        compose_plain=True,
        undo_send_seconds=30,
        notify=False,
        quiet_from="22:00",
        quiet_to="07:30",
        group_above=5,
        color_scheme=ColorScheme.DARK,
    )
    store = await Store.open(path, EventBus())
    try:
        assert load_settings(store.reader.preferences.text) == DesktopSettings()  # a new profile: defaults
        await store.preferences.set_many(settings_rows(chosen))
    finally:
        await store.close()
    store = await Store.open(path, EventBus())
    try:
        assert load_settings(store.reader.preferences.text) == chosen
        assert store.reader.preferences.undo_send_seconds() == 30  # the composer's existing key, shared
    finally:
        await store.close()
    rules = chosen.notify_rules()
    assert (rules.enabled, rules.quiet_from, rules.quiet_to, rules.group_above) == (False, time(22), time(7, 30), 5)


def test_bad_values_read_as_defaults() -> None:
    stored = {
        "desktop.close_to_tray": "yes please",
        "desktop.mark_read_delay": "soon",
        "desktop.group_above": "-4",
        "desktop.quiet_from": "25:00",
        "desktop.color_scheme": "purple",
        "desktop.remote_content": "",
        "undo_send_seconds": "9999",
    }
    settings = load_settings(stored.get)
    assert settings.close_to_tray is False
    assert settings.mark_read_delay == 0
    assert settings.group_above == 1  # clamped
    assert settings.quiet_from == ""
    assert settings.color_scheme is ColorScheme.SYSTEM
    assert settings.remote_content is RemoteContent.BLOCK
    assert settings.undo_send_seconds == 120
