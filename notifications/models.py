"""The outbox: every message the desk sends is first a row here, written in the same transaction
as the change that caused it, then delivered by a worker (SPEC: Notifications)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from desk.fields import EncryptedTextField


class Outbox(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"  # permanent: needs a person (admin list, `manage.py outbox`)

    # One row per event and recipient, whatever retries, crashes or duplicate schedulers do.
    dedupe_key = models.CharField(max_length=200, unique=True)
    event = models.CharField(max_length=50)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="outbox"
    )
    # Encrypted like the ticket (desk/fields.py): a rendered email names the requester, quotes
    # their request and carries a status link, so the outbox holds as much as the ticket itself.
    recipient = EncryptedTextField(max_length=254)
    language = models.CharField(max_length=2)
    subject = EncryptedTextField(max_length=255)
    body_text = EncryptedTextField()
    body_html = EncryptedTextField(blank=True)

    # A requester's email carries a status link, and a working link is never stored (issue 15,
    # item 2): the bodies hold STATUS_URL (notifications/services.py) where the link goes, and each
    # delivery attempt makes a fresh link, fills it in just before sending and keeps only its
    # digest here, so that the next attempt can remove it (an older copy's link stops working).
    status_link = models.BooleanField(default=False, db_default=False)
    status_link_digest = models.CharField(max_length=64, blank=True, default="", db_default="")

    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Attempts that ended (sent, refused, postponed); a claim whose worker died is not one of them.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Claims whose worker died before the attempt ended (SIGKILL, OOM): seen when the row is claimed
    # again after its lease. Not attempts; many of them mean a message that kills its worker.
    interrupted = models.PositiveSmallIntegerField(default=0, db_default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The first temporary failure of the current run of retries: they go on for
    # DESK_OUTBOX_RETRY_SECONDS from here, and an old one is an alert (selectors.outbox_health).
    first_failure_at = models.DateTimeField(null=True, blank=True)
    # A claimed row whose worker died is picked up again once the lease has passed.
    lease_until = models.DateTimeField(null=True, blank=True)
    # When a delivery task for the row was last put on the broker (or is due there, for a task's
    # own retry): the sweep publishes again only what has waited longer than the lease.
    published_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = EncryptedTextField(blank=True)  # an SMTP refusal often quotes the address
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["state", "next_attempt_at"], name="outbox_due",
                condition=Q(state__in=["pending", "sending"]),
            ),
            # The few failed rows among millions sent, counted by selectors.outbox_health.
            models.Index(fields=["id"], name="outbox_failed", condition=Q(state="failed")),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.state})"


class Notification(models.Model):
    """One entry of a member of staff's in-app list (/staff/notifications/): an event (an
    escalation rule, "escalation.due_soon") about a ticket. The list groups them per event and day
    and words them in its reader's language from the event and the ticket
    (notifications.selectors.notification_groups), never from `text`."""

    # No index of its own: notification_unread (user, read_at) starts with it.
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="desk_notifications",
                             db_index=False)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, null=True, related_name="+")
    event = models.CharField(max_length=50)
    dedupe_key = models.CharField(max_length=200, unique=True)
    # The subject of the email that went with it, in the desk's staff language, for the admin only.
    text = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The navigation's unread count, and "mark all as read".
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            # The list: a user's notifications of the last days, a range of this index whatever
            # the years of notifications before them.
            models.Index(fields=["user", "created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.text[:40]}"
