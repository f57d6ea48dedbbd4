"""Transfer: import mail archives (.eml, mbox, Maildir) into local folders, export folders, seed the demo."""

from realmail_desktop.transfer.demo import ensure_demo_mailbox
from realmail_desktop.transfer.exporter import ExportFormat, ExportReport
from realmail_desktop.transfer.importer import ImportReport
from realmail_desktop.transfer.service import MailTransfer

__all__ = ["ExportFormat", "ExportReport", "ImportReport", "MailTransfer", "ensure_demo_mailbox"]
