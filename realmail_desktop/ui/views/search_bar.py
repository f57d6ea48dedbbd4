"""SearchBar: the search box of the main window's toolbar (scope "This folder" / "All mail") and its results line.

Typing is debounced: the search is asked for once the person pauses (DEBOUNCE_MS). The results line (a
separate widget, `results_line`, shown above the message list) says how many messages were found and offers
"Search on server" when the search can go to IMAP servers.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from realmail_desktop.store.search_query import SearchQuery, parse_search

DEBOUNCE_MS = 150
PLACEHOLDER = str(  # marked for pyside6-lupdate; translated where shown
    QT_TRANSLATE_NOOP("SearchBar", 'Search  (from: to: subject: has:attachment is:unread in: after: "phrase" -word)')
)


class SearchBar(QWidget):
    """The search box, its scope and the results line.

    Signals: searchChanged(object) — the person paused typing or changed the scope: a SearchQuery, or None
    once the box is empty (the list shows the folder again); serverSearchRequested() — "Search on server".
    """

    searchChanged = Signal(object)
    serverSearchRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchBar")
        self.box = QLineEdit(self)
        self.box.setObjectName("searchBox")
        self.box.setPlaceholderText(self.tr(PLACEHOLDER))
        self.box.setClearButtonEnabled(True)
        self.box.setToolTip(
            self.tr(
                "Words match subject, people and text; the last word matches as a prefix while you type.\n"
                "from: to: cc: subject:  has:attachment  is:unread is:read is:starred  in:FOLDER\n"
                'before:/after: 2025-03-01 or 7d, 2w, 3m, 1y   "exact phrase"   -exclude   a OR b   (Esc clears)'
            )
        )
        self.box.installEventFilter(self)
        self.scope = QComboBox(self)
        self.scope.setObjectName("searchScope")
        self.scope.addItems([self.tr("This folder"), self.tr("All mail")])
        self.scope.setToolTip(self.tr("Search the folder shown, or every folder of every account"))

        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(self.box, 1)
        row.addWidget(self.scope)
        self.box.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 24)

        # Shown elsewhere: the window moves it above the message list (the bar itself sits in the toolbar).
        self.results_line = QWidget(self)
        self.results_line.setObjectName("searchResultsLine")
        self.status = QLabel(self.results_line)
        self.status.setObjectName("searchStatus")
        self.server_button = QPushButton(self.tr("Search on server"), self.results_line)
        self.server_button.setObjectName("serverSearch")
        self.server_button.setToolTip(
            self.tr("Ask the IMAP servers for messages whose text is not on this computer yet")
        )
        self.server_button.setFlat(True)
        status_layout = QHBoxLayout(self.results_line)
        status_layout.setContentsMargins(6, 2, 6, 2)
        status_layout.addWidget(self.status, 1)
        status_layout.addWidget(self.server_button)
        self.results_line.hide()

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)
        self.box.textChanged.connect(lambda _text: self._timer.start())
        self.scope.currentIndexChanged.connect(lambda _index: self._emit())
        self.server_button.clicked.connect(lambda _checked=False: self.serverSearchRequested.emit())
        self._server_possible = False

    # --- what the person asked for ------------------------------------------------------------------
    @property
    def all_mail(self) -> bool:
        return self.scope.currentIndex() == 1

    def query(self) -> SearchQuery | None:
        """The search as typed now (None when the box holds nothing to search for)."""
        parsed = parse_search(self.box.text())
        return None if parsed.empty else parsed

    def focus(self) -> None:
        """Ctrl+F and /: put the cursor in the box with its text selected, ready to type over."""
        self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.box.selectAll()

    def clear(self) -> None:
        """Esc: empty the box and show the folder again at once (no debounce)."""
        self.box.clear()
        self._emit()

    def _emit(self) -> None:
        self._timer.stop()
        self.searchChanged.emit(self.query())

    # --- results line -------------------------------------------------------------------------------
    def set_server_possible(self, possible: bool) -> None:
        """Whether "Search on server" applies (an IMAP account is in the search's scope)."""
        self._server_possible = possible
        self.server_button.setVisible(possible)

    def show_results(self, count: int | None, note: str = "") -> None:
        """The status line: "N results" (None hides the line: not searching); `note` follows it."""
        if count is None:
            self.results_line.hide()
            return
        text = self.tr("1 result") if count == 1 else self.tr("{count:,} results").format(count=count)
        self.status.setText(f"{text} · {note}" if note else text)
        self.server_button.setVisible(self._server_possible)
        self.results_line.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.box
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            self.clear()
            return True
        return super().eventFilter(watched, event)
