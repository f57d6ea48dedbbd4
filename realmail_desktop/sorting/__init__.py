"""Sorting: mail rules on new mail and on demand, the learning junk filter, and one-click unsubscribe
(a Qt-free service; the UI reaches it through its public names and hears it through bus events)."""

from realmail_desktop.sorting.events import JunkFiled, RuleNotification
from realmail_desktop.sorting.junk import JunkFilter
from realmail_desktop.sorting.service import SortingService
from realmail_desktop.sorting.unsubscribe import Unsubscribed, Unsubscriber

__all__ = ["JunkFiled", "JunkFilter", "RuleNotification", "SortingService", "Unsubscribed", "Unsubscriber"]
