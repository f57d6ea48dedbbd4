"""The main window's Drive upload strip, fed through a real EventBus and EventBridge: one row per outbox message
with its percentage, Cancel runs the Drive stage's cancel with the outbox id, and done / failed / cancelled take
the row away (a failure leaves its reason in view)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import DriveUploadStatus, EventBus
from realmail_desktop.store import Store
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.drive_upload_strip import DriveUploadStrip, percent
from realmail_desktop.ui.views.main_window import MainWindow

from .qt_async import idle, next_emit, wait_for
from .test_shortcuts import unnamed_controls

pytestmark = pytest.mark.gui

ACCOUNT = 1


@pytest.fixture
async def window(qtbot: Any, store: Store, bus: EventBus) -> AsyncIterator[MainWindow]:
    await store.accounts.create_local()
    ops = Ops()
    bridge = EventBridge(bus)
    made = MainWindow(store, MailTransfer(store, bus), bridge, ops)
    qtbot.addWidget(made)
    made.show()
    yield made
    await ops.drain()
    bridge.detach()


def uploading(outbox_id: int, name: str, done: int, total: int) -> DriveUploadStatus:
    return DriveUploadStatus(outbox_id, ACCOUNT, "uploading", name, done, total)


async def publish(bus: EventBus, bridge_signal: Any, event: DriveUploadStatus) -> None:
    """Publish on the bus and wait until the bridge has handed it to the window."""
    arrived = next_emit(bridge_signal)
    bus.publish(event)
    (delivered,) = await wait_for(arrived)
    assert delivered == event


def strip_of(window: MainWindow) -> DriveUploadStrip:
    assert window.drive_uploads is not None
    return window.drive_uploads


async def test_rows_show_progress_and_cancel_calls_the_stage_with_the_outbox_id(
    window: MainWindow, bus: EventBus
) -> None:
    asked: list[int] = []

    async def cancel(outbox_id: int) -> None:
        asked.append(outbox_id)

    window.set_drive_uploads(cancel)
    strip, signal = strip_of(window), window._bridge.driveUpload
    assert strip.isHidden() and strip.rows() == []
    above = strip.parentWidget()
    assert above is window.message_list.parentWidget()  # in the list pane, above the list

    await publish(bus, signal, uploading(7, "report.zip", 45 * 1024, 100 * 1024))
    await publish(bus, signal, uploading(8, "video.mp4", 0, 0))
    assert strip.isVisible() and [row.outbox_id for row in strip.rows()] == [7, 8]
    first = strip.row(7)
    assert first is not None and first.text == "Uploading report.zip to Google Drive — 45 %"
    assert first.progress.value() == 45 and first.cancel_button.isVisible()
    second = strip.row(8)
    assert second is not None and second.text == "Uploading video.mp4 to Google Drive…"
    assert second.progress.maximum() == 0  # no size yet: a busy bar
    await publish(bus, signal, uploading(7, "slides.pdf", 90, 100))  # the message's next file
    assert first.text == "Uploading slides.pdf to Google Drive — 90 %" and first.progress.value() == 90
    assert unnamed_controls(strip) == []

    first.cancel_button.click()
    assert not first.cancel_button.isEnabled()
    await idle(window._ops)
    assert asked == [7] and strip.row(7) is first  # the row waits for the stage to say it stopped
    await publish(bus, signal, DriveUploadStatus(7, ACCOUNT, "cancelled", "slides.pdf"))
    assert strip.row(7) is None and [row.outbox_id for row in strip.rows()] == [8]
    assert "cancelled" in window.task_status.currentMessage()

    await publish(bus, signal, DriveUploadStatus(8, ACCOUNT, "done", "video.mp4", 10, 10))
    assert strip.rows() == [] and strip.isHidden()
    assert window.task_status.currentMessage() == "Sent as a Drive link"


async def test_a_failure_takes_the_row_away_and_says_why(window: MainWindow, bus: EventBus) -> None:
    window.set_drive_uploads(None)  # no Drive stage to cancel with: no Cancel button
    strip, signal = strip_of(window), window._bridge.driveUpload
    await publish(bus, signal, uploading(3, "backup.tar", 10, 40))
    row = strip.row(3)
    assert row is not None and row.text.endswith("— 25 %") and row.cancel_button.isHidden()

    failed = DriveUploadStatus(
        3, ACCOUNT, "failed", "backup.tar", 10, 40, error="Your Google Drive is full.", hint="Free some space."
    )
    await publish(bus, signal, failed)
    assert strip.row(3) is None and strip.isVisible()
    assert strip.failure.isVisible()
    shown = strip.failure.text()
    assert "backup.tar" in shown and "Your Google Drive is full." in shown and "Free some space." in shown
    assert "Outbox" in shown
    await publish(bus, signal, uploading(3, "backup.tar", 0, 40))  # Send again: the old failure goes
    assert strip.failure.isHidden() and strip.row(3) is not None
    await publish(bus, signal, DriveUploadStatus(3, ACCOUNT, "failed", "backup.tar", error="Drive is unreachable."))
    assert "Drive is unreachable." in strip.failure.text()
    strip.dismiss_button.click()
    assert strip.isHidden() and strip.failure.text() == ""


async def test_a_refused_cancel_lets_the_person_try_again(window: MainWindow, bus: EventBus) -> None:
    async def cancel(_outbox_id: int) -> None:
        raise KnownError("The upload could not be stopped.", hint="Try again.")

    window.set_drive_uploads(cancel)
    strip = strip_of(window)
    await publish(bus, window._bridge.driveUpload, uploading(5, "a.bin", 1, 2))
    row = strip.row(5)
    assert row is not None
    reported = next_emit(window._ops.knownError)
    row.cancel_button.click()
    assert await wait_for(reported) == ("The upload could not be stopped.", "Try again.")
    assert row.cancel_button.isEnabled() and strip.row(5) is row


def test_percent_is_whole_and_bounded() -> None:
    assert [percent(0, 0), percent(1, 3), percent(2, 3), percent(5, 4), percent(-1, 4)] == [0, 33, 66, 100, 0]
