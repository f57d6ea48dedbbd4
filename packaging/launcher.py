"""The frozen bundle's entry script: what `realmail` (the console script) runs, for PyInstaller.

Before the app's imports it asks the kernel, from a background thread, to read Qt's libraries ahead
(POSIX_FADV_WILLNEED). On a cold start most of the time went to page faults in the 195 MB QtWebEngine
library, loaded before the QApplication exists; one sequential read-ahead that overlaps Python's start-up is
much cheaper (docs/PERFORMANCE.md, "Installers"). Subcommands that never load Qt skip it, and
REALMAIL_READ_AHEAD=0 turns it off (to measure what it saves: packaging/start_time.py --compare-read-ahead).
"""

import os
import sys
import threading
from pathlib import Path

_NO_QT = frozenset({"import", "export", "--version", "-h", "--help"})


def _read_qt_ahead() -> None:
    libraries = Path(getattr(sys, "_MEIPASS", "")) / "PySide6" / "Qt" / "lib"
    if not libraries.is_dir():
        return
    # Largest first: QtWebEngineCore is both the biggest and among the last to load.
    for path in sorted(libraries.glob("*.so*"), key=lambda p: p.stat().st_size, reverse=True):
        try:
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            finally:
                os.close(fd)
        except OSError:
            return


if (
    hasattr(os, "posix_fadvise")
    and os.environ.get("REALMAIL_READ_AHEAD") != "0"
    and not _NO_QT.intersection(sys.argv[1:])
):
    threading.Thread(target=_read_qt_ahead, name="qt-read-ahead", daemon=True).start()

from realmail_desktop.app.main import main  # noqa: E402  (after the read-ahead has started)

raise SystemExit(main())
