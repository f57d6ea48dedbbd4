"""Ops: busy state, result hand-off, and where each kind of failure goes (known error, bug, cancellation)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from realmail_desktop.core.errors import KnownError
from realmail_desktop.ui.ops import Ops

from .qt_async import idle, next_emit, wait_for

pytestmark = pytest.mark.gui


class Recorder:
    def __init__(self, ops: Ops) -> None:
        self.known: list[tuple[str, str]] = []
        self.bugs: list[tuple[str, str]] = []
        self.busy: list[bool] = []
        ops.knownError.connect(lambda message, hint: self.known.append((message, hint)))
        ops.bugRaised.connect(lambda summary, trace: self.bugs.append((summary, trace)))
        ops.busyChanged.connect(self.busy.append)


@pytest.fixture
def ops(qapp: object) -> Ops:
    return Ops()


async def test_result_goes_to_on_done_and_busy_brackets_the_work(ops: Ops) -> None:
    seen = Recorder(ops)
    results: list[int] = []

    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    task = ops.run(answer(), label="Answer", on_done=results.append)
    assert ops.busy
    assert await wait_for(task) == 42
    await idle(ops)
    assert results == [42]
    assert seen.busy == [True, False]
    assert seen.known == seen.bugs == []


async def test_known_error_emits_its_message_and_hint(ops: Ops) -> None:
    seen = Recorder(ops)
    reported = next_emit(ops.knownError)

    async def offline() -> None:
        raise KnownError("The server cannot be reached.", hint="Check your connection.")

    ops.run(offline(), label="Sync")
    assert await wait_for(reported) == ("The server cannot be reached.", "Check your connection.")
    await idle(ops)
    assert seen.bugs == []


async def test_other_exception_is_a_bug_logged_with_its_traceback(ops: Ops, caplog: pytest.LogCaptureFixture) -> None:
    seen = Recorder(ops)
    reported = next_emit(ops.bugRaised)

    async def broken() -> None:
        raise ValueError("bad value")

    with caplog.at_level(logging.ERROR, logger="realmail.ui"):
        ops.run(broken(), label="Mark as read")
        summary, trace = await wait_for(reported)
    assert summary == "Mark as read failed: ValueError: bad value"
    assert "Traceback" in trace and "in broken" in trace
    assert seen.known == []
    [record] = [r for r in caplog.records if r.name == "realmail.ui"]
    assert record.exc_info is not None and record.exc_info[0] is ValueError


async def test_on_done_that_raises_is_a_bug(ops: Ops) -> None:
    reported = next_emit(ops.bugRaised)

    async def fine() -> int:
        return 1

    def explode(_result: int) -> None:
        raise RuntimeError("handler broke")

    ops.run(fine(), label="Show", on_done=explode)
    summary, _trace = await wait_for(reported)
    assert "RuntimeError: handler broke" in summary


async def test_cancelled_task_reports_nothing(ops: Ops) -> None:
    seen = Recorder(ops)
    started = asyncio.Event()
    results: list[None] = []

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    task = ops.run(forever(), label="Load", on_done=results.append)
    await wait_for(asyncio.ensure_future(started.wait()))
    task.cancel()
    await idle(ops)
    assert task.cancelled()
    assert seen.known == seen.bugs == results == []
    assert seen.busy == [True, False]


async def test_drain_waits_for_quick_work_and_cancels_the_rest(ops: Ops) -> None:
    seen = Recorder(ops)
    finished: list[str] = []
    gate = asyncio.Event()

    async def quick() -> str:
        await gate.wait()
        return "quick"

    async def stuck() -> str:
        await asyncio.Event().wait()
        return "never"

    quick_task = ops.run(quick(), on_done=finished.append)
    stuck_task = ops.run(stuck(), on_done=finished.append)
    asyncio.get_running_loop().call_soon(gate.set)
    await ops.drain(grace=0.2)
    await idle(ops)
    assert quick_task.result() == "quick"
    assert stuck_task.cancelled()
    assert finished == ["quick"]
    assert seen.bugs == seen.known == []
    assert not ops.busy
