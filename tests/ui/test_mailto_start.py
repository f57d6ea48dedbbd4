"""`realmail mailto:…` opens a composer with the link's fields; a second start hands its link to the running
window over a local socket (a real `realmail` process, against this test's window)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
import shiboken6

from realmail_desktop.app.arguments import parse_arguments
from realmail_desktop.app.gui import open_link
from realmail_desktop.core.events import EventBus
from realmail_desktop.store import ImapSecurity, ImapSettings, Store
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.compose import ComposerWindow
from realmail_desktop.ui.desktop.single_instance import InstanceServer, hand_over, server_name
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.main_window import MainWindow

from .qt_async import idle, next_emit, wait_for

pytestmark = pytest.mark.gui

SETTINGS = ImapSettings(host="imap.example.com", port=993, security=ImapSecurity.TLS, username="ann")
LINK = "mailto:kim@example.com?cc=bob@example.org&subject=Lunch%20on%20Friday&body=Shall%20we%3F"


@pytest.fixture
async def window(store: Store, bus: EventBus) -> AsyncIterator[tuple[MainWindow, Ops]]:
    await store.accounts.create_imap("Work", "ann@example.com", SETTINGS)
    ops = Ops()
    bridge = EventBridge(bus)
    window = MainWindow(store, MailTransfer(store, bus), bridge, ops)
    yield window, ops
    for composer in window.findChildren(ComposerWindow):
        composer.autosave_timer.stop()
        composer.close()
    await ops.drain()
    window.close()
    await ops.drain()
    bridge.detach()
    shiboken6.delete(window)


def assert_filled(composer: ComposerWindow) -> None:
    assert composer.to_field.text() == "kim@example.com"
    assert composer.cc_field.text() == "bob@example.org"
    assert composer.subject_field.text() == "Lunch on Friday"
    assert composer.editor.toPlainText().startswith("Shall we?")


async def test_the_command_line_link_opens_a_filled_composer(window: tuple[MainWindow, Ops]) -> None:
    main, ops = window
    args = parse_arguments(["--profile", "/tmp/unused", LINK])
    opened = next_emit(main.compose.composerOpened)
    open_link(main, args.mailto)  # what the app does with it at start and when another start hands it over
    (composer,) = await wait_for(opened)
    await idle(ops)
    assert main.isVisible()
    assert_filled(composer)


async def test_new_messages_start_in_plain_text_when_settings_say_so(window: tuple[MainWindow, Ops]) -> None:
    main, ops = window
    main.settings_commands.apply(replace(main.settings_commands.settings, compose_plain=True), look=False)
    opened = next_emit(main.compose.composerOpened)
    main.window_actions.new_message.trigger()
    (composer,) = await wait_for(opened)
    await idle(ops)
    assert composer.plain_action.isChecked()


async def test_no_running_instance_means_no_hand_over(tmp_path: Path) -> None:
    assert not hand_over(server_name(tmp_path / "nobody-home"), LINK)


async def test_a_second_realmail_start_hands_its_link_to_the_running_window(
    window: tuple[MainWindow, Ops], tmp_path: Path
) -> None:
    main, ops = window
    profile = tmp_path / "profile"
    server = InstanceServer(server_name(profile))
    assert server.listening
    server.linkReceived.connect(lambda link: open_link(main, link))
    opened = next_emit(main.compose.composerOpened)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "realmail_desktop", "--profile", str(profile), LINK]
    second = await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, timeout=60, check=False)
    assert second.returncode == 0, second.stderr.decode()
    (composer,) = await wait_for(opened)
    await idle(ops)
    assert_filled(composer)
    assert not (profile / "realmail.sqlite3").exists()  # the second start opened no store of its own
    server.close()
