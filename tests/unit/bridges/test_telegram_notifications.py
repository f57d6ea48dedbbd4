"""New mail in Telegram, the buttons acting on the store, strangers ignored, the desktop's changes followed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from realmail_desktop.bridges.telegram import TelegramBridge
from realmail_desktop.bridges.telegram.notifications import parse_callback, text_chunks
from realmail_desktop.core.events import EventBus
from realmail_desktop.store import Account, Folder, FolderRole, Store
from tests.servers.telegram import Call, FakeBotApi
from tests.unit.bridges.conftest import OWNER, STRANGER
from tests.unit.bridges.telegram_support import bot_call, deliver, raw_mail


def notification_of(subject_part: str) -> Callable[[Call], bool]:
    return lambda c: c.method == "sendMessage" and c.chat_id == OWNER.chat_id and subject_part in c.text


async def notified(api: FakeBotApi, store: Store, inbox: Folder, subject: str, **kwargs: object) -> tuple[int, Call]:
    row = await deliver(store, inbox.id, raw_mail(subject, **kwargs))  # type: ignore[arg-type]
    call = await bot_call(api, notification_of(subject.split(maxsplit=1)[0]))
    return row, call


def button(call: Call, label: str) -> str:
    return next(data for text, data in call.buttons() if text == label)


async def press_and_wait(api: FakeBotApi, call: Call, label: str) -> None:
    """Press a button and wait for the bot's answer to that press."""
    before = len(api.bot_calls("answerCallbackQuery"))
    api.press(OWNER, call.result["message_id"], button(call, label))
    await bot_call(
        api, lambda c: c.method == "answerCallbackQuery" and len(api.bot_calls("answerCallbackQuery")) > before
    )


async def test_new_mail_is_notified_with_everything_escaped(
    paired: TelegramBridge, bot_api: FakeBotApi, store: Store, inbox: Folder
) -> None:
    subject = 'Invoice <b>urgent</b> <a href="https://evil.example/">click</a>'
    _row, call = await notified(
        bot_api, store, inbox, subject, sender='"Tom & Jerry" <boss@example.com>', body="Pay <u>now</u> & fast\n"
    )
    assert call.params["parse_mode"] == "HTML"
    text = call.text
    assert "&lt;b&gt;urgent&lt;/b&gt;" in text
    assert "&lt;a href=&quot;https://evil.example/&quot;&gt;click&lt;/a&gt;" in text
    assert "<b>Tom &amp; Jerry &lt;boss@example.com&gt;</b>" in text and "&lt;u&gt;now&lt;/u&gt; &amp; fast" in text
    assert "<a " not in text and "<b>urgent" not in text
    labels = [label for label, _ in call.buttons()]
    assert labels == ["Mark read", "Star", "Archive", "Delete", "Reply", "Full text"]
    assert all(parse_callback(data) is not None for _, data in call.buttons())


async def test_mail_outside_the_choice_is_not_notified(
    paired: TelegramBridge, bot_api: FakeBotApi, store: Store, account: Account, inbox: Folder
) -> None:
    archive = store.reader.folder_by_role(account.id, FolderRole.ARCHIVE)
    assert archive is not None
    await deliver(store, archive.id, raw_mail("Quietly archived"))
    await deliver(store, inbox.id, raw_mail("Already read"), seen=True)
    await deliver(store, inbox.id, raw_mail("Weeks old", days_ago=20))  # unread, but no news (a first sync)
    await deliver(store, inbox.id, raw_mail("Loud inbox mail"))
    await bot_call(bot_api, notification_of("Loud"))
    texts = " ".join(c.text for c in bot_api.bot_calls("sendMessage"))
    assert "Quietly" not in texts and "Already read" not in texts and "Weeks old" not in texts


