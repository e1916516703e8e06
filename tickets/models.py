"""Ticket data: queues, tickets, messages, attachments. Data, choices, constraints, indexes; no workflow.

Every model that holds ticket data keeps a django-simple-history trail; services set the history
user and the change reason on every write (STYLE.md: History).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from desk.fields import EmailDigestField, EncryptedTextField, new_row_uuid
from tickets.choices import (
    STATUS_CHOICES,
    Kind,
    Language,
    MessageKind,
    Outcome,
    PauseKind,
    Priority,
    Regime,
)
from tickets.lifecycle import OPEN_STATUSES, Status

OPEN_STATUS_VALUES = sorted(status.value for status in OPEN_STATUSES)
# Closed for good (tickets/lifecycle.py): retention counts its period from `closed_at` in these.
CLOSED_STATUS_VALUES = sorted(status.value for status in (Status.CLOSED, Status.WITHDRAWN, Status.REJECTED))
# What the dashboard narrows every figure by: the manager's queues, the kind, the law.
_SCOPE = ["queue", "kind", "regime"]


def ticket_history(**options: Any) -> HistoricalRecords:
    """simple-history for ticket data, with the change reason as encrypted text of any length: a
    reason quotes what staff typed (why the deadline was extended, why a request was refused),
    which can run to a paragraph and can name the requester (research §3.2: history tables)."""
    return HistoricalRecords(history_change_reason_field=EncryptedTextField(null=True), **options)


class AuditChain(models.Model):
    """The ticket history's link in its hash chain (tickets/audit.py)."""

    chain_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True


