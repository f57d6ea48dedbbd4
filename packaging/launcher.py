"""The frozen bundle's entry script: what `realmail` (the console script) runs, for PyInstaller."""

import multiprocessing

# A worker process started by the app (the header sync's, sync/header_reader.py) runs this same executable: here it
# becomes that worker and never reaches the app. Must come first (PyInstaller's multiprocessing notes).
multiprocessing.freeze_support()

from realmail_desktop.app.main import main  # noqa: E402 (after freeze_support, as it must)

raise SystemExit(main())
