"""From the composer to a real SMTP server (aiosmtpd on 127.0.0.1 with STARTTLS and AUTH): what arrives is
byte for byte the MIME the composer built — rich text with its plain twin, an inline picture, a file with a
non-ASCII name, a non-ASCII display name and an international domain — with Bcc only in the envelope."""

from __future__ import annotations

import email.parser
import io
from collections.abc import AsyncIterator
from email import policy

import pytest
import shiboken6
from PIL import Image
from PySide6.QtWidgets import QMainWindow

from realmail_desktop.mail.compose import FileAttachment
from realmail_desktop.store import Account, Store
from realmail_desktop.ui.compose import ComposeCommands, ComposerStart, ComposerWindow
from realmail_desktop.ui.ops import Ops
from tests.servers.smtp import SmtpServer
from tests.ui.qt_async import next_emit, wait_for
from tests.unit.send import conftest as send_fixtures
from tests.unit.send.conftest import FakeClock, NewService

pytestmark = [pytest.mark.integration, pytest.mark.gui]
# The sender service's fixtures (tests/unit/send/conftest.py): a running aiosmtpd, an account that sends there.
smtp_server = send_fixtures.smtp_server
sending_account = send_fixtures.sending_account
clock = send_fixtures.clock
new_service = send_fixtures.new_service


def png() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(picture, "PNG")
    return picture.getvalue()


PNG = png()


@pytest.fixture
async def window() -> AsyncIterator[QMainWindow]:
    made = QMainWindow()
    made.show()
    yield made
    made.close()
    shiboken6.delete(made)


async def test_the_server_receives_exactly_what_the_composer_built(
    store: Store,
    sending_account: Account,
    smtp_server: SmtpServer,
    clock: FakeClock,
    new_service: NewService,
    window: QMainWindow,
) -> None:
    ops = Ops()
    commands = ComposeCommands(window, store, ops)
    identities = await commands.identities()
    composer = ComposerWindow(store, ops, ComposerStart(identities=tuple(identities)), undo_seconds=0, parent=window)
    composer.show()
    composer.to_field.setText("Zoë Ünal <zoe@bücher.de>")
    composer.bcc_field.setText("boss@example.org")
    composer.subject_field.setText("Grüße aus Köln")
    composer.editor.setHtml('<p>Hello <b>Zoë</b>, the <a href="https://example.org/plan">plan</a>:</p>')
    assert composer.editor.add_image(PNG, "image/png", "dot.png") is not None
    composer.attachments.add(FileAttachment("Übersicht März.pdf", b"%PDF-1.4 plan"))
    sent = next_emit(composer.sent)
    composer.send()
    (message,) = await wait_for(sent)

    clock.advance(1)  # the composer scheduled it for now (no undo delay here)
    service = await new_service()
    await service.settle()
    (received,) = smtp_server.accepted()
    assert received.data == message.built.raw  # byte for byte
    assert received.rcpt_tos == ("zoe@xn--bcher-kva.de", "boss@example.org")
    assert received.mail_from == "ann@example.org"
    assert b"boss@example.org" not in received.data
    parsed = email.parser.BytesParser(policy=policy.default).parsebytes(received.data)
    assert parsed["Subject"] == "Grüße aus Köln"
    assert parsed["To"].addresses[0].display_name == "Zoë Ünal"
    body, attached = parsed.get_payload()  # type: ignore[misc]
    plain, related = body.get_payload()
    assert "Hello Zoë, the plan <https://example.org/plan>:" in plain.get_content()
    html, picture = related.get_payload()
    assert picture.get_content() == PNG and f"cid:{picture['Content-ID'].strip('<>')}" in html.get_content()
    assert attached.get_filename() == "Übersicht März.pdf"
    await ops.drain()
