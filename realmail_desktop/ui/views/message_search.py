"""MessageSearch: puts what the search bar asks for into the message list, the reader's highlight and the server.

The count and first page of a search are read on a worker thread (`Store.read`) and handed to the GUI's
reader (`SearchResults.adopt`) before the list is switched to the search, so typing never waits on SQLite.
A newer search cancels the one still running. Results come best match first until the person picks a
column sort; clearing the search shows the folder again, in the order it had.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QHeaderView

from realmail_desktop.core.events import Changes
from realmail_desktop.store import AccountKind, MessageQuery, Store, StoreReader
from realmail_desktop.store.search import SearchResults
from realmail_desktop.store.search_query import SearchQuery
from realmail_desktop.ui.models.message_list import MessageListModel
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.sync_control import SyncControl
from realmail_desktop.ui.views.message_reader import MessageReader
from realmail_desktop.ui.views.search_bar import SearchBar


class MessageSearch(QObject):
    """Owns the search state of one main window: the folder's own query, the search, its order.

    Signals: resultsShown(int count) — a search's results are in the list (also after a store change
    re-counted them); serverSearchDone(int fetched) — "Search on server" finished.
    """

    resultsShown = Signal(int)
    serverSearchDone = Signal(int)

    def __init__(
        self,
        bar: SearchBar,
        store: Store,
        model: MessageListModel,
        reader: MessageReader,
        ops: Ops,
        *,
        header: QHeaderView | None = None,
        sort_actions: QActionGroup | None = None,
        sync: SyncControl | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bar = bar
        self._store = store
        self._model = model
        self._reader = reader
        self._ops = ops
        self._sync = sync
        self._folder_query: MessageQuery | None = None
        self._search: SearchQuery | None = None
        self._by_relevance = True
        self._pending: asyncio.Task[SearchResults] | None = None
        bar.searchChanged.connect(self.on_search_changed)
        bar.serverSearchRequested.connect(self.search_on_server)
        if header is not None:
            header.sectionClicked.connect(lambda _section: self.on_person_sorted())
        if sort_actions is not None:
            sort_actions.triggered.connect(lambda _action: self.on_person_sorted())
        for signal in (model.modelReset, model.layoutChanged):
            signal.connect(self._on_list_changed)

    @property
    def searching(self) -> bool:
        return self._search is not None

    @property
    def search(self) -> SearchQuery | None:
        return self._search

    def set_folder_query(self, query: MessageQuery | None) -> None:
        """The folder tree's choice changed: list it, or search in it when a search is on."""
        self._folder_query = query
        self._apply()

    def on_search_changed(self, search: SearchQuery | None) -> None:
        if search is None:
            self._by_relevance = True
        self._search = search
        self._reader.set_highlight(search.highlight_terms() if search is not None else ())
        self._apply()

    def on_store_changed(self, changes: Changes) -> None:
        """A body that arrived (sync, "Search on server") can make a message match: the list model follows
        folder membership only, so a search's count is checked again when messages changed."""
        query = self._model.query
        if query is None or query.search is None or not (changes.messages_updated or changes.messages_added):
            return
        if self._store.reader.count(query) != self._model.rowCount():
            self._model.reload()

    def on_person_sorted(self) -> None:
        """A column sort picked by the person replaces the relevance order for the rest of this search."""
        if self._search is not None and self._by_relevance:
            self._by_relevance = False
            self._apply()

    def search_query(self) -> MessageQuery | None:
        """The list's query for the current search (None when not searching)."""
        if self._search is None:
            return None
        folder_ids = self._folder_query.folder_ids if self._folder_query is not None else ()
        if self._bar.all_mail or self._search.folders or not folder_ids:
            folder_ids = tuple(folder.id for folder in self._store.reader.folders())
        return MessageQuery(folder_ids, search=self._search, by_relevance=self._by_relevance)

    def _apply(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        query = self.search_query()
        if query is None:
            self._bar.show_results(None)
            self._model.set_query(self._folder_query)
            return
        self._bar.set_server_possible(self._sync is not None and self._has_imap(query.folder_ids))
        version = self._store.reader.searches.version()
        order, page_size = self._model.order, self._model.page_size

        def first_page(reader: StoreReader) -> SearchResults:
            reader.page(query, order, 0, page_size, reader.count(query))
            return reader.searches

        self._pending = self._ops.run(
            self._store.read(first_page),
            label="Search",
            on_done=lambda results: self._show(query, results, version),
        )

    def _show(self, query: MessageQuery, results: SearchResults, version: tuple[int, int]) -> None:
        if query != self.search_query():
            return  # the person typed on meanwhile; that search is on its way
        self._pending = None
        self._store.reader.searches.adopt(results, version)
        self._model.set_query(query)
        self._on_list_changed()

    def _on_list_changed(self) -> None:
        if self._search is not None and self._model.query is not None and self._model.query.search is not None:
            self._bar.show_results(self._model.rowCount())
            self.resultsShown.emit(self._model.rowCount())

    def _has_imap(self, folder_ids: tuple[int, ...]) -> bool:
        imap = {a.id for a in self._store.reader.accounts() if a.kind is AccountKind.IMAP}
        return bool(imap) and any(f.account_id in imap for f in self._store.reader.folders() if f.id in folder_ids)

    # --- the server ----------------------------------------------------------------------------------
    def search_on_server(self) -> asyncio.Task[int] | None:
        """Run the search on the IMAP servers of the folders searched; what matches is fetched and shows up."""
        query = self.search_query()
        if self._sync is None or query is None:
            return None
        self._bar.server_button.setEnabled(False)
        count = self._model.rowCount()
        self._bar.show_results(count, self.tr("searching on the server…"))

        def done(fetched: int) -> None:
            self._bar.show_results(
                self._model.rowCount(), self.tr("{fetched:,} fetched from the server").format(fetched=fetched)
            )
            self.serverSearchDone.emit(fetched)

        search = self._sync.search_server(self._bar.box.text(), query.folder_ids)
        task = self._ops.run(search, label="Search on server", on_done=done)
        task.add_done_callback(lambda _task: self._bar.server_button.setEnabled(True))
        return task
