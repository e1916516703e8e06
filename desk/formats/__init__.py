"""The desk's date formats per language (settings.FORMAT_MODULE_PATH), over Django's own.

Templates name a format ("DATE_FORMAT", "SHORT_DATETIME_FORMAT"…), never spell one out, so that
each language writes dates as its readers do (issue 16, item 5). Only the display formats are
set here; input formats stay Django's (the ISO forms are always accepted)."""