async def test_vip_sender_is_notified_from_any_folder(
    paired: TelegramBridge, bot_api: FakeBotApi, store: Store, account: Account, inbox: Folder
) -> None:
    await store.telegram.set_watched([inbox.id], ["Boss@Example.com"])
    await paired.settings_changed()
    archive = store.reader.folder_by_role(account.id, FolderRole.ARCHIVE)
    assert archive is not None
    await deliver(store, archive.id, raw_mail("VIP in archive", sender="Boss <boss@example.com>"))
    await bot_call(bot_api, notification_of("VIP"))


@pytest.mark.parametrize(
    ("label", "check"),
    [
        ("Mark read", lambda s, a: s.is_seen),
        ("Star", lambda s, a: s.is_flagged),
        ("Archive", lambda s, a: s.folder_id == a["archive"]),
        ("Delete", lambda s, a: s.folder_id == a["trash"]),
    ],
)
async def test_each_button_acts_on_the_store(
    paired: TelegramBridge,
    bot_api: FakeBotApi,
    store: Store,
    account: Account,
    inbox: Folder,
    label: str,
    check: object,
) -> None:
    row, call = await notified(bot_api, store, inbox, "Button test")
    await press_and_wait(bot_api, call, label)
    summary = await store.read(lambda r: r.message(row))
    assert summary is not None
    folders = {
        "archive": store.reader.folder_by_role(account.id, FolderRole.ARCHIVE).id,  # type: ignore[union-attr]
        "trash": store.reader.folder_by_role(account.id, FolderRole.TRASH).id,  # type: ignore[union-attr]
    }
    assert check(summary, folders)  # type: ignore[operator]
    # The IMAP action is queued for the sync engine (the store does that with the change).
    ops = await store.db.read_async(lambda c: c.execute("SELECT kind FROM remote_ops").fetchall())
    assert ops or label in ("Archive", "Delete")  # moves of rows without a UID wait for the sync to match them


async def test_read_on_the_desktop_updates_the_buttons(
    paired: TelegramBridge, bot_api: FakeBotApi, store: Store, inbox: Folder
) -> None:
    row, call = await notified(bot_api, store, inbox, "Desktop reads this")
    message_id = call.result["message_id"]
    await store.messages.set_seen([row], True)
    edit = await bot_call(
        bot_api, lambda c: c.method == "editMessageReplyMarkup" and c.params.get("message_id") == str(message_id)
    )
    labels = [label for label, _ in edit.buttons()]
    assert "Mark unread" in labels and "Mark read" not in labels
    await store.messages.delete([row])
    await bot_call(
        bot_api,
        lambda c: (
            c.method == "editMessageReplyMarkup" and c.params.get("message_id") == str(message_id) and not c.buttons()
        ),
    )


async def test_full_text_and_attachments(
    paired: TelegramBridge, bot_api: FakeBotApi, store: Store, inbox: Folder
) -> None:
    body = "First line <b>not bold</b>\n" + ("word " * 1500)
    _row, call = await notified(
        bot_api, store, inbox, "Report attached", body=body, files=(("report.pdf", b"%PDF-1.4 x"),)
    )
    assert "Attachments" in [label for label, _ in call.buttons()]
    bot_api.press(OWNER, call.result["message_id"], button(call, "Full text"))
    first = await bot_call(bot_api, lambda c: c.method == "sendMessage" and c.text.startswith("First line"))
    assert "parse_mode" not in first.params  # plain text: nothing in the mail formats anything
    assert "<b>not bold</b>" in first.text
    bot_api.press(OWNER, call.result["message_id"], button(call, "Attachments"))
    document = await bot_call(bot_api, lambda c: c.method == "sendDocument")
    assert document.files["document"] == ("report.pdf", b"%PDF-1.4 x")
    # The file is there to fetch through getFile and the file URL, as a phone would.
    file_id = document.result["document"]["file_id"]
    bot = paired.bot
    assert bot is not None
    fetched = await bot.get_file(file_id)
    assert bytes(await fetched.download_as_bytearray()) == b"%PDF-1.4 x"


