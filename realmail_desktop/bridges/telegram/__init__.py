"""The Telegram bridge: new mail on your phone with actions, replies that really send, only for paired chats.

Public face: `TelegramBridge` (service.py) and the pairing link helpers; the rest is the bot's inside.
"""

from realmail_desktop.bridges.telegram.pairing import PairingCode, deep_link
from realmail_desktop.bridges.telegram.service import BridgeState, TelegramBridge, TokenFor, quiet_http_logs

__all__ = ["BridgeState", "PairingCode", "TelegramBridge", "TokenFor", "deep_link", "quiet_http_logs"]
