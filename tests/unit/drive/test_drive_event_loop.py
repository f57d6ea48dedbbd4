"""What the Drive bridge keeps off the event loop: loading the CA certificates for its HTTP client (30-60 ms,
the longest stall of an upload in bench/drive.py before it moved to a worker thread)."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from typing import Any

import pytest

from realmail_desktop.bridges.drive import BytesSource, DriveService
from realmail_desktop.core import http_setup
from realmail_desktop.store import Account
from tests.servers.drive import FakeDrive


async def test_the_certificates_load_once_and_never_on_the_event_loop(
    monkeypatch: pytest.MonkeyPatch, fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account
) -> None:
    loaded_on: list[int] = []
    real = ssl.create_default_context

    def watched(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        loaded_on.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", watched)
    monkeypatch.setattr(http_setup, "_SETUP", http_setup.ClientSetup())  # as in a fresh process

    first, second = make_service(), make_service()  # each call opens its own HTTP client
    await first.folder(account.id)
    one = await first.upload(account.id, BytesSource("one.txt", b"one" * 1000))
    two = await second.upload(account.id, BytesSource("two.txt", b"two" * 1000))

    assert {one.name, two.name} == {"one.txt", "two.txt"}
    assert {f.name for f in fake_drive.files.values()} >= {"one.txt", "two.txt"}
    assert len(loaded_on) == 1
    assert loaded_on[0] != threading.get_ident()  # this test runs on the event loop's thread