async def test_a_stranger_gets_nothing(
    paired: TelegramBridge, bot_api: FakeBotApi, store: Store, inbox: Folder
) -> None:
    row, call = await notified(bot_api, store, inbox, "Private mail")
    before = len(bot_api.calls)
    for text in ("/help", "/inbox", "/search invoice", "/unread", "/mute 5", "/compose", "hello"):
        bot_api.say(STRANGER, text)
    bot_api.say(STRANGER, "stealing a reply")
    bot_api.press(STRANGER, call.result["message_id"], button(call, "Delete"))
    bot_api.press(STRANGER, call.result["message_id"], button(call, "Mark read"))
    # The owner's update comes last; updates are handled in order, so when it is answered, all were.
    bot_api.say(OWNER, "/help")
    await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and "/inbox" in c.text)
    made = bot_api.calls[before:]
    assert all(c.chat_id != STRANGER.chat_id for c in made)
    assert not [c for c in made if c.method in ("answerCallbackQuery", "sendDocument", "editMessageReplyMarkup")]
    summary = await store.read(lambda r: r.message(row))
    assert summary is not None and summary.folder_id == inbox.id and not summary.is_seen
    assert (await store.telegram.settings()).mute_until == 0


async def test_a_forged_button_does_nothing(
    paired: TelegramBridge, bot_api: FakeBotApi, store: Store, inbox: Folder
) -> None:
    row, call = await notified(bot_api, store, inbox, "Forged press")
    for data in ("m999999:delete", "m1:explode", "DROP TABLE", "open:999999"):
        bot_api.press(OWNER, call.result["message_id"], data)
    await bot_call(
        bot_api, lambda c: c.method == "answerCallbackQuery" and len(bot_api.bot_calls("answerCallbackQuery")) >= 4
    )
    summary = await store.read(lambda r: r.message(row))
    assert summary is not None and summary.folder_id == inbox.id


async def test_inbox_search_unread_and_mute(
    paired: TelegramBridge, bot_api: FakeBotApi, store: Store, inbox: Folder, bus: EventBus
) -> None:
    await store.telegram.set_watched([], [])
    await paired.settings_changed()
    for n in range(7):
        await deliver(store, inbox.id, raw_mail(f"Numbered {n}", body=f"invoice number {n}\n"))
    bot_api.say(OWNER, "/unread")
    await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and "7 unread" in c.text and "Inbox: 7" in c.text)
    bot_api.say(OWNER, "/inbox")
    page = await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and "📥" in c.text and "Numbered" in c.text)
    assert page.text.count("Numbered") == 5
    older = next(data for label, data in page.buttons() if label == "Older ›")
    bot_api.press(OWNER, page.result["message_id"], older)
    edited = await bot_call(bot_api, lambda c: c.method == "editMessageText" and "Numbered" in c.text)
    assert edited.text.count("Numbered") == 2
    bot_api.say(OWNER, '/search subject:"Numbered 3"')
    found = await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and "found" in c.text)
    assert "1 found" in found.text and "Numbered 3" in found.text
    bot_api.press(OWNER, found.result["message_id"], found.buttons()[0][1])
    await bot_call(bot_api, notification_of("Numbered"))
    bot_api.say(OWNER, "/mute 2")
    await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and "Muted for 2 h" in c.text)
    assert (await store.telegram.settings()).mute_until > 0


def test_text_chunks_cut_at_lines() -> None:
    text = "\n".join(f"line {n} " + "x" * 50 for n in range(200))
    chunks = text_chunks(text, limit=1000)
    assert all(len(c) <= 1000 for c in chunks)
    assert "\n".join(chunks) == text


def test_full_text_of_html_mail_is_plain() -> None:
    from realmail_desktop.bridges.telegram.buttons import _plain_text

    raw = (
        b"From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><body><p>Hello <b>there</b></p><script>alert(1)</script><a href='https://x.example/'>link</a>"
        b"</body></html>\r\n"
    )
    text = _plain_text(raw)
    assert "Hello there" in text and "<b>" not in text and "alert(1)" not in text