class Queue(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    description = models.TextField(blank=True)
    # Kinds routed here by the public form; the first queue that lists a kind gets it.
    kinds = models.JSONField(default=list, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="desk_queues")
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_desk_queues"
    )
    # Membership changes are written by tickets.services.queues (each with a QueueMembershipChange
    # entry, and a history entry of the queue naming who and why), never by the m2m alone.
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QueueMembershipChange(models.Model):
    """Who was added to or removed from a queue, as a member (who sees its tickets) or a manager,
    by whom, when and why (issue 15: a superuser added themselves to a queue silently). Written
    only by `queue_membership_change`; never updated or deleted; names are copied, so the entry
    outlives both users. Shown to the queue's managers (/staff/queues/) and in the admin."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MANAGER = "manager", _("Manager")

    at = models.DateTimeField(auto_now_add=True)
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="membership_changes",
                              db_index=False)  # the (queue, at) index starts with it
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=8, choices=Role.choices)
    added = models.BooleanField()  # False: removed
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+")
    actor_username = models.CharField(max_length=150)
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["queue", "at"], name="queue_membership_change_at")]

    def __str__(self) -> str:
        change = "+" if self.added else "-"
        return f"{self.queue_id} {change}{self.role} {self.username} by {self.actor_username}"


class ReferenceCounter(models.Model):
    """The last reference number handed out per year; rows are locked while a number is taken."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Ticket(models.Model):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    regime = models.CharField(max_length=16, choices=Regime.choices)
    calendar = models.CharField(max_length=16, help_text=_("Working-day calendar, e.g. FI or GB-SCT"))
    language = models.CharField(max_length=2, choices=Language.choices)

    # The requester's personal data is stored encrypted (desk/fields.py); the email is found
    # again by its keyed hash, never by the plaintext (desk.crypto.email_digest).
    requester_name = EncryptedTextField(max_length=200)
    requester_email = EncryptedTextField(max_length=254)
    requester_email_digest = EmailDigestField(source="requester_email", db_index=False)
    requester_country = models.CharField(max_length=2)
    requester_region = models.CharField(max_length=8, blank=True)
    description = EncryptedTextField()

    # Stamped by the server when the request reached the desk; never taken from the client.
    received_at = models.DateTimeField(editable=False)
    # The final due date and the others, from tickets.deadlines; `deadlines` keeps each one's explanation.
    due_date = models.DateField()
    first_response_due = models.DateField(null=True, blank=True)
    # A statutory acknowledgement: CCPA's 10 business days, or a UK complaint's 30 days (s.164A).
    acknowledge_due = models.DateField(null=True, blank=True)
    # The last day to tell the requester of an extension, where the engine plans one for this
    # ticket's law and kind (the escalation rule "extension_decision" reads it); None otherwise.
    extension_notice_due = models.DateField(null=True, blank=True)
    deadlines = models.JSONField(default=dict, blank=True)

    status = models.CharField(
        max_length=24, choices=STATUS_CHOICES, default=Status.NEW.value, editable=False
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # No index of its own: ticket_queue_due (queue, status, due date) starts with it.
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="tickets", db_index=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_tickets",
    )
    escalation_level = models.PositiveSmallIntegerField(default=0)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Working days of the ticket's calendar from receipt to the first response and to the
    # resolution, counted when they happen (the engine knows the holidays, SQL does not), so
    # that the dashboard's medians are plain aggregates over stored numbers.
    first_response_days = models.PositiveIntegerField(null=True, blank=True, editable=False)
    resolution_days = models.PositiveIntegerField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    # When retention erased the requester's personal data (tickets/services/retention.py).
    personal_data_erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    # A form's one-time key: the same form posted twice makes one ticket.
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    # The request this one follows up: the requester wrote on it after it had ended (closed,
    # withdrawn or rejected), which no status can take back (tickets.services.intake).
    follow_up_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     editable=False, related_name="follow_ups")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = ticket_history(bases=[AuditChain])

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            # The agent queue: open tickets of a queue by time left.
            models.Index(fields=["queue", "status", "due_date"], name="ticket_queue_due"),
            # The escalation sweep: open tickets by due date and level, nothing else scanned.
            models.Index(
                fields=["due_date", "escalation_level"], name="ticket_open_due_level",
                condition=Q(status__in=OPEN_STATUS_VALUES),
            ),
            # The ticket page's previous and next open ticket, in the queue's order (due, id).
            models.Index(fields=["due_date", "id"], name="ticket_open_due_id",
                         condition=Q(status__in=OPEN_STATUS_VALUES)),
            models.Index(fields=["requester_email_digest"], name="ticket_requester_email_digest"),
            # The idle escalation sweep at a million open tickets (bench/sweep.py: 1.1 s, was
            # three full reads): the rules on the first-response and acknowledgement dates read
            # only the open tickets that have such a date, and the calendars in use are found by
            # skipping through this index one calendar at a time (escalation.calendars_in_use).
            models.Index(fields=["first_response_due"], name="ticket_open_first_response_due",
                         condition=Q(status__in=OPEN_STATUS_VALUES, first_response_at__isnull=True)),
            models.Index(fields=["acknowledge_due"], name="ticket_open_acknowledge_due",
                         condition=Q(status__in=OPEN_STATUS_VALUES, acknowledge_due__isnull=False)),
            models.Index(fields=["calendar"], name="ticket_open_calendar",
                         condition=Q(status__in=OPEN_STATUS_VALUES)),
            # The two rules whose window holds only some tickets: the extension reminder reads only
            # the requests whose law plans an extension notice (complaints due soon were 100,000
            # heap reads, 60 ms, at a million open tickets), the unassigned rule only the unassigned.
            models.Index(fields=["extension_notice_due"], include=["calendar"],
                         name="ticket_open_extension_notice",
                         condition=Q(status__in=OPEN_STATUS_VALUES, extension_notice_due__isnull=False)),
            models.Index(fields=["received_at"], name="ticket_open_unassigned",
                         condition=Q(status__in=OPEN_STATUS_VALUES, assignee__isnull=True)),
            # The dashboard's figures: what arrived, what was answered and when, what is open now.
            # Each carries the columns its query groups and counts by (PostgreSQL's INCLUDE), so a
            # month of a million-ticket desk is read from the index alone, not from the wide rows
            # (bench/dashboard.py: 764 ms before, under 300 ms after, at 1M tickets).
            models.Index(fields=["received_at"], include=[*_SCOPE, "id"], name="ticket_received"),
            models.Index(fields=["resolved_at"], name="ticket_resolved",
                         include=[*_SCOPE, "id", "assignee", "resolution_days", "due_date", "outcome"],
                         condition=Q(resolved_at__isnull=False)),
            models.Index(fields=["first_response_at"], name="ticket_first_response",
                         include=[*_SCOPE, "id", "first_response_days"],
                         condition=Q(first_response_at__isnull=False)),
            models.Index(fields=["status"], name="ticket_open_now",
                         include=[*_SCOPE, "id", "assignee", "due_date", "escalation_level"],
                         condition=Q(status__in=OPEN_STATUS_VALUES)),
            # The retention sweep: closed tickets not yet erased, by closing time; erased ones
            # leave the index, so the nightly run reads what is due, not every ticket ever closed.
            models.Index(fields=["closed_at"], name="ticket_retention_due",
                         condition=Q(status__in=CLOSED_STATUS_VALUES, personal_data_erased_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation_level__gte=0) & Q(escalation_level__lte=3),
                name="ticket_escalation_level_range",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def status_enum(self) -> Status:
        return Status(self.status)


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="desk_messages",
    )
    body = EncryptedTextField()
    # The row's identity in the body's associated data (desk/fields.py): known before the insert.
    row_uuid = models.CharField(max_length=32, default=new_row_uuid, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = ticket_history(bases=[AuditChain])  # each ticket's messages form a chain (tickets/audit.py)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_created")]

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.pk} ({self.kind})"

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.INTERNAL_NOTE


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    # The name the requester gave, for display only (encrypted: "my-passport-Jane-Doe.pdf" is
    # personal data); the file on disk has a random name and is encrypted too (tickets/uploads.py).
    original_name = EncryptedTextField(max_length=255)
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    content_type = models.CharField(max_length=100)  # sniffed from the bytes, never the client's word
    size = models.PositiveIntegerField()
    # Keyed (crypto.file_digest), not the file's plain SHA-256: a plain hash would let whoever
    # reads the database confirm a guessed file, such as a known scan of an identity card.
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = ticket_history(bases=[AuditChain])  # each ticket's files form a chain (tickets/audit.py)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ClockPause(models.Model):
    """The desk waits for the requester: identity proof or clarification (the regime decides what
    that does to the clock). Open while `ended_at` is empty; the requester's answer closes it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(max_length=16, choices=PauseKind.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Sent to the requester and often about their documents ("the passport copy is unreadable").
    reason = EncryptedTextField()
    # The row's identity in the reason's associated data (desk/fields.py): known before the insert.
    row_uuid = models.CharField(max_length=32, default=new_row_uuid, editable=False)
    history = ticket_history(bases=[AuditChain])  # each ticket's pauses form a chain (tickets/audit.py)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            # At most one open pause per ticket.
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(ended_at__isnull=True), name="one_open_pause_per_ticket"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} from {self.started_at:%Y-%m-%d}"


class Extension(models.Model):
    """The one extension of the response period the law allows, with the reason the requester is told."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="extension")
    notified_at = models.DateTimeField()
    reason = EncryptedTextField()  # told to the requester, and may describe their case
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    previous_due_date = models.DateField()
    new_due_date = models.DateField()
    history = ticket_history(bases=[AuditChain])  # a chain of its own (tickets/audit.py)

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.previous_due_date} → {self.new_due_date}"


