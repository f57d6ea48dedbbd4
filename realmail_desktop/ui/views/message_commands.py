"""Message commands of the main window: mark read/unread, star, delete, move, label and archive the messages
selected in the list (in conversation mode, every message of each selected thread in the listed folders)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from realmail_desktop.core.events import Changes
from realmail_desktop.store import FolderRole, MessageSummary, Store
from realmail_desktop.ui.dialogs.error_dialog import show_known_error
from realmail_desktop.ui.dialogs.folder_chooser import FolderChooserDialog, folder_choices
from realmail_desktop.ui.dialogs.label_dialog import LabelDialog
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.message_list_view import MessageListView


class MessageCommands(QObject):
    """Starts every change to the selected messages through `ops` (dialogs window-modal, never a nested loop).

    `current_folder` tells which folder the tree has selected: on Gmail a move or archive from a label folder
    takes that label off instead of moving the message.
    """

    def __init__(
        self,
        window: QWidget,
        store: Store,
        ops: Ops,
        message_list: MessageListView,
        *,
        current_folder: Callable[[], int | None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._store = store
        self._ops = ops
        self._list = message_list
        self._model = message_list.message_model
        self._current_folder = current_folder

    # --- what the selection stands for -----------------------------------------------------------
    def expanded_ids(self, ids: list[int]) -> list[int]:
        """The messages the selected rows stand for: in conversation mode, each thread's in the listed folders."""
        query = self._model.query
        if query is None or not query.threaded or not ids:
            return ids
        return self._store.reader.threads.folder_messages(ids, query.folder_ids)

    def selected_summaries(self) -> list[MessageSummary]:
        summaries = (self._model.summary_at(row) for row in self._list.selected_rows())
        return [summary for summary in summaries if summary is not None]

    # --- commands ---------------------------------------------------------------------------------
    def toggle_read(self) -> None:
        """Mark the selection read; when all of it is read already, unread."""
        summaries = self.selected_summaries()
        if summaries:
            seen = any(not s.is_seen for s in summaries)
            self._ops.run(
                self._store.messages.set_seen(self.expanded_ids([s.id for s in summaries]), seen),
                label="Mark as read" if seen else "Mark as unread",
            )

    def toggle_star(self) -> None:
        """Star the selection; when all of it is starred already, remove the stars."""
        summaries = self.selected_summaries()
        if summaries:
            flagged = any(not s.is_flagged for s in summaries)
            self._ops.run(
                self._store.messages.set_flagged(self.expanded_ids([s.id for s in summaries]), flagged),
                label="Star" if flagged else "Remove star",
            )

    def delete_selected(self) -> None:
        """Move the selection to Trash (delete it for good when it is in Trash) and select the next row."""
        self._take_selection_away(self._store.messages.delete_to_trash, "Delete messages")

    def move_selected(self) -> FolderChooserDialog | None:
        """Ask which folder, then move the selection there (window-modal; the move starts on OK)."""
        ids = self._list.selected_ids()
        if not ids:
            return None
        dialog = FolderChooserDialog(
            folder_choices(self._store.reader), exclude=self._current_folder(), parent=self._window
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        source = self._current_folder()  # Gmail: a move between label folders is a label change

        def move() -> None:
            target = dialog.selected_folder_id()
            if target is not None:
                self._take_selection_away(
                    lambda chosen: self._store.messages.move(chosen, target, from_folder=source), "Move messages"
                )

        dialog.accepted.connect(move)
        dialog.open()
        return dialog

    def label_selected(self) -> LabelDialog | None:
        """Message ▸ Label… (L): tick or untick the Gmail labels of the selection (window-modal)."""
        ids = self.expanded_ids(self._list.selected_ids())
        if not ids:
            return None
        summaries = [s for s in (self._store.reader.message(i) for i in ids) if s is not None]
        accounts = {s.account_id for s in summaries}
        labels = self._store.reader.gmail_label_folders(next(iter(accounts))) if len(accounts) == 1 else []
        if not labels:
            show_known_error(
                self._window,
                self.tr("Labels are for Gmail messages."),
                self.tr("Select messages of one Gmail account, or use Move to… instead."),
            )
            return None
        having: dict[int, int] = {}
        for summary in summaries:
            for folder_id, _path in self._store.reader.gmail_labels(summary.id):
                having[folder_id] = having.get(folder_id, 0) + 1
        names = [(folder_id, path.rsplit("/", 1)[-1]) for folder_id, path, _label in labels]
        dialog = LabelDialog(names, having, len(summaries), parent=self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def relabel() -> None:
            add, remove = dialog.changes()
            if add or remove:
                self._ops.run(self._store.gmail.change_labels(ids, add, remove), label="Label messages")

        dialog.accepted.connect(relabel)
        dialog.open()
        return dialog

    def archive_selected(self) -> None:
        """Message ▸ Archive (E): to each message's account's Archive folder (All Mail on Gmail)."""
        summaries = self.selected_summaries()
        targets: dict[int, int] = {}
        for account_id in {s.account_id for s in summaries}:
            reader = self._store.reader
            folder = reader.folder_by_role(account_id, FolderRole.ARCHIVE) or reader.folder_by_role(
                account_id, FolderRole.ALL
            )
            if folder is None:
                show_known_error(
                    self._window,
                    self.tr("This account has no Archive folder."),
                    self.tr("Use Move to… (Ctrl+Shift+M) instead."),
                )
                return
            targets[account_id] = folder.id
        source = self._current_folder()  # Gmail: archiving from a label folder takes that label off
        by_id = {
            s.id: target
            for s in summaries
            if (target := targets[s.account_id]) != source and (target != s.folder_id or source != s.folder_id)
        }

        async def archive(ids: list[int]) -> Changes:
            changes = Changes()
            for target in set(by_id.values()):
                changes = changes.merged(
                    await self._store.messages.move(
                        [i for i in ids if by_id.get(i) == target], target, from_folder=source
                    )
                )
            return changes

        if by_id:
            self._take_selection_away(archive, "Archive messages")

    def _take_selection_away(self, write: Callable[[list[int]], Coroutine[Any, Any, Changes]], label: str) -> None:
        rows = self._list.selected_rows()
        ids = self._list.selected_ids()
        if not ids:
            return
        # Select the next message first (Thunderbird's habit), so the selection follows it, not a gap.
        taken = set(rows)
        after = next((r for r in range(rows[-1] + 1, self._model.rowCount()) if r not in taken), None)
        before = next((r for r in range(rows[0] - 1, -1, -1) if r not in taken), None)
        target = after if after is not None else before
        next_id = self._model.message_id_at(target) if target is not None else None
        if next_id is not None:
            self._list.select_ids([next_id], next_id)
        else:
            self._list.clearSelection()
        self._ops.run(write(self.expanded_ids(ids)), label=label)
