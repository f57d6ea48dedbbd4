"""The event bus: delivery by type and base type, isolation of failing handlers, hops from worker threads."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from realmail_desktop.core.events import Changes, Event, EventBus, TaskProgress, new_task_id


def test_handlers_get_their_type_and_subtypes() -> None:
    bus = EventBus()
    changes: list[Changes] = []
    everything: list[Event] = []
    bus.subscribe(Changes, changes.append)
    bus.subscribe(Event, everything.append)
    first, second = Changes(accounts=True), TaskProgress(1, "x", 1, 2)
    bus.publish(first)
    bus.publish(second)
    assert changes == [first]
    assert everything == [first, second]


def test_unsubscribe_stops_delivery() -> None:
    bus = EventBus()
    got: list[Changes] = []
    unsubscribe = bus.subscribe(Changes, got.append)
    unsubscribe()
    unsubscribe()  # twice is harmless
    bus.publish(Changes(accounts=True))
    assert got == []


def test_a_failing_handler_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    got: list[Changes] = []

    def broken(event: Changes) -> None:
        raise RuntimeError("boom")

    bus.subscribe(Changes, broken)
    bus.subscribe(Changes, got.append)
    with caplog.at_level(logging.ERROR, logger="realmail.core.events"):
        bus.publish(Changes(accounts=True))
    assert len(got) == 1
    assert "boom" in caplog.text


async def test_publish_from_a_worker_thread_runs_handlers_on_the_loop_thread() -> None:
    bus = EventBus()
    bus.attach_loop(asyncio.get_running_loop())
    delivered: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    bus.subscribe(Changes, lambda _: delivered.set_result(threading.get_ident()))
    await asyncio.to_thread(bus.publish, Changes(accounts=True))
    assert await asyncio.wait_for(delivered, 5) == threading.get_ident()


def test_changes_merge_and_emptiness() -> None:
    merged = Changes(folders=frozenset({1})).merged(Changes(messages_removed=frozenset({7}), accounts=True))
    assert merged == Changes(accounts=True, folders=frozenset({1}), messages_removed=frozenset({7}))
    assert Changes().empty and not merged.empty


def test_task_ids_are_unique() -> None:
    assert len({new_task_id() for _ in range(100)}) == 100
