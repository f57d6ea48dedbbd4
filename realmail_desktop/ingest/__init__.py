"""Ingest: mail between its parsed or composed form and the store — parsed mail (mail.Envelope) into store rows
(store.NewMessage) for every service that brings mail in (`conversion`), and composed drafts (mail.compose.Draft)
into the outbox for everything that sends (`outgoing`).

It sits between the services (transfer, sync, send, sorting, bridges) and the foundations (store, mail): the
services need the same conversions, services may not import each other, and store and mail may not import
each other.
"""

from realmail_desktop.ingest.conversion import flags_of, new_message

__all__ = ["flags_of", "new_message"]
