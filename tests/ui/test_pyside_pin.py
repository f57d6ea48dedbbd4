"""Guards the PySide6 pin: 6.12.0 on Python 3.11 leaks a reference to True per Signal.emit() and aborts
(FIELD-NOTES: bool_dealloc). qasync emits a signal per call_soon_threadsafe, so we would hit it fast."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal()


def test_signal_emit_keeps_the_reference_count_of_true() -> None:
    emitter = _Emitter()
    received: list[None] = []
    emitter.ping.connect(lambda: received.append(None))
    before = sys.getrefcount(True)
    for _ in range(1000):
        emitter.ping.emit()
    assert len(received) == 1000
    # Immortal objects (3.12+) report a huge constant; on 3.11 a leak shows as a drop of ~1,000.
    assert abs(sys.getrefcount(True) - before) < 50
