"""Retention (GDPR Art. 5(1)(e), storage limitation): a set time after a ticket is closed, the
requester's personal data is erased and the audit skeleton stays (research/reliability-security.md
§3.2).

Erased: the requester's name, email and its blind index, the request as written, every message
body, the files (rows and bytes on disk), the satisfaction comment, the free-text reasons of pauses
and the extension, the emails (recipient, subject, bodies, the server's last answer), the emailed
status links, the names of downloaded files in the access log and the keyed hash of the address
in its entries of searches for it, and every copy of those in the history tables. Kept: reference,
kind, law, calendar, language, country and region (they explain which law and calendar applied),
every date and deadline, pauses' times, the outcome and its legal reason, escalations, the
satisfaction score, queue, assignee, the working-day counts the dashboard adds up, and the access
log's who, when and what.

The fact is recorded: `Ticket.personal_data_erased_at`, and one sealed history entry whose reason
names the actor ("system:retention"), the rule and the period, on the timeline and the compliance
record. The entry is in the hash chain; the erased fields never were (tickets/audit.py), so
`verify_audit` still passes afterwards.

Kept on purpose although staff may have typed personal data into it: the outcome's legal reason
and the reasons of recorded changes ("rejected: …", "extended: …"). They are inside the hash chain,
and they are the organisation's own account of its decision, which the law asks it to be able to
show.

Requester sessions are not searched: a status session grants one ticket for
DESK_STATUS_SESSION_SECONDS (an hour), and the links that open one stop working
DESK_STATUS_LINK_DAYS_AFTER_CLOSURE days after closure, so none is alive this long after; finding
them would mean decoding every session.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from notifications.models import Outbox
from tickets import audit, reasons, uploads
from tickets.errors import RetentionRefused
from tickets.models import (
    CLOSED_STATUS_VALUES,
    AccessLog,
    Attachment,
    ClockPause,
    Extension,
    Message,
    Satisfaction,
    StatusLink,
    Ticket,
)
from tickets.services.access import access_forget_searches
from tickets.services.common import Actor, record, stamp

RETENTION_ACTOR = "system:retention"
# The requester's personal data on the ticket row, and in every history copy of it. The email's
# blind index goes too: the keyed hash would still find the person's other tickets.
TICKET_FIELDS = ("requester_name", "requester_email", "requester_email_digest", "description")


def retention_days(kind: str) -> int:
    """Days after closure a ticket of this kind keeps its personal data (DESK_RETENTION_DAYS_BY)."""
    days: int = settings.DESK_RETENTION_DAYS_BY.get(kind, settings.DESK_RETENTION_DAYS)
    return days


def retention_reason(kind: str) -> str:
    """The history entry's reason: the actor, the rule and its period (at most 100 characters,
    the history's column)."""
    return reasons.RETENTION_ERASED(kind=kind, days=retention_days(kind))


def _due(now: datetime.datetime) -> Q:
    """Closed tickets past the period of their kind, else the default period, not yet erased."""
    overrides: dict[str, int] = settings.DESK_RETENTION_DAYS_BY
    past = Q(pk__in=[])
    for kind, days in overrides.items():
        past |= Q(kind=kind, closed_at__lt=now - datetime.timedelta(days=days))
    past |= ~Q(kind__in=list(overrides)) & Q(
        closed_at__lt=now - datetime.timedelta(days=settings.DESK_RETENTION_DAYS))
    return Q(status__in=CLOSED_STATUS_VALUES, personal_data_erased_at__isnull=True) & past


def retention_due(*, now: datetime.datetime | None = None) -> QuerySet[Ticket]:
    """The tickets whose personal data is due for erasure, longest closed first: in the order of
    the partial index `ticket_retention_due`, which holds only closed tickets not yet erased, so
    the nightly query reads what is due, not every ticket the desk ever had."""
    return Ticket.objects.filter(_due(now or timezone.now())).order_by("closed_at", "id")


def _refusal(ticket: Ticket, now: datetime.datetime) -> str | None:
    if ticket.personal_data_erased_at is not None:
        return _("The personal data of this ticket was already erased on %(day)s.") % {
            "day": formats.date_format(timezone.localtime(ticket.personal_data_erased_at), "DATE_FORMAT")}
    if ticket.status not in CLOSED_STATUS_VALUES or ticket.closed_at is None:
        return _("Personal data is erased only from a closed ticket.")
    keep_until = ticket.closed_at + datetime.timedelta(days=retention_days(ticket.kind))
    if keep_until > now:
        return _("This ticket keeps its personal data until %(day)s under the retention rule.") % {
            "day": formats.date_format(timezone.localtime(keep_until), "DATE_FORMAT")}
    return None


