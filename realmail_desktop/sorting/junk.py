"""The junk filter that learns: "Mark as junk" / "Not junk" train it and move the messages; new mail with a
high score goes to the account's Junk folder. The mathematics are in mail/junk_filter.py, the counts in the
store (store/junk_tokens.py), one set per profile."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import Changes
from realmail_desktop.mail.junk_filter import score, tokens
from realmail_desktop.sorting.facts import facts_of
from realmail_desktop.store import FolderRole, Store, StoreReader
from realmail_desktop.store.rule_engine import MessageFacts
from realmail_desktop.store.rules import StoredMessage

# The filter acts on new mail only once it has learnt from this many messages of each kind.
MIN_TRAINED_EACH = 5
JUNK_KEYWORD = "$Junk"
NOT_JUNK_KEYWORD = "$NotJunk"


def message_tokens(facts: MessageFacts) -> set[str]:
    return tokens(facts.sender, facts.subject, facts.body or "", has_attachments=facts.has_attachments)


class JunkFilter:
    """Training, scoring and filing of junk for one store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def ready(self) -> bool:
        """Whether it has learnt enough to act on new mail by itself."""
        junk, good = await self._store.read(lambda r: r.junk.totals())
        return junk >= MIN_TRAINED_EACH and good >= MIN_TRAINED_EACH

    async def train(self, message_ids: Iterable[int], *, is_junk: bool) -> int:
        """Learn from stored messages (their bodies when here, else their headers); returns how many."""
        ids = sorted(set(message_ids))
        stored = await self._store.read(lambda r: r.rules.messages(ids, with_raw=True))
        token_sets = await asyncio.to_thread(lambda: [(m.id, message_tokens(facts_of(m))) for m in stored])
        for message_id, found in token_sets:
            await self._store.junk.train(found, is_junk, message_id)
        return len(token_sets)

    async def train_tokens(self, found: set[str], *, is_junk: bool) -> None:
        """Learn from a message that is not stored (the benchmark's corpus, tests)."""
        await self._store.junk.train(found, is_junk)

    async def score_facts(self, facts: MessageFacts) -> float:
        found = await asyncio.to_thread(message_tokens, facts)
        return await self.score_tokens(found)

    async def score_tokens(self, found: set[str]) -> float:
        def read(reader: StoreReader) -> tuple[dict[str, tuple[int, int]], tuple[int, int]]:
            return reader.junk.counts(found), reader.junk.totals()

        counts, (junk_total, good_total) = await self._store.read(read)
        return score(found, counts, junk_total, good_total)

    async def score_message(self, message: StoredMessage) -> float:
        return await self.score_facts(await asyncio.to_thread(facts_of, message))

    async def mark_junk(self, message_ids: Iterable[int]) -> Changes:
        """ "Mark as junk": learn, tag $Junk, move each to its account's Junk folder (when it has one)."""
        ids = sorted(set(message_ids))
        await self.train(ids, is_junk=True)
        changes = await self._store.messages.set_keywords(ids, add=[JUNK_KEYWORD], remove=[NOT_JUNK_KEYWORD])
        return changes.merged(await self._move_by_role(ids, FolderRole.JUNK))

    async def mark_not_junk(self, message_ids: Iterable[int]) -> Changes:
        """ "Not junk": learn, tag $NotJunk, move those in Junk back to their account's Inbox."""
        ids = sorted(set(message_ids))
        await self.train(ids, is_junk=False)
        changes = await self._store.messages.set_keywords(ids, add=[NOT_JUNK_KEYWORD], remove=[JUNK_KEYWORD])
        return changes.merged(await self._move_by_role(ids, FolderRole.INBOX, only_from=FolderRole.JUNK))

    async def _move_by_role(self, ids: list[int], role: FolderRole, only_from: FolderRole | None = None) -> Changes:
        def targets(reader: StoreReader) -> dict[int, list[int]]:
            wanted: dict[int, list[int]] = {}
            for message_id in ids:
                summary = reader.message(message_id)
                if summary is None:
                    continue
                if only_from is not None:
                    folder = reader.folder(summary.folder_id)
                    if folder is None or folder.role != only_from:
                        continue
                target = reader.folder_by_role(summary.account_id, role)
                if target is None:
                    raise KnownError(
                        f"This account has no {role.value.capitalize()} folder.",
                        hint="Check the account's folders on the server.",
                    )
                wanted.setdefault(target.id, []).append(message_id)
            return wanted

        changes = Changes()
        wanted: dict[int, list[int]] = await self._store.read(targets)
        for folder_id, moving in wanted.items():
            changes = changes.merged(await self._store.messages.move(moving, folder_id))
        return changes
