"""The desk's one clock, and the one way to hold it at a moment of the past (the demo seed).

Every time the desk stamps comes from one function, `django.utils.timezone.now()`: the services
(receipt, pauses, messages, the outbox, escalations), the `auto_now` fields, simple-history's
`history_date`, the development mailbox's file names and the Date of the emails it keeps
(desk/dev_mail.py), `timezone.localdate()` and `localtime()`. Each looks the function up on the
module when it runs, so `held_at` can replace it there for a while; nothing in the desk may take
`now` by name or keep it as a field default, which would escape (tests/desk/test_clock.py).

`held_at(moment)` is for `seed_demo` only, which plays the demo's past through the real services,
each step at its moment: one thread, one command. It is no clock for the running desk (it holds
every thread), and tests travel in time with time-machine, a development dependency.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_REAL_NOW = timezone.now


@contextmanager
def held_at(moment: datetime.datetime) -> Iterator[None]:
    """Within the block, the desk's clock reads `moment` (an aware date-time) and stands still. It
    reads in UTC, as `timezone.now()` always does."""
    if timezone.is_naive(moment):
        raise ValueError(f"the desk's clock holds an aware date-time, not {moment!r}")
    if timezone.now is not _REAL_NOW:
        raise RuntimeError("the desk's clock is held already")
    held = moment.astimezone(datetime.UTC)
    timezone.now = lambda: held
    try:
        yield
    finally:
        timezone.now = _REAL_NOW
