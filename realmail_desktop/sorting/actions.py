"""What a matched rule does to messages: the store writes (which queue the IMAP actions themselves), forwards
through the outbox, and notifications as events."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import Changes, EventBus
from realmail_desktop.core.logs import get_logger
from realmail_desktop.ingest.outgoing import queue_draft
from realmail_desktop.mail.compose import Draft
from realmail_desktop.mail.headers import Address, parse_addresses
from realmail_desktop.mail.reply import AnswerKind, answer, read_original
from realmail_desktop.sorting.events import RuleNotification
from realmail_desktop.store import Store
from realmail_desktop.store.rule_engine import ActionKind, RuleAction

_log = get_logger("sorting")

TelegramNotify = Callable[[int], Awaitable[None]]


@dataclass
class ActionPlan:
    """The actions rules chose for a batch of messages, gathered so each store write runs once per batch.

    Moves and deletions run last (after flags, tags, copies, forwards and notifications), so a message is
    starred before it leaves the folder."""

    seen: set[int] = field(default_factory=set)
    starred: set[int] = field(default_factory=set)
    tags: dict[str, set[int]] = field(default_factory=dict)
    copies: dict[int, set[int]] = field(default_factory=dict)
    moves: dict[int, set[int]] = field(default_factory=dict)
    deletions: set[int] = field(default_factory=set)
    forwards: list[tuple[int, str]] = field(default_factory=list)
    notifications: list[tuple[int, str, str]] = field(default_factory=list)  # message, rule name, channel

    def add(self, message_id: int, rule_name: str, action: RuleAction) -> bool:
        """Plan one action; returns False when the message leaves its folder (moved or deleted)."""
        argument = action.argument.strip()
        match action.kind:
            case ActionKind.MARK_READ:
                self.seen.add(message_id)
            case ActionKind.STAR:
                self.starred.add(message_id)
            case ActionKind.TAG:
                self.tags.setdefault(argument, set()).add(message_id)
            case ActionKind.COPY:
                self.copies.setdefault(int(argument), set()).add(message_id)
            case ActionKind.MOVE:
                self.moves.setdefault(int(argument), set()).add(message_id)
                return False
            case ActionKind.DELETE:
                self.deletions.add(message_id)
                return False
            case ActionKind.FORWARD:
                self.forwards.append((message_id, argument))
            case ActionKind.NOTIFY:
                self.notifications.append((message_id, rule_name, argument or "desktop"))
            case ActionKind.STOP:
                pass
        return True

    @property
    def empty(self) -> bool:
        return not (
            self.seen
            or self.starred
            or self.tags
            or self.copies
            or self.moves
            or self.deletions
            or self.forwards
            or self.notifications
        )


class ActionRunner:
    """Carries out an ActionPlan on the store, the outbox and the bus."""

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        *,
        telegram_notify: TelegramNotify | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._bus = bus
        self.telegram_notify = telegram_notify
        self._clock = clock

    async def run(self, plan: ActionPlan) -> Changes:
        messages = self._store.messages
        changes = await messages.set_seen(plan.seen, True)
        changes = changes.merged(await messages.set_flagged(plan.starred, True))
        for keyword, ids in sorted(plan.tags.items()):
            try:
                changes = changes.merged(await messages.set_keywords(ids, add=[keyword]))
            except KnownError as exc:
                _log.warning("rule tag %r not applied: %s", keyword, exc)
        for folder_id, ids in plan.copies.items():
            try:
                changes = changes.merged(await self._store.copies.copy(sorted(ids), folder_id))
            except KnownError as exc:  # the folder was deleted since the rule was written
                _log.warning("rule copy to folder %d not done: %s", folder_id, exc)
        for message_id, address in plan.forwards:
            try:
                await self.forward(message_id, address)
            except KnownError as exc:
                _log.warning("rule forward of message %d not queued: %s", message_id, exc)
        await self._notify(plan.notifications)
        for folder_id, ids in plan.moves.items():
            try:
                changes = changes.merged(await messages.move(ids - plan.deletions, folder_id))
            except KnownError as exc:
                _log.warning("rule move to folder %d not done: %s", folder_id, exc)
        return changes.merged(await messages.delete_to_trash(plan.deletions))

    async def _notify(self, notifications: Sequence[tuple[int, str, str]]) -> None:
        ids = [message_id for message_id, _, _ in notifications]
        summaries = await self._store.read(lambda r: {m: s for m in ids if (s := r.message(m)) is not None})
        for message_id, rule_name, channel in notifications:
            summary = summaries.get(message_id)
            if summary is None:
                continue
            self._bus.publish(RuleNotification(message_id, rule_name, channel, summary.sender_display, summary.subject))
            if channel == "telegram" and self.telegram_notify is not None:
                await self.telegram_notify(message_id)

    async def forward(self, message_id: int, address: str) -> int:
        """Queue an inline forward of a stored message to `address`, from its account's default identity;
        returns the outbox id."""
        recipients = tuple(a for a in parse_addresses(address) if "@" in a.address)
        if not recipients:
            raise KnownError(f"“{address}” is not an e-mail address.", hint="Write it like name@example.org.")
        summary = await self._store.read(lambda r: r.message(message_id))
        raw = await self._store.read(lambda r: r.raw_message(message_id))
        if summary is None or raw is None:
            raise KnownError("That message's text is not on this computer yet.")
        await self._store.identities.ensure_default(summary.account_id)
        identities = await self._store.read(lambda r: r.identities.of_account(summary.account_id))
        identity = next((i for i in identities if i.is_default), identities[0] if identities else None)
        if identity is None:
            raise KnownError("This account has no address to forward from.")
        if summary.sender_address.lower() in {i.address.lower() for i in identities}:
            # Mail from the person's own address is not forwarded by a rule: a forward to oneself would
            # arrive, match again and go round for ever.
            raise KnownError("Mail you sent yourself is not forwarded by rules.")
        original = await asyncio.to_thread(read_original, raw)
        forwarded = answer(original, AnswerKind.FORWARD, [i.address for i in identities])
        draft = Draft(
            sender=Address(identity.name, identity.address),
            to=recipients,
            subject=forwarded.subject,
            text=forwarded.text,
            attachments=forwarded.attachments,
        )
        outbox_id, _built = await queue_draft(
            self._store, draft, account_id=identity.account_id, send_at=self._clock(), forwards=(message_id,)
        )
        return outbox_id
