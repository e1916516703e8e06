"""The requester's one answer to "how were you treated?" once the request is answered."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import reasons
from tickets.errors import SatisfactionRefused
from tickets.lifecycle import Status
from tickets.models import Satisfaction, Ticket
from tickets.services.common import record, stamp

# The question is asked once the request is answered; a closed ticket was answered first.
ASKED_STATUSES = (Status.RESOLVED, Status.CLOSED)


def satisfaction_askable(ticket: Ticket) -> bool:
    return ticket.status in ASKED_STATUSES and ticket.resolved_at is not None


def satisfaction_record(*, ticket_id: int, score: int, comment: str) -> Satisfaction:
    """One answer per ticket: a second one is refused, and so is one before the resolution."""
    if not 1 <= score <= 5:
        raise SatisfactionRefused(_("Choose a number from 1 to 5."))
    try:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
            if not satisfaction_askable(ticket):
                raise SatisfactionRefused(_("We ask how you were treated once your request is answered."))
            if Satisfaction.objects.filter(ticket=ticket).exists():
                raise SatisfactionRefused(_("You have already answered. Thank you."))
            answer = Satisfaction(ticket=ticket, score=score, comment=comment.strip(),
                                  answered_at=timezone.now())
            stamp(answer, actor=None, reason=reasons.SATISFACTION_ANSWERED())
            answer.save()
            record(ticket, actor=None, reason=reasons.SATISFACTION_RATED(score=score))
    except IntegrityError:
        # Two answers raced past the check: the one-to-one keeps the first.
        raise SatisfactionRefused(_("You have already answered. Thank you.")) from None
    return answer
