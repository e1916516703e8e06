"""One family of refusals for the deadline engine (STYLE.md: domain refusals raise one family).

Every error is a ValueError too, so a form or a command can turn any of them into a message.
"""

from __future__ import annotations


class DeadlineError(ValueError):
    """The engine cannot compute a deadline from what it was given."""


class UnknownRegime(DeadlineError):
    """The regime name is not one of REGIMES."""


class UnknownEvent(DeadlineError):
    """The regime has no such event."""


class UnknownKind(DeadlineError):
    """The ticket kind is not one of KINDS."""


class UnknownCalendar(DeadlineError):
    """The calendar code names no country or subdivision that the `holidays` package knows."""


class ExtensionNotAllowed(DeadlineError):
    """The regime allows no extension, or it was notified too late, or it is a second one."""


class InvalidPause(DeadlineError):
    """A pause ends before it starts, starts before receipt, or overlaps another."""


class InvalidServiceLevel(DeadlineError):
    """A service-level target that cannot be counted (no positive amount, unknown unit, hours)."""


class InvalidReceipt(DeadlineError):
    """The moment of receipt is missing or of the wrong type."""
