"""Ingest: parsed mail (mail.Envelope) into store rows (store.NewMessage), for every service that brings mail in.

It sits between the services (transfer, sync) and the foundations (store, mail): both services need the same
conversion, services may not import each other, and store and mail may not import each other.
"""

from realmail_desktop.ingest.conversion import flags_of, new_message

__all__ = ["flags_of", "new_message"]
