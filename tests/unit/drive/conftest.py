"""Fixtures of the Drive bridge's tests: the fake Drive on loopback, tokens the test controls, services over
a real store; and the sender's (a real aiosmtpd, an account sending to it) for the outbox's Drive stage."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from realmail_desktop.auth.oauth_client import SignInRequiredError
from realmail_desktop.bridges.drive import DriveService, RetryPolicy
from realmail_desktop.store import Account, Store
from tests.servers.drive import FakeDrive, running_drive
from tests.unit.send.conftest import clock, new_service, sending_account, smtp_server  # noqa: F401 (the outbox's)

CHUNK = 1024 * 1024  # small chunks: many round trips, so faults land mid-file
FAST_RETRY = RetryPolicy(attempts=6, base=0.001, cap=0.01)


class Tokens:
    """A TokenSource: `first` until Drive refuses it, then `fresh`; `ended` makes every call fail as a
    revoked sign-in does."""

    def __init__(self, first: str = "fresh", fresh: str = "fresh", *, ended: bool = False) -> None:
        self.current = first
        self.fresh = fresh
        self.ended = ended
        self.refreshes = 0

    async def access_token(self) -> str:
        if self.ended:
            raise SignInRequiredError("This account is not signed in.")
        return self.current

    async def refreshed(self) -> str:
        if self.ended:
            raise SignInRequiredError("This account is not signed in.")
        self.refreshes += 1
        self.current = self.fresh
        return self.current


def write_random_file(path: Path, megabytes: int, seed: int = 7) -> Path:
    """A file of different bytes at every offset (so an offset mistake shows in the hash), 1 MiB at a time."""
    rng = random.Random(seed)
    with path.open("wb") as out:
        for _ in range(megabytes):
            out.write(rng.randbytes(1024 * 1024))
    return path


@pytest.fixture
def fake_drive(tmp_path: Path) -> Iterator[FakeDrive]:
    with running_drive(tmp_path / "drive") as drive:
        drive.accepted_tokens = {"fresh"}
        yield drive


@pytest.fixture
def tokens() -> Tokens:
    return Tokens()


@pytest.fixture
async def account(store: Store) -> Account:
    created, _ = await store.accounts.create_local()
    return created


@pytest.fixture
def make_service(store: Store, fake_drive: FakeDrive, tokens: Tokens) -> Callable[..., DriveService]:
    def make(store_: Store | None = None, *, chunk_size: int = CHUNK) -> DriveService:
        service = DriveService(
            store_ or store,
            lambda _account: tokens,
            base_url=fake_drive.base_url,
            chunk_size=chunk_size,
            retry=FAST_RETRY,
        )
        return service

    return make
