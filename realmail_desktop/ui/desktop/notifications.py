"""NewMailNotifier: turns the store's `Changes.messages_added` into new-mail notifications and the unread count.

What deserves a notification is decided in `notify_policy.py` (Qt-free); this adapter reads the new messages,
asks what the person is looking at, and shows the result on the tray. Only mail of IMAP accounts that is at
most a day old counts: an import, the demo mailbox or the history a new account downloads is not "new mail".

Signals: notified(Notification) — a notification was decided (shown on the tray when there is one);
openMessage(int message_id) — the person clicked a notification about one message;
openInbox() — the person clicked a grouped one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Signal

from realmail_desktop.core.events import Changes
from realmail_desktop.sorting.events import RuleNotification
from realmail_desktop.store import AccountKind, FolderRole, StoreReader
from realmail_desktop.ui.desktop.desktop_settings import DesktopSettings
from realmail_desktop.ui.desktop.notify_policy import (
    NewMail,
    Notification,
    Viewing,
    in_quiet_hours,
    notification_for,
)
from realmail_desktop.ui.desktop.tray import Tray

NEW_MAIL_MAX_AGE = timedelta(days=1)
PAUSE = timedelta(hours=1)
_REMEMBERED = 1000  # message ids notified lately: a rule's "notify" and the new-mail one never both show


def unread_in_inboxes(reader: StoreReader) -> int:
    """What the badge counts: unread messages in every account's Inbox."""
    return sum(f.unread_count for f in reader.folders() if f.role is FolderRole.INBOX)


class NewMailNotifier(QObject):
    notified = Signal(object)
    openMessage = Signal(int)
    openInbox = Signal()

    def __init__(
        self,
        reader: StoreReader,
        tray: Tray,
        *,
        settings: Callable[[], DesktopSettings],
        viewing: Callable[[], Viewing],
        clock: Callable[[], datetime] = datetime.now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._reader = reader
        self._tray = tray
        self._settings = settings
        self._viewing = viewing
        self._clock = clock
        self.paused_until: datetime | None = None
        self.last: Notification | None = None
        self._notified: dict[int, None] = {}  # insertion-ordered: the oldest are forgotten first
        tray.pauseToggled.connect(self.set_paused)
        tray.messageClicked.connect(self.on_clicked)
        self.update_unread()

    def set_paused(self, paused: bool) -> None:
        """Tray ▸ Pause notifications for 1 hour (unticking resumes them)."""
        self.paused_until = self._clock() + PAUSE if paused else None
        self._tray.set_paused(paused)

    def update_unread(self) -> None:
        self._tray.set_unread(unread_in_inboxes(self._reader))

    def on_store_changed(self, changes: Changes) -> None:
        if changes.folders or changes.messages_updated or changes.messages_removed or changes.accounts:
            self.update_unread()
        if changes.messages_added:
            self.notify_about(sorted(changes.messages_added))

    def notify_about(self, message_ids: list[int]) -> Notification | None:
        """Decide (and show) the notification for messages that just arrived."""
        now = self._clock()
        if self.paused_until is not None and now >= self.paused_until:
            self.set_paused(False)  # the hour is over
        arrived = [mail for mail in self._new_mail(message_ids, now) if mail.message_id not in self._notified]
        notification = notification_for(
            arrived, self._settings().notify_rules(), self._viewing(), now=now, paused_until=self.paused_until
        )
        if notification is not None:
            self._show(notification, [mail.message_id for mail in arrived])
        return notification

    def on_rule_notification(self, event: RuleNotification) -> None:
        """A rule's "notify" action (sorting/): shown whatever the folder, but not when switched off, paused
        or in quiet hours, and not twice for one message."""
        rules, now = self._settings().notify_rules(), self._clock()
        if event.channel != "desktop" or not rules.enabled or event.message_id in self._notified:
            return
        if (self.paused_until is not None and now < self.paused_until) or in_quiet_hours(
            now.time(), rules.quiet_from, rules.quiet_to
        ):
            return
        title = event.sender or "(unknown sender)"
        notification = Notification(title, event.subject or "(no subject)", event.message_id, 1)
        self._show(notification, [event.message_id])

    def _show(self, notification: Notification, message_ids: list[int]) -> None:
        for message_id in message_ids:
            self._notified[message_id] = None
        while len(self._notified) > _REMEMBERED:
            del self._notified[next(iter(self._notified))]
        self.last = notification
        self._tray.show_notification(notification)
        self.notified.emit(notification)

    def on_clicked(self) -> None:
        """The person clicked the last notification: open its message, or the Inbox for a group."""
        if self.last is None:
            return
        if self.last.message_id is not None:
            self.openMessage.emit(self.last.message_id)
        else:
            self.openInbox.emit()

    def _new_mail(self, message_ids: list[int], now: datetime) -> list[NewMail]:
        imap_accounts = {a.id for a in self._reader.accounts() if a.kind is AccountKind.IMAP}
        oldest = (now - NEW_MAIL_MAX_AGE).timestamp()
        roles: dict[int, FolderRole | None] = {}
        arrived: list[NewMail] = []
        for message_id in message_ids:
            summary = self._reader.message(message_id)
            if summary is None or summary.account_id not in imap_accounts or summary.date < oldest:
                continue
            if summary.folder_id not in roles:
                folder = self._reader.folder(summary.folder_id)
                roles[summary.folder_id] = folder.role if folder is not None else None
            arrived.append(
                NewMail(
                    message_id=summary.id,
                    folder_id=summary.folder_id,
                    folder_role=roles[summary.folder_id],
                    sender=summary.sender_display,
                    subject=summary.subject,
                    is_seen=summary.is_seen,
                )
            )
        return arrived
