"""The frozen bundle's entry script: what `realmail` (the console script) runs, for PyInstaller."""

from realmail_desktop.app.main import main

raise SystemExit(main())
