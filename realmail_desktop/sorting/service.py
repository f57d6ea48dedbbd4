"""The sorting service: runs the junk filter and the person's rules on new mail as it syncs, and rules on
demand on a folder (with a preview count first).

New mail: on `Changes.messages_added` in Inbox-like folders (role Inbox, or a folder a rule names in its
scope) of recent, unread messages. A message whose body is not stored yet waits for it (the sync fetches
recent bodies right after the headers, publishing `messages_updated`) when an enabled rule looks at the body
or the junk filter is trained; otherwise the header fields are enough and it is sorted at once. Each message
is sorted once per run of the app. A move or delete ends a message's rules; "stop processing" ends them too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable

from realmail_desktop.core.events import Changes, EventBus
from realmail_desktop.core.logs import get_logger
from realmail_desktop.mail.junk_filter import JUNK_THRESHOLD
from realmail_desktop.sorting.actions import ActionPlan, ActionRunner, TelegramNotify
from realmail_desktop.sorting.events import JunkFiled
from realmail_desktop.sorting.facts import facts_of
from realmail_desktop.sorting.junk import JUNK_KEYWORD, JunkFilter
from realmail_desktop.store import FolderRole, Store, StoreReader
from realmail_desktop.store.rule_engine import ActionKind, CompiledRule, MessageFacts, Rule, compile_rules
from realmail_desktop.store.rules import StoredMessage

_log = get_logger("sorting")

# Mail older than this when it arrives (a first sync's history) is not "new": rules leave it alone.
RECENT_SECONDS = 3 * 24 * 3600
_CHUNK = 500
_SORTED_MEMORY = 50_000


def plan_for(
    facts: MessageFacts, rules: Iterable[CompiledRule], plan: ActionPlan, *, in_scope: bool = True
) -> list[str]:
    """Add to `plan` what `rules` do to one message; returns the names of the rules that matched."""
    matched = []
    for compiled in rules:
        if in_scope and not compiled.applies_to(facts):
            continue
        if not compiled.matches(facts):
            continue
        matched.append(compiled.rule.name)
        stays = True
        for action in compiled.rule.actions:
            if action.kind is ActionKind.STOP:
                return matched
            stays = plan.add(facts.message_id, compiled.rule.name, action) and stays
        if compiled.rule.stop_processing or not stays:
            break
    return matched


class SortingService:
    """Rules and the junk filter for one store. `start()` subscribes to the bus, `stop()` lets go and waits
    for the sorting in flight."""

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
        self._clock = clock
        self.junk = JunkFilter(store)
        self.actions = ActionRunner(store, bus, telegram_notify=telegram_notify, clock=clock)
        self._unsubscribe: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        self._waiting_for_body: set[int] = set()
        self._sorted: set[int] = set()

    async def start(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self._bus.subscribe(Changes, self.on_changes)

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        await self.settled()

    async def settled(self) -> None:
        """Until the sorting of every change heard so far is done."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def on_changes(self, changes: Changes) -> None:
        arrived = set(changes.messages_added)
        bodies = set(changes.messages_updated) & self._waiting_for_body
        if arrived or bodies:
            task = asyncio.ensure_future(self._sort_new(arrived, bodies))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    # --- new mail -------------------------------------------------------------------------------
    async def _sort_new(self, arrived: set[int], bodies: set[int]) -> None:
        async with self._lock:
            try:
                await self._sort_new_locked(arrived, bodies)
            except Exception:
                _log.exception("sorting new mail failed")

    async def _sort_new_locked(self, arrived: set[int], bodies: set[int]) -> None:
        rules = compile_rules(await self._store.read(lambda r: r.rules.all()))
        junk_ready = await self.junk.ready()
        if not rules and not junk_ready:  # nothing to do: an import or a first sync costs no reads
            self._waiting_for_body.clear()
            return
        now = self._clock()
        candidates = sorted((arrived | bodies) - self._sorted)
        self._waiting_for_body -= bodies  # their body is here: sorted now, or not at all (read meanwhile)
        if len(self._waiting_for_body) > _SORTED_MEMORY:  # bodies that never came (outside the sync window)
            self._waiting_for_body.clear()

        def read(reader: StoreReader) -> list[StoredMessage]:
            scoped = {f for c in rules for f in c.rule.scope_folders}
            inboxes = set(reader.inbox_ids()) | scoped
            # Headers first: old mail (a first sync's history), other folders and read mail need no body read.
            recent = [m for m in reader.rules.messages(candidates, with_raw=False) if m.date >= now - RECENT_SECONDS]
            # Gmail keeps mail in All Mail and shows it in Inbox by label (store/gmail_labels.py).
            wanted = [
                m.id
                for m in recent
                if m.folder_id in inboxes or any(label in inboxes for label, _ in reader.gmail_labels(m.id))
            ]
            unread = [m for m in wanted if (s := reader.message(m)) is not None and not s.is_seen]
            return reader.rules.messages(unread, with_raw=True)

        stored = await self._store.read(read)
        needs_body = junk_ready or any(c.rule.needs_body for c in rules)
        ready = []
        for message in stored:
            if message.raw is None and needs_body and message.id not in bodies:
                self._waiting_for_body.add(message.id)
                continue
            self._waiting_for_body.discard(message.id)
            ready.append(message)
        if not ready:
            return
        self._remember(m.id for m in ready)
        facts = await asyncio.to_thread(lambda: [facts_of(m) for m in ready])
        plan = ActionPlan()
        for fact in facts:
            if junk_ready and await self._file_junk(fact):
                continue
            plan_for(fact, rules, plan)
        if not plan.empty:
            await self.actions.run(plan)

    def _remember(self, ids: Iterable[int]) -> None:
        if len(self._sorted) > _SORTED_MEMORY:
            self._sorted.clear()
        self._sorted.update(ids)

    async def _file_junk(self, facts: MessageFacts) -> bool:
        score = await self.junk.score_facts(facts)
        if score < JUNK_THRESHOLD:
            return False
        junk_folder = await self._store.read(lambda r: r.folder_by_role(facts.account_id, FolderRole.JUNK))
        if junk_folder is None:
            return False
        await self._store.messages.set_keywords([facts.message_id], add=[JUNK_KEYWORD])
        await self._store.messages.move([facts.message_id], junk_folder.id)
        self._bus.publish(JunkFiled(facts.message_id, score))
        return True

    # --- on demand ------------------------------------------------------------------------------
    async def matching(self, rule: Rule, folder_id: int) -> list[int]:
        """The messages of a folder `rule` would act on now (its scope aside: the person chose the folder).
        Body conditions see bodies stored here; header-only messages never match them."""
        compiled = CompiledRule(rule)
        ids = await self._store.read(lambda r: r.rules.folder_message_ids(folder_id))
        with_raw = rule.needs_body or any(c.field.value == "header" for c in rule.conditions)
        found: list[int] = []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]

            def check(reader: StoreReader, chunk: list[int] = chunk) -> list[int]:
                return [m.id for m in reader.rules.messages(chunk, with_raw=with_raw) if compiled.matches(facts_of(m))]

            found += await self._store.read(check)
        return found

    async def _facts(self, ids: list[int]) -> list[MessageFacts]:
        stored = await self._store.read(lambda r: r.rules.messages(ids, with_raw=True))
        return await asyncio.to_thread(lambda: [facts_of(m) for m in stored])

    async def preview_count(self, rule: Rule, folder_id: int) -> int:
        """ "This rule would match N messages" of a folder."""
        return len(await self.matching(rule, folder_id))

    async def run_on_folder(self, rules: list[Rule], folder_id: int) -> int:
        """Run enabled `rules` (in order) on every message of a folder now; returns how many matched any."""
        compiled = compile_rules(rules)
        if not compiled:
            return 0
        ids = await self._store.read(lambda r: r.rules.folder_message_ids(folder_id))
        plan = ActionPlan()
        matched = 0
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            for fact in await self._facts(chunk):
                matched += bool(plan_for(fact, compiled, plan, in_scope=False))
        if not plan.empty:
            async with self._lock:
                await self.actions.run(plan)
        return matched
