"""Logging: per-area loggers, and no secret survives into a log file."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest

from realmail_desktop.core.logs import get_logger, redact, setup_logging


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("login failed for bob password=hunter2secret", "hunter2secret"),
        ("login password=correct horse battery staple", "horse battery staple"),
        ('config {"refresh_token": "1//0gAbCdEfGh"}', "1//0gAbCdEfGh"),
        ("Authorization: Bearer ya29.a0AfH6SMBx-long-token", "ya29.a0AfH6SMBx-long-token"),
        (
            "POST https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getUpdates",
            "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        ),
        (
            "AUTHENTICATE XOAUTH2 " + base64.b64encode(b"user=a@b.c\x01auth=Bearer tok\x01\x01").decode(),
            base64.b64encode(b"user=a@b.c\x01auth=Bearer tok\x01\x01").decode(),
        ),
    ],
)
def test_redact_masks_secrets(line: str, secret: str) -> None:
    cleaned = redact(line)
    assert secret not in cleaned
    assert "***" in cleaned


def test_redact_leaves_ordinary_text_alone() -> None:
    line = "synced 42 messages in Inbox for alex@example.com"
    assert redact(line) == line


def test_secrets_never_reach_the_log_file(tmp_path: Path) -> None:
    setup_logging(tmp_path, level="DEBUG", to_stderr=False)
    try:
        log = get_logger("sync", account=3)
        assert log.name == "realmail.sync.3"
        log.info("connecting with password=%s", "s3cr3t-value")
        try:
            raise ValueError("token=abcdef123456")
        except ValueError:
            log.exception("failed")
        for handler in logging.getLogger("realmail").handlers:
            handler.flush()
        text = (tmp_path / "realmail.log").read_text(encoding="utf-8")
        assert "connecting with password=***" in text
        assert "s3cr3t-value" not in text
        assert "abcdef123456" not in text
    finally:
        setup_logging(None, to_stderr=False)
