"""Choices with the words people see, in their language."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tickets.lifecycle import Status


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    ACCESS = "access", _("See my data")
    RECTIFICATION = "rectification", _("Correct my data")
    ERASURE = "erasure", _("Delete my data")
    RESTRICTION = "restriction", _("Pause the use of my data")
    PORTABILITY = "portability", _("Get my data in a file")
    OBJECTION = "objection", _("Stop using my data, for example for marketing")
    OPT_OUT = "opt_out", _("Stop selling or sharing my data")
    CONSENT_WITHDRAWAL = "consent_withdrawal", _("Withdraw my consent")
    QUESTION = "question", _("A question about how we handle personal data")


# One plain sentence per kind, shown under its choice on the public form.
KIND_HINTS = {
    Kind.COMPLAINT: _("Tell us if you think we handled your data wrongly, contacted you "
                      "when you did not want it, or shared your data without your consent."),
    Kind.ACCESS: _("We send you a copy of the data we hold about you and explain how we use it."),
    Kind.RECTIFICATION: _("Tell us what is wrong and we correct it."),
    Kind.ERASURE: _("We delete your data, unless the law requires us to keep it. "
                    "We tell you what we keep and why."),
    Kind.RESTRICTION: _("We keep your data but stop using it while a question about it is settled."),
    Kind.PORTABILITY: _("We send your data in a common file format that other services can read."),
    Kind.OBJECTION: _("We stop using your data for a purpose you object to, such as direct marketing."),
    Kind.OPT_OUT: _("We stop selling your data or sharing it with others."),
    Kind.CONSENT_WITHDRAWAL: _("We stop using your data in the way you agreed to earlier."),
    Kind.QUESTION: _("Ask anything about how we handle personal data."),
}


class Regime(models.TextChoices):
    GDPR = "gdpr", _("EU General Data Protection Regulation")
    UK_GDPR = "uk_gdpr", _("UK GDPR")
    CCPA = "ccpa", _("California Consumer Privacy Act")
    US_VA = "us_va", _("Virginia Consumer Data Protection Act")
    US_CT = "us_ct", _("Connecticut Data Privacy Act")
    US_CO = "us_co", _("Colorado Privacy Act")
    US_UT = "us_ut", _("Utah Consumer Privacy Act")
    US_OR = "us_or", _("Oregon Consumer Privacy Act")
    LGPD = "lgpd", _("Brazil LGPD")
    PIPEDA = "pipeda", _("Canada PIPEDA")
    FADP = "fadp", _("Swiss FADP")


class Language(models.TextChoices):
    FINNISH = "fi", "suomi"
    SWEDISH = "sv", "svenska"
    ENGLISH = "en", "English"


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


# Two voices for one status: the staff's (the model's choices, so `get_status_display()`, the
# queue, the record and the reports speak of the requester in the third person) and the
# requester's (the status page and the emails, which speak to them).
STATUS_LABELS = {
    Status.NEW: pgettext_lazy("ticket status", "Received"),
    Status.AWAITING_VERIFICATION: _("Waiting for proof of identity"),
    Status.IN_PROGRESS: _("In progress"),
    Status.AWAITING_REQUESTER: _("Waiting for the requester"),
    Status.RESOLVED: _("Resolved"),
    Status.CLOSED: _("Closed"),
    Status.WITHDRAWN: _("Withdrawn"),
    Status.REJECTED: _("Rejected"),
}
REQUESTER_STATUS_LABELS = {
    Status.NEW.value: pgettext_lazy("ticket status", "Received"),
    Status.AWAITING_VERIFICATION.value: _("Waiting for your proof of identity"),
    Status.IN_PROGRESS.value: _("In progress"),
    Status.AWAITING_REQUESTER.value: _("Waiting for your answer"),
    Status.RESOLVED.value: _("Resolved"),
    Status.CLOSED.value: _("Closed"),
    Status.WITHDRAWN.value: _("Withdrawn"),
    Status.REJECTED.value: _("Rejected"),
}
STATUS_CHOICES = [(status.value, label) for status, label in STATUS_LABELS.items()]


class MessageKind(models.TextChoices):
    REQUESTER = "requester", _("From the requester")
    REPLY = "reply", _("Reply to the requester")
    INTERNAL_NOTE = "internal_note", _("Internal note")


class Outcome(models.TextChoices):
    """The staff's words; the requester reads `requester_outcome_label()`."""

    FULFILLED = "fulfilled", _("Fulfilled")
    PARTLY_FULFILLED = "partly_fulfilled", _("Partly fulfilled")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")


REQUESTER_OUTCOME_LABELS = {
    Outcome.FULFILLED.value: _("Done as you asked"),
    Outcome.PARTLY_FULFILLED.value: _("Partly done as you asked"),
    Outcome.REFUSED.value: _("Refused"),
    Outcome.WITHDRAWN.value: _("Withdrawn by you"),
}


def requester_status_label(value: str) -> str:
    """The status as the requester reads it, in the active language ("Waiting for your answer")."""
    return str(REQUESTER_STATUS_LABELS[Status(value).value])


def requester_outcome_label(value: str) -> str:
    """The outcome as the requester reads it, in the active language ("Done as you asked")."""
    return str(REQUESTER_OUTCOME_LABELS[Outcome(value).value])


class PauseKind(models.TextChoices):
    IDENTITY = "identity", _("Proof of identity")
    CLARIFICATION = "clarification", _("More details")


# The answers to "how were you treated?", best first as the form shows them.
SATISFACTION_LABELS = {
    5: _("5 – very well"),
    4: _("4 – well"),
    3: _("3 – neither well nor badly"),
    2: _("2 – badly"),
    1: _("1 – very badly"),
}
