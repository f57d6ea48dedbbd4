"""Living on the desktop: the tray icon and its unread badge, new-mail notifications, the look (dark mode), and
the person's desktop settings (`desktop_settings.py`, Qt-free). `notify_policy.py` decides, without Qt, which
new mail deserves a notification; `tray.py` and `notifications.py` show it."""
