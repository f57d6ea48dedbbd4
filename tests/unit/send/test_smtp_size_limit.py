"""The message size limit an SMTP server announces (EHLO SIZE, RFC 1870) is kept on the account — once, when it
changes — against a real aiosmtpd."""

from __future__ import annotations

from realmail_desktop.send.smtp_pool import SmtpPool
from realmail_desktop.store import Account, SendingAccount, Store
from tests.servers.smtp import SmtpServer, running_smtp
from tests.unit.send.conftest import PASSWORD, FakeClock, NewService, outgoing


def sending(store: Store, account: Account) -> SendingAccount:
    found = store.reader.outbox.sending_account(account.id)
    assert found is not None
    return found


async def test_after_a_send_the_account_keeps_the_size_the_server_announced(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    assert sending(store, sending_account).smtp_size_limit == 0  # not known before the first connection
    await store.outbox.enqueue(outgoing(sending_account.id, send_at=clock()))
    service = await new_service()
    await service.settle()
    await service.stop()  # the write happens beside the sending; stop() waits for it
    assert len(smtp_server.accepted()) == 1
    assert smtp_server.size_limit == 33554432
    assert sending(store, sending_account).smtp_size_limit == 33554432


async def pool_sessions(
    account: SendingAccount, server: SmtpServer, count: int
) -> tuple[list[tuple[int, int]], SmtpPool]:
    """Open `count` sessions one after another (each a new connection); what the pool passed on."""
    seen: list[tuple[int, int]] = []
    pool = SmtpPool(
        account,
        lambda _account_id: PASSWORD,
        extra_ca_file=server.ca_file,
        size_limit_seen=lambda account_id, size: seen.append((account_id, size)),
    )
    for _ in range(count):
        async with pool.session():
            pass
        await pool.close()
    return seen, pool


async def test_a_new_size_is_passed_on_once_and_an_unchanged_one_not_at_all(
    store: Store, sending_account: Account
) -> None:
    account = sending(store, sending_account)
    with running_smtp(users={"ann": PASSWORD}, size_limit=2_000_000) as server:
        moved = account.model_copy(update={"smtp": account.smtp.model_copy(update={"port": server.port})})
        seen, pool = await pool_sessions(moved, server, 2)
        assert pool.connects == 2
        assert seen == [(account.account_id, 2_000_000)]  # the second session writes nothing
        assert pool.account.smtp_size_limit == 2_000_000
        known = moved.model_copy(update={"smtp_size_limit": 2_000_000})
        seen, _ = await pool_sessions(known, server, 1)
        assert seen == []


async def test_a_server_that_announces_no_size_leaves_the_stored_limit_alone(
    store: Store, sending_account: Account
) -> None:
    await store.sending.set_smtp_size_limit(sending_account.id, 10_000_000)
    account = sending(store, sending_account)
    with running_smtp(users={"ann": PASSWORD}, size_limit=None) as server:
        moved = account.model_copy(update={"smtp": account.smtp.model_copy(update={"port": server.port})})
        seen, pool = await pool_sessions(moved, server, 1)
        assert pool.connects == 1 and seen == []
    assert sending(store, sending_account).smtp_size_limit == 10_000_000
