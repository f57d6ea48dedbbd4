"""RealMail Desktop: an e-mail client for the desktop — Qt UI over a local SQLite store and asyncio services."""

__version__ = "0.1.0"
