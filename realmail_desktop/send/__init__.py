"""Sending mail: the durable outbox drained over SMTP (Qt-free, asyncio). Public face: SendService."""

from realmail_desktop.send.options import SendOptions
from realmail_desktop.send.service import SendService, server_saves_sent
from realmail_desktop.send.smtp_errors import SendingNotSetUpError, SmtpRejectedError

__all__ = ["SendOptions", "SendService", "SendingNotSetUpError", "SmtpRejectedError", "server_saves_sent"]
