"""Translation readiness: every user-visible text in the UI goes through tr()/translate(), and lupdate finds it.

The AST scan needs no Qt; the extraction runs the real `pyside6-lupdate` over the ui package.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "realmail_desktop" / "ui"
LUPDATE = Path(sys.executable).with_name("pyside6-lupdate")

TEXT_METHODS = frozenset(
    {
        "setText",
        "setWindowTitle",
        "setToolTip",
        "setStatusTip",
        "setPlaceholderText",
        "setTitle",
        "setInformativeText",
        "setLabelText",
        "addMenu",
        "addTab",
        "setHorizontalHeaderLabels",
        "showMessage",
    }
)
TEXT_WIDGETS = frozenset(
    {"QAction", "QPushButton", "QLabel", "QCheckBox", "QRadioButton", "QGroupBox", "QMenu", "QToolButton"}
)

# Literal texts that stay untranslated anywhere in ui/, and why. Keep this list short.
ALLOWED: dict[str, str] = {
    "you@example.com": "an example address in a placeholder, the same in every language",
    "imap.example.com": "an example host name in a placeholder",
    "smtp.example.com": "an example host name in a placeholder",
    "RealMail": "the application's name (the tray icon's tooltip with no unread mail)",
}


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def _literal_text(node: ast.expr) -> str | None:
    """The text of a plain str literal or f-string that holds a letter; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(
            part.value for part in node.values if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
    else:
        return None
    return text if any(char.isalpha() for char in text) else None


def untranslated_texts() -> list[str]:
    """Every `file:line text` where a text call or widget gets a bare literal as its first argument."""
    found: list[str] = []
    for path in sorted(UI.rglob("*.py")):
        relative = path.relative_to(UI).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _called_name(node)
            if name in TEXT_WIDGETS or (name in TEXT_METHODS and isinstance(node.func, ast.Attribute)):
                text = _literal_text(node.args[0])
                if text is not None and text not in ALLOWED:
                    found.append(f"{relative}:{node.lineno} {name}({text!r})")
    return found


def test_the_scan_catches_bare_literals_and_passes_wrapped_ones() -> None:
    bad = ast.parse('button.setText("Send")\nQLabel(f"{n} new")\nmenu.addMenu("&File")')
    good = ast.parse('button.setText(self.tr("Send"))\nQLabel(str(n))\nbar.showMessage("")\nedit.setText(value)')
    bad_calls = [n for n in ast.walk(bad) if isinstance(n, ast.Call) and n.args and _called_name(n) != "tr"]
    good_calls = [n for n in ast.walk(good) if isinstance(n, ast.Call) and n.args and _called_name(n) != "tr"]
    assert [_literal_text(call.args[0]) for call in bad_calls] == ["Send", " new", "&File"]
    assert all(_literal_text(call.args[0]) is None for call in good_calls)


def test_every_visible_text_in_the_ui_is_wrapped_for_translation() -> None:
    assert untranslated_texts() == []


def test_lupdate_extracts_the_ui_texts(tmp_path: Path) -> None:
    sources = sorted(str(path) for path in UI.rglob("*.py"))
    catalogue = tmp_path / "realmail.ts"
    subprocess.run([str(LUPDATE), *sources, "-ts", str(catalogue)], check=True, capture_output=True, timeout=300)
    root = ET.parse(catalogue).getroot()
    sources_found = {message.findtext("source") for message in root.iter("message")}
    contexts = {context.findtext("name") for context in root.iter("context")}
    assert len(sources_found) >= 500
    assert len(contexts) >= 30
    plain = {source.replace("&", "") for source in sources_found if source}
    known = ["Reply", "Archive", "Manage folders…", "Remote content blocked", "Send", "Settings", "Cancel"]
    missing = [text for text in known if not any(source.startswith(text) for source in plain)]
    assert missing == []
