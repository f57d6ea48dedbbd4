"""Start-up of the header reader's worker process (sync/header_reader.py): kept apart from the row code, so the
worker lowers its priority before it imports that code."""

from __future__ import annotations

import os
import signal

WORKER_NICENESS = 5  # a weight of ~1/3 of a normal process where cores are contended (Linux CFS)


def start_worker() -> None:
    """The worker process's initializer."""
    # Ctrl-C in a terminal reaches the whole process group: the app decides when the worker stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Background work: where the cores are busy, the app's own process (its event loop, the store's writer)
    # goes first, so the window stays responsive; on an idle core the worker runs at full speed all the same.
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)
