"""Allows `python -m realmail_desktop`."""

from realmail_desktop.app.main import main

raise SystemExit(main())
