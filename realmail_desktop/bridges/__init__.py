"""Bridges to other services: Telegram (your mail on your phone) and Google Drive (Qt-free, asyncio)."""