def ticket_erase_personal_data(*, ticket_id: int, actor: Actor, reason: str,
                               now: datetime.datetime | None = None) -> Ticket:
    """Erase one ticket's personal data if its retention period is over; a refusal writes nothing.
    `reason` is the history entry's (see `retention_reason`)."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        refusal = _refusal(ticket, now)
        if refusal is not None:
            raise RetentionRefused(refusal)
        _erase([ticket], actor=actor, reasons={ticket.pk: reason})
    return ticket


@dataclass
class RetentionReport:
    erased: Counter[str] = field(default_factory=Counter)  # per kind
    references: list[str] = field(default_factory=list)
    batches: int = 0

    @property
    def total(self) -> int:
        return sum(self.erased.values())


def retention_sweep(*, now: datetime.datetime | None = None,
                    batch_size: int | None = None) -> RetentionReport:
    """Erase everything due, one transaction per batch; safe to run twice at once."""
    now = now or timezone.now()
    batch_size = batch_size or settings.DESK_RETENTION_BATCH
    report = RetentionReport()
    while True:
        done = _erase_batch(now=now, batch_size=batch_size, report=report)
        if done < batch_size:
            return report


def _erase_batch(*, now: datetime.datetime, batch_size: int, report: RetentionReport) -> int:
    with transaction.atomic():
        found = retention_due(now=now)
        if connection.features.has_select_for_update_skip_locked:
            # Two sweeps at once take different tickets instead of waiting for each other; a row
            # the other erased and committed no longer matches when PostgreSQL re-reads it.
            found = found.select_for_update(skip_locked=True, of=("self",))
        tickets = [ticket for ticket in found[:batch_size] if _refusal(ticket, now) is None]
        if not tickets:
            return 0
        _erase(tickets, actor=None, reasons={ticket.pk: retention_reason(ticket.kind) for ticket in tickets})
        report.erased.update(ticket.kind for ticket in tickets)
        report.references += [ticket.reference for ticket in tickets]
        report.batches += 1
        return len(tickets)


def _erase(tickets: list[Ticket], *, actor: Actor, reasons: dict[int, str]) -> None:
    """Erase the personal data of locked tickets, set-based across them, in the caller's transaction.

    The history tables are updated in place here, and only here. Elsewhere history is written
    only by save() and never edited (STYLE.md: History), and tickets/audit.py chains the ticket
    history so that an edit is found. The fields blanked here are outside that chain on purpose,
    so that retention can reach every past copy of the personal data and the proof of who did
    what when still verifies. Everything goes through the ORM, so an encrypted field stores what
    the field writes for an empty value."""
    ids = [ticket.pk for ticket in tickets]
    erased_at = timezone.now()
    stored_names = _delete_attachments(ids, reasons)
    for model, fields in ((Message, {"body": ""}), (Satisfaction, {"comment": ""}),
                          (ClockPause, {"reason": ""}), (Extension, {"reason": ""})):
        model.objects.filter(ticket_id__in=ids).update(**fields)
        model.history.model.objects.filter(ticket_id__in=ids).update(**fields)
    Attachment.history.model.objects.filter(ticket_id__in=ids).update(original_name="", sha256="")
    _erase_emails(ids)
    StatusLink.objects.filter(ticket_id__in=ids).delete()  # no emailed link opens the ticket again
    # Who looked, when and how stays; a download's detail is the file's name, which the requester chose.
    AccessLog.objects.filter(ticket_id__in=ids, action=AccessLog.Action.DOWNLOAD).update(detail="")
    # Searches for the requester's address keep its keyed hash, like the blind index erased below:
    # blanked, so that no entry points at the person; "email search", who and when stay.
    access_forget_searches(digests=[ticket.requester_email_digest for ticket in tickets])
    blank = dict.fromkeys(TICKET_FIELDS, "")
    for ticket in tickets:
        for name, value in blank.items():
            setattr(ticket, name, value)
        ticket.personal_data_erased_at = erased_at
        record(ticket, actor=actor, reason=reasons[ticket.pk], fields=[*blank, "personal_data_erased_at"])
    Ticket.history.model.objects.filter(id__in=ids).update(**blank)
    # The bytes last, once every row is written: if the transaction still fails, the rows stay
    # due and the next run erases them again, and a file of a ticket due for erasure is no loss.
    for stored_name in stored_names:
        uploads.discard(stored_name)


def _delete_attachments(ids: list[int], reasons: dict[int, str]) -> list[str]:
    """Delete the file rows one by one, so that each deletion's history entry names retention.
    Each entry is sealed into its ticket's chain of files (tickets/audit.py); the heads come with
    the files' query and advance with each entry, not one query per file."""
    names = []
    heads: dict[int, str] = {}
    files = Attachment.objects.filter(ticket_id__in=ids).annotate(chain_head=audit.head_of(Attachment))
    for attachment in files.order_by("id"):
        names.append(attachment.stored_name)
        heads.setdefault(attachment.ticket_id, attachment.chain_head or audit.GENESIS)
        attachment._audit_heads = heads  # type: ignore[attr-defined]  # read by audit.seal
        stamp(attachment, actor=None, reason=reasons[attachment.ticket_id])
        attachment.delete()
    return names


def _erase_emails(ids: list[int]) -> None:
    """The emails stay as facts (event, when, delivery state) without recipient or content; one
    never delivered by now is given up, so that no worker sends an empty email to nobody."""
    emails = Outbox.objects.filter(ticket_id__in=ids)
    emails.update(recipient="", subject="", body_text="", body_html="", last_error="")
    emails.filter(state__in=[Outbox.State.PENDING, Outbox.State.SENDING]).update(
        state=Outbox.State.FAILED, lease_until=None, last_error="not sent: erased under the retention rule")
