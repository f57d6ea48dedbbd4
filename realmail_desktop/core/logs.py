"""Logging: one named logger per area (`realmail.<area>[.<account>]`) and a filter that redacts secrets.

Message bodies are never passed to a logger; passwords, tokens and auth headers that slip into a log
record anyway are masked by `RedactionFilter` before any handler formats them.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from pathlib import Path

ROOT = "realmail"

_SECRET_PATTERNS: tuple[re.Pattern[str], ...] = (
    # key=value / key: value pairs whose key names a secret
    re.compile(
        r"(?i)\b(password|passwd|pass|secret|token|access_token|refresh_token|client_secret|api_key)"
        # a password may contain spaces: mask to the end of the value (quote, comma, &, or end of line)
        r"(\s*[=:]\s*|['\"]\s*:\s*['\"]?)([^\n'\",;&]+)"
    ),
    # HTTP / SASL bearer tokens and basic credentials
    re.compile(r"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=-]{8,})"),
    # Telegram bot tokens inside URLs: /bot123456:ABC.../
    re.compile(r"(bot)()(\d{5,}:[A-Za-z0-9_-]{20,})"),
    # XOAUTH2 initial responses are base64 of "user=...\x01auth=Bearer ..."
    re.compile(r"()()(dXNlcj[A-Za-z0-9+/=]{16,})"),
)


_TRACEBACKS = logging.Formatter()


def redact(text: str) -> str:
    """Mask every secret-looking value in `text`."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return text


class RedactionFilter(logging.Filter):
    """Rewrites a record's message (args merged) with secrets masked; attached to every handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        # Tracebacks carry exception messages (a server reply may echo a token): format them here, masked,
        # so the handler's formatter reuses the masked text instead of formatting the raw one.
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def get_logger(area: str, account: str | int | None = None) -> logging.Logger:
    """The logger for an area (`store`, `sync`, `ui`, …), optionally narrowed to one account."""
    name = f"{ROOT}.{area}"
    if account is not None:
        name = f"{name}.{account}"
    return logging.getLogger(name)


def setup_logging(log_dir: Path | None, *, level: str = "INFO", to_stderr: bool = True) -> None:
    """Configure the `realmail` logger tree: a rotating file in `log_dir` and, optionally, stderr."""
    root = logging.getLogger(ROOT)
    root.setLevel(level.upper())
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = []
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                log_dir / "realmail.log", maxBytes=5_000_000, backupCount=3, encoding="utf-8"
            )
        )
    if to_stderr:
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setLevel(logging.WARNING)
        handlers.append(stderr)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactionFilter())
        root.addHandler(handler)
    root.propagate = False
    # httpx logs full request URLs (Telegram bot tokens among them) at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
