"""Events the sorting service publishes: a rule's "notify" action (the tray shows it; app/ can pass it on)."""

from __future__ import annotations

from dataclasses import dataclass

from realmail_desktop.core.events import Event


@dataclass(frozen=True, slots=True)
class RuleNotification(Event):
    """A rule with a "notify" action matched new mail. `channel` is "desktop" or "telegram"."""

    message_id: int
    rule_name: str
    channel: str
    sender: str = ""
    subject: str = ""


@dataclass(frozen=True, slots=True)
class JunkFiled(Event):
    """The junk filter moved new mail to Junk (`score` in [0, 1]); the tray does not notify it."""

    message_id: int
    score: float
