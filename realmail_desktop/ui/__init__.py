"""UI: the only package that imports Qt widgets — models, views, dialogs, the event bridge and ops."""
