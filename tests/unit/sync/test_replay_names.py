"""Replay decisions without a server: names resolved past later renames (last first), and which keywords a
folder's PERMANENTFLAGS lets us send."""

from __future__ import annotations

from realmail_desktop.store import RemoteOp, RemoteOpKind
from realmail_desktop.sync.replay import name_when_replayed, storable_keywords


def rename(op_id: int, name: str, new_name: str) -> RemoteOp:
    return RemoteOp(
        id=op_id, account_id=1, kind=RemoteOpKind.RENAME_FOLDER, folder_id=None, name=name, new_name=new_name
    )


def test_later_renames_are_undone_last_first() -> None:
    later = [rename(2, "Projects", "Clients"), rename(3, "Clients", "Customers")]
    assert name_when_replayed("Customers", later, ".") == "Projects"
    assert name_when_replayed("Customers.2025", later, ".") == "Projects.2025"  # subfolders follow
    assert name_when_replayed("CustomersOld", later, ".") == "CustomersOld"  # a name that only starts alike
    assert name_when_replayed("Customers", later[1:], ".") == "Clients"
    assert name_when_replayed("Customers", [], ".") == "Customers"  # nothing after: the store's name
    flags = RemoteOp(id=4, account_id=1, kind=RemoteOpKind.FLAGS, folder_id=7)
    assert name_when_replayed("Customers", [flags], ".") == "Customers"


def test_keywords_are_sent_only_where_permanentflags_allow_them() -> None:
    words = ["$Label1", "Work"]
    assert storable_keywords(words, None) == words  # the server did not say: send them
    assert storable_keywords(words, frozenset({"\\Seen", "\\*"})) == words
    assert storable_keywords(words, frozenset({"\\Seen", "Work"})) == ["Work"]
    assert storable_keywords(words, frozenset()) == []
