"""The gate: the first handler (group -1) drops every update that is not from a paired private chat.

A stranger (or a group, or a chat still waiting for the desktop's confirmation) gets nothing past it, except a
`/start` in a private chat, which is how pairing begins. Commands, button presses (callback queries), replies
and anything else are silenced before any other handler runs (`ApplicationHandlerStop`).
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes, TypeHandler

GATE_GROUP = -1


class PairedChats:
    """The chat ids allowed past the gate, kept in memory and refreshed from the store when pairing changes."""

    def __init__(self) -> None:
        self._ids: frozenset[int] = frozenset()

    def replace(self, chat_ids: frozenset[int]) -> None:
        self._ids = chat_ids

    def __contains__(self, chat_id: object) -> bool:
        return chat_id in self._ids

    @property
    def ids(self) -> frozenset[int]:
        return self._ids


def is_pairing_request(update: Update) -> bool:
    """A `/start …` typed in a private chat (the deep link sends exactly that)."""
    message = update.message
    chat = update.effective_chat
    if message is None or chat is None or chat.type != ChatType.PRIVATE:
        return False
    text = message.text or ""
    return text == "/start" or text.startswith("/start ")


def admits(update: Update, paired: PairedChats) -> bool:
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return False
    query = update.callback_query
    if query is not None and (query.from_user is None or query.from_user.id != chat.id):
        return False  # in a private chat the presser is the chat; anything else is forged
    return chat.id in paired or is_pairing_request(update)


def gate_handler(paired: PairedChats) -> TypeHandler[Update, ContextTypes.DEFAULT_TYPE, None]:
    async def gate(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if not admits(update, paired):
            raise ApplicationHandlerStop

    return TypeHandler(Update, gate)
