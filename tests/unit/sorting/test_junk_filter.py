"""The learning junk filter: Robinson/Fisher scoring, training kept in the store (retraining moves counts),
"Mark as junk"/"Not junk" moving and tagging, and new mail with a high score filed to Junk."""

from __future__ import annotations

from collections.abc import Callable

from realmail_desktop.core.events import EventBus
from realmail_desktop.mail.junk_filter import JUNK_THRESHOLD, score, token_probability, tokens
from realmail_desktop.sorting import JunkFiled, SortingService
from realmail_desktop.sorting.junk import MIN_TRAINED_EACH
from realmail_desktop.store import Folder, FolderRole, Store
from tests.unit.sorting.mail_for_rules import raw_mail, store_mail

FolderOf = Callable[[FolderRole], Folder]

SPAM = [
    ("Cheap meds online, no prescription", "Buy viagra cheap pills online. Click http://pills.example/buy now!"),
    ("You WON a prize", "Claim your lottery prize today, send your bank details to claim the money."),
    ("Limited offer: cheap watches", "Replica watches at cheap prices. Click http://watches.example/offer now"),
    ("Make money fast", "Earn money from home, guaranteed income, click http://money.example/now"),
    ("Your account prize", "Dear winner, claim your prize money, reply with bank account details"),
    ("cheap pills", "Cheap pills, best prices online, no prescription needed, click now"),
]
HAM = [
    ("Lunch on Thursday?", "Hi, are you free for lunch on Thursday near the office? Cheers, Ann"),
    ("Minutes of the project meeting", "Attached are the minutes. Next meeting is Monday at ten."),
    ("Re: budget draft", "Thanks, I went through the budget draft and left comments in section two."),
    ("Holiday photos", "Here are the photos from our trip to the lake, the kids loved it."),
    ("Code review", "Could you review the patch for the parser before Friday? It fixes the date bug."),
    ("Dinner", "Dinner at ours on Saturday? Bring the kids, we will cook pasta."),
]


def test_token_probability_and_fisher_score() -> None:
    assert token_probability(0, 0, 10, 10) == 0.5
    assert token_probability(9, 0, 10, 10) > 0.85
    assert token_probability(0, 9, 10, 10) < 0.15
    assert token_probability(1, 0, 10, 10) < token_probability(5, 0, 10, 10)  # the prior weighs on rare tokens
    counts = {"cheap": (9, 0), "pills": (8, 1), "meeting": (0, 9), "office": (1, 8)}
    assert score({"cheap", "pills"}, counts, 10, 10) > JUNK_THRESHOLD
    assert score({"meeting", "office"}, counts, 10, 10) < 0.1
    assert 0.4 < score({"cheap", "meeting"}, counts, 10, 10) < 0.6  # evidence both ways: unsure
    assert score({"unknown"}, counts, 10, 10) == 0.5


def test_tokens_mark_subject_sender_links_and_shape() -> None:
    found = tokens("Shop <deals@shop.example>", "BIG SALE", "Click https://shop.example/x NOW today")
    assert {"subject:big", "from:shop.example", "url:shop.example", "today", "shape:subject-shouting"} <= found


async def _train_corpus(service: SortingService, store: Store, folder: Folder) -> tuple[list[int], list[int]]:
    spam = await store_mail(store, folder.id, *[raw_mail(sender="x@spam.example", subject=s, body=b) for s, b in SPAM])
    ham = await store_mail(store, folder.id, *[raw_mail(subject=s, body=b) for s, b in HAM])
    await service.junk.train(spam, is_junk=True)
    await service.junk.train(ham, is_junk=False)
    return spam, ham


async def test_training_is_kept_and_retraining_moves_counts(store: Store, bus: EventBus, folder_of: FolderOf) -> None:
    service = SortingService(store, bus)
    archive = folder_of(FolderRole.ARCHIVE)
    spam, _ham = await _train_corpus(service, store, archive)
    assert store.reader.junk.totals() == (len(SPAM), len(HAM))
    assert await service.junk.ready()
    before = store.reader.junk.counts({"cheap"})["cheap"]
    await service.junk.train(spam[:1], is_junk=True)  # the same way again: nothing changes
    assert store.reader.junk.counts({"cheap"})["cheap"] == before
    await service.junk.train(spam[:1], is_junk=False)  # the other way: moved, not doubled
    assert store.reader.junk.totals() == (len(SPAM) - 1, len(HAM) + 1)
    assert store.reader.junk.counts({"cheap"})["cheap"] == (before[0] - 1, before[1] + 1)
    assert store.reader.junk.trained_as(spam[0]) is False


async def test_mark_as_junk_and_not_junk(store: Store, bus: EventBus, folder_of: FolderOf) -> None:
    service = SortingService(store, bus)
    inbox, junk = folder_of(FolderRole.INBOX), folder_of(FolderRole.JUNK)
    (row,) = await store_mail(store, inbox.id, raw_mail(subject="cheap pills"))
    await service.junk.mark_junk([row])
    marked = store.reader.message(row)
    assert marked is not None and marked.folder_id == junk.id and marked.keywords == ("$Junk",)
    assert store.reader.junk.trained_as(row) is True
    await service.junk.mark_not_junk([row])
    back = store.reader.message(row)
    assert back is not None and back.folder_id == inbox.id and back.keywords == ("$NotJunk",)
    assert store.reader.junk.totals() == (0, 1)


async def test_new_mail_with_a_high_score_goes_to_junk(store: Store, bus: EventBus, folder_of: FolderOf) -> None:
    filed: list[JunkFiled] = []
    bus.subscribe(JunkFiled, filed.append)
    service = SortingService(store, bus)
    assert len(SPAM) >= MIN_TRAINED_EACH and len(HAM) >= MIN_TRAINED_EACH
    await _train_corpus(service, store, folder_of(FolderRole.ARCHIVE))
    await service.start()
    inbox, junk = folder_of(FolderRole.INBOX), folder_of(FolderRole.JUNK)
    spam, ham = await store_mail(
        store,
        inbox.id,
        raw_mail(sender="y@spam.example", subject="cheap prize pills", body="Claim cheap pills money now, click"),
        raw_mail(subject="meeting on Monday", body="Could we move the project meeting to Monday at the office?"),
    )
    await service.stop()
    assert store.reader.message(spam).folder_id == junk.id  # type: ignore[union-attr]
    assert store.reader.message(ham).folder_id == inbox.id  # type: ignore[union-attr]
    assert [f.message_id for f in filed] == [spam] and filed[0].score >= JUNK_THRESHOLD


async def test_an_untrained_filter_leaves_mail_alone(store: Store, bus: EventBus, folder_of: FolderOf) -> None:
    service = SortingService(store, bus)
    await service.start()
    inbox = folder_of(FolderRole.INBOX)
    (row,) = await store_mail(store, inbox.id, raw_mail(subject="cheap pills", body="click now"))
    await service.stop()
    assert store.reader.message(row).folder_id == inbox.id  # type: ignore[union-attr]
