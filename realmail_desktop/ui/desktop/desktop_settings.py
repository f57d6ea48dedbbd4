"""DesktopSettings: the Settings dialog's choices, read from and written to the store's preferences (Qt-free).

Each field is one row of the `preferences` key/value table (migrations/0008); a missing or unreadable value
falls back to its default, so a hand-edited or older profile never breaks the app. The undo-send delay keeps
its existing key (store/preferences.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import time
from enum import StrEnum
from typing import TypeVar

from realmail_desktop.store.preferences import DEFAULT_UNDO_SEND_SECONDS, UNDO_SEND_SECONDS
from realmail_desktop.ui.desktop.notify_policy import NotifyRules


class ColorScheme(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


class RemoteContent(StrEnum):
    BLOCK = "block"  # blocked until allowed for the message or the sender (the safe default)
    LOAD = "load"  # always load remote images and styles


_Choice = TypeVar("_Choice", bound=StrEnum)

MARK_READ_NEVER = -1  # mark-as-read delay: leave a shown message unread (M marks it)


@dataclass(frozen=True, slots=True)
class DesktopSettings:
    start_minimised: bool = False
    close_to_tray: bool = False
    default_account: int = 0  # 0: the account of the folder in view
    remote_content: RemoteContent = RemoteContent.BLOCK
    plain_text: bool = False
    mark_read_delay: int = 0  # seconds a message is shown before it is marked read; -1: never
    compose_plain: bool = False
    undo_send_seconds: int = DEFAULT_UNDO_SEND_SECONDS
    notify: bool = True
    quiet_from: str = ""  # "HH:MM", "" for no quiet hours
    quiet_to: str = ""
    group_above: int = 3
    color_scheme: ColorScheme = ColorScheme.SYSTEM

    def notify_rules(self) -> NotifyRules:
        return NotifyRules(
            enabled=self.notify,
            quiet_from=parse_clock(self.quiet_from),
            quiet_to=parse_clock(self.quiet_to),
            group_above=self.group_above,
        )


_KEYS = {field.name: f"desktop.{field.name}" for field in fields(DesktopSettings)}
_KEYS["undo_send_seconds"] = UNDO_SEND_SECONDS


def parse_clock(text: str) -> time | None:
    """ "22:30" → 22:30; anything else → None."""
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    h, m = int(hours), int(minutes)
    return time(h, m) if 0 <= h < 24 and 0 <= m < 60 else None


def _int(text: str, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(text.strip())))
    except ValueError:
        return default


def load_settings(text: Callable[[str, str], str]) -> DesktopSettings:
    """The settings from `text(key, default)` (StoreReader.preferences.text); bad values read as defaults."""
    d = DesktopSettings()

    def flag(name: str, default: bool) -> bool:
        return text(_KEYS[name], "1" if default else "0").strip() == "1"

    def choice(name: str, enum: type[_Choice], default: _Choice) -> _Choice:
        value = text(_KEYS[name], default.value)
        return enum(value) if value in {e.value for e in enum} else default

    return DesktopSettings(
        start_minimised=flag("start_minimised", d.start_minimised),
        close_to_tray=flag("close_to_tray", d.close_to_tray),
        default_account=_int(text(_KEYS["default_account"], "0"), 0, 0, 2**31),
        remote_content=choice("remote_content", RemoteContent, d.remote_content),
        plain_text=flag("plain_text", d.plain_text),
        mark_read_delay=_int(text(_KEYS["mark_read_delay"], "0"), 0, MARK_READ_NEVER, 600),
        compose_plain=flag("compose_plain", d.compose_plain),
        undo_send_seconds=_int(text(_KEYS["undo_send_seconds"], str(d.undo_send_seconds)), d.undo_send_seconds, 0, 120),
        notify=flag("notify", d.notify),
        quiet_from=text(_KEYS["quiet_from"], "") if parse_clock(text(_KEYS["quiet_from"], "")) else "",
        quiet_to=text(_KEYS["quiet_to"], "") if parse_clock(text(_KEYS["quiet_to"], "")) else "",
        group_above=_int(text(_KEYS["group_above"], "3"), 3, 1, 100),
        color_scheme=choice("color_scheme", ColorScheme, d.color_scheme),
    )


def settings_rows(settings: DesktopSettings) -> dict[str, str]:
    """Every setting as the preferences table stores it (key → text)."""
    rows: dict[str, str] = {}
    for field in fields(settings):
        value = getattr(settings, field.name)
        rows[_KEYS[field.name]] = ("1" if value else "0") if isinstance(value, bool) else str(value)
    return rows
