"""The composer: writing, answering and sending mail (windows over mail/compose.py and the store's outbox)."""

from realmail_desktop.ui.compose.compose_commands import ANSWER_ACTION_KINDS, ComposeCommands
from realmail_desktop.ui.compose.composer_start import ComposerStart, SentMessage
from realmail_desktop.ui.compose.composer_window import ComposerWindow

__all__ = ["ANSWER_ACTION_KINDS", "ComposeCommands", "ComposerStart", "ComposerWindow", "SentMessage"]
