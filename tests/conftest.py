"""Test set-up shared by every suite: offscreen Qt, async tests on a qasync loop for GUI tests, a real store."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path

import pytest
from hypothesis import settings

# Before anything imports Qt: no screen here, and none needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")

from realmail_desktop.core.events import EventBus
from realmail_desktop.store import Account, Folder, FolderRole, Store
from realmail_desktop.ui.views.web_engine import prepare_web_engine

# Property tests explore new random examples on a developer's machine; CI (`CI` set, as in .ci/run) replays the
# same derandomized examples every run, so a landing is never decided by a dice roll. A failure found locally
# prints its @reproduce_failure blob: fix the code, and keep the case as an explicit example test.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The reader's QtWebEngine URL schemes must be registered before any QApplication exists.
prepare_web_engine()
# What QtWebEngine says offscreen while it finds no GPU (it falls back to software rendering): not a failure.
WEBENGINE_OFFSCREEN_NOTES = (
    "QRhiGles2: Failed to create",
    "Failed to create RHI for backend",
    "QVulkanInstance: Failed to initialize Vulkan",
    "GBM is not supported",
    "GPUInfo not initialized",
    "Unable to detect GPU vendor",
)


def _is_gui(item: pytest.Item) -> bool:
    return item.get_closest_marker("gui") is not None or "tests/ui/" in item.nodeid.replace("\\", "/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in item.nodeid and item.get_closest_marker("gui") is None:
            item.add_marker(pytest.mark.gui)
        if _is_gui(item):
            item.add_marker(pytest.mark.qt_log_ignore(*WEBENGINE_OFFSCREEN_NOTES))
    # Qt-free tests first, GUI tests last (stable sort keeps each group's order): a Qt-free test never runs
    # while Qt objects of an earlier qasync loop are still waiting to be torn down.
    items.sort(key=_is_gui)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a GUI test, collect its garbage here, on the GUI thread. Each test's qasync loop leaves QObjects
    with running timers in reference cycles; left to chance, the collector may run in a worker thread (any
    `asyncio.to_thread` of a later test) and Qt warns "Timers cannot be stopped from another thread" — or a
    later processEvents() dispatches to a half-destroyed object and the process dies (seen: SIGSEGV in
    pytest-qt's _process_events). A full collection: the cycles can reach the oldest generation."""
    yield
    if _is_gui(item):
        gc.collect()


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    """GUI tests run their coroutines on a qasync loop over the one QApplication, as the app does."""
    if not _is_gui(item):
        return {"asyncio": asyncio.new_event_loop}

    def qasync_loop() -> asyncio.AbstractEventLoop:
        import qasync
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([])
        loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app)
        return loop

    return {"qasync": qasync_loop}


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
async def store(tmp_path: Path, bus: EventBus) -> AsyncIterator[Store]:
    """A real, migrated store in a temporary profile, closed after the test."""
    bus.attach_loop(asyncio.get_running_loop())
    opened = await Store.open(tmp_path / "realmail.sqlite3", bus)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def local_account(store: Store) -> Account:
    account, _ = await store.accounts.create_local()
    return account


@pytest.fixture
def folder_of(store: Store, local_account: Account) -> Callable[[FolderRole], Folder]:
    """Look up one of the local account's standard folders by role."""

    def lookup(role: FolderRole) -> Folder:
        folder = store.reader.folder_by_role(local_account.id, role)
        assert folder is not None
        return folder

    return lookup