class StatusLink(models.Model):
    """One emailed status link: the SHA-256 of its secret (the secret is only in the email).
    Every email to the requester carries a fresh one, so any of their emails opens the ticket.

    The first browser that exchanges a link keeps it: `browser_digest` is the keyed hash of that
    browser's binding cookie, and another browser presenting the same secret is refused (a link
    copied from a log, a forwarded email or a shared computer opens nothing). The browser that
    submitted a request gets a row of its own, exchanged at once, whose secret nobody ever
    holds: it is how a repeated submission key knows whose it is (issue 15, holes 1 and 7)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="status_links")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    exchanged_at = models.DateTimeField(null=True, blank=True)  # the first exchange; None: never opened
    browser_digest = models.CharField(max_length=64, blank=True, default="")  # "" until exchanged

    def __str__(self) -> str:
        return f"link {self.pk} of {self.ticket_id}"


class Escalation(models.Model):
    """One escalation of one ticket by one rule; the unique constraint makes it happen once,
    whatever crashes, restarts or duplicate schedulers do (SPEC: Escalation)."""

    # No index of its own: the unique (ticket, rule) starts with it.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations", db_index=False)
    rule = models.CharField(max_length=32)
    level = models.PositiveSmallIntegerField(default=0)  # 1 to 3 for the deadline levels, 0 for the others
    due_date = models.DateField()  # the deadline it was measured against
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "rule"], name="one_escalation_per_rule")]
        indexes = [models.Index(fields=["created_at"], name="escalation_created")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.rule}"


class Satisfaction(models.Model):
    """The requester's one answer to "how were you treated?" after resolution (SPEC: Transparency)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="satisfaction")
    score = models.PositiveSmallIntegerField()  # 1 (very badly) to 5 (very well)
    comment = EncryptedTextField(blank=True)  # the requester's own words
    answered_at = models.DateTimeField()
    history = ticket_history(bases=[AuditChain])  # a chain of its own (tickets/audit.py)

    class Meta:
        indexes = [models.Index(fields=["answered_at"], name="satisfaction_answered")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5),
                                   name="satisfaction_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}/5"


class AccessLog(models.Model):
    """Who looked at whose personal data, and when: every staff view of a ticket, every export,
    every file downloaded (SPEC: Data protection). Written by the desk only: no form, no admin
    change, no history of its own; names are copied, so the log outlives the user and the ticket."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed the ticket")
        API_VIEW = "api_view", _("Read the ticket through the API")
        RECORD = "record", _("Opened the compliance record")
        DOWNLOAD = "download", _("Downloaded a file")
        EXPORT = "export", _("Exported a list")
        ADMIN = "admin", _("Viewed in the admin")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150)
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="accesses")
    reference = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    detail = models.CharField(max_length=500, blank=True)  # never personal data (services/access.py)
    # A search for an email address: the address's keyed hash (desk.crypto.email_digest), so
    # that an auditor with the key can tell who looked for a person; retention blanks it when it
    # erases that person's tickets, so that no entry points at them any more.
    search_digest = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["ticket", "at"], name="access_ticket_at"),
            models.Index(fields=["search_digest"], name="access_search_digest",
                         condition=~Q(search_digest="")),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.reference} {self.at:%Y-%m-%d %H:%M}"
