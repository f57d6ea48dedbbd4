"""QtWebEngine start-up for mail bodies: our URL schemes registered before the QApplication, and availability.

This module imports QtWebEngine only inside its functions: where it is missing, the reader falls back to
the QTextBrowser (`mail_browser.py`). The profile, interceptor and scheme handler are in `web_profile.py`.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QCoreApplication, Qt

from realmail_desktop.core.logs import get_logger

_log = get_logger("ui")

MESSAGE_SCHEME = "realmail-body"
CID_SCHEME = "cid"
_state = {"prepared": False}  # registration happens once per process, before the QApplication


def prepare_web_engine() -> bool:
    """Register our URL schemes; call before the QApplication exists. False when QtWebEngine cannot load.

    Chromium refuses to run as root with its sandbox on; `--no-sandbox` is added only then. Chromium's own
    log lines ("Failed to connect to the bus" on a desktop without D-Bus) would go to the terminal: only fatal
    ones are kept unless the person set a `--log-level` themselves. The QApplication attribute
    `AA_ShareOpenGLContexts` must also be set before it exists.
    """
    if _state["prepared"]:
        return True
    if QCoreApplication.instance() is not None:
        return web_engine_ready()
    try:
        from PySide6.QtWebEngineCore import QWebEngineUrlScheme
    except ImportError as exc:  # a platform without QtWebEngine: the QTextBrowser reader stands in
        _log.info("QtWebEngine is not available (%s); HTML mail shows in the simple reader", exc)
        return False
    if (
        hasattr(os, "geteuid")
        and os.geteuid() == 0
        and "--no-sandbox" not in os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    ):
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{os.environ.get('QTWEBENGINE_CHROMIUM_FLAGS', '')} --no-sandbox"
    if "--log-level" not in os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", ""):
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{os.environ.get('QTWEBENGINE_CHROMIUM_FLAGS', '')} --log-level=3"
    for name in (MESSAGE_SCHEME, CID_SCHEME):
        scheme = QWebEngineUrlScheme(name.encode())
        scheme.setSyntax(QWebEngineUrlScheme.Syntax.Path)
        # No LocalScheme flag: a local document may not load remote URLs even when the person allowed them.
        scheme.setFlags(QWebEngineUrlScheme.Flag(0))
        QWebEngineUrlScheme.registerScheme(scheme)
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    _state["prepared"] = True
    return True


def web_engine_ready() -> bool:
    """Whether a reader may build a QtWebEngine view now (prepared before the QApplication, and importable)."""
    if _state["prepared"]:
        return True
    if "PySide6.QtWebEngineCore" not in sys.modules:
        return False
    from PySide6.QtWebEngineCore import QWebEngineUrlScheme

    return QWebEngineUrlScheme.schemeByName(MESSAGE_SCHEME.encode()).name() == MESSAGE_SCHEME.encode()
