"""Where the files shipped with RealMail live: the source checkout or a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def bundle_root() -> Path:
    """The folder holding `resources/` and `migrations/`: `sys._MEIPASS` when frozen, else the repository.

    PyInstaller sets `sys._MEIPASS` to the one-folder bundle's `_internal/` (packaging/realmail.spec puts the
    files there); in a macOS .app it is `Contents/Frameworks`, where PyInstaller links the data files kept in
    `Contents/Resources`. From a source checkout or an editable install it is the repository root.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root)
    return Path(__file__).resolve().parents[2]


def migrations_dir() -> Path:
    return bundle_root() / "migrations"


def resources_dir() -> Path:
    return bundle_root() / "resources"


def demo_mailbox_dir() -> Path:
    return resources_dir() / "demo" / "mailbox"
