"""Status links: exchanged for a session by one browser only, and sent again ("Lost your link?",
research/reliability-security.md §3.6).

A browser is known by a random value in its own cookie (the view's business); the desk keeps only
a keyed hash of it (`browser_digest`), under DESK_EMAIL_INDEX_KEY, a key that never leaves the
server: a stolen database cannot turn a stored hash back into a cookie that opens anything."""

from __future__ import annotations

import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from desk import crypto
from notifications.services import STATUS_URL, outbox_enqueue
from tickets import reasons, selectors
from tickets.errors import Refusal
from tickets.lifecycle import OPEN_STATUSES, Status
from tickets.models import StatusLink, Ticket
from tickets.services.common import record, token_digest

RESEND_REASON = reasons.LINKS_RESENT()


def status_links_resend(*, email: str, language: str) -> int:
    """Email a fresh status link for each ticket of `email` whose links still work, one email per
    ticket, with a history entry on each; returns how many were sent (the caller must not tell).

    One transaction: every ticket gets its link, its email and its history entry, or none does.
    The emails go to the address on the ticket, never to anyone else, so whoever typed the
    address learns nothing they could not read in that mailbox. Earlier links keep working (each
    email carries its own, as for every email of the desk): asking again adds a way in, and a
    stranger who types someone's address cannot break the links that person already has."""
    with transaction.atomic():
        # Locked in id order, so two resends for one address wait for each other, not deadlock.
        tickets = list(selectors.tickets_with_live_links_for(email).select_for_update().order_by("id"))
        # One key per resend: asking again an hour later is a new email, not a duplicate.
        attempt = secrets.token_hex(8)
        for ticket in tickets:
            outbox_enqueue(
                dedupe_key=f"ticket:{ticket.pk}:status_links:{attempt}:requester", event="status_links",
                ticket=ticket, recipient=ticket.requester_email, language=language,
                context={
                    "reference": ticket.reference, "name": ticket.requester_name,
                    "due_date": ticket.due_date, "is_open": Status(ticket.status) in OPEN_STATUSES,
                    "status_url": STATUS_URL,  # a fresh link at each delivery attempt (issue 15)
                    "organisation_name": settings.DESK_ORGANISATION_NAME,
                },
            )
            record(ticket, actor=None, reason=RESEND_REASON)
    return len(tickets)


class StatusLinkUnknown(Refusal):
    """No live link has this secret (wrong, changed, expired, or its request erased)."""

    code = "status_link_unknown"


class StatusLinkElsewhere(Refusal):
    """The link is live but another browser exchanged it first, and keeps it."""

    code = "status_link_in_another_browser"


def browser_digest(binding: str) -> str:
    """The keyed hash of a browser's binding cookie: all the desk remembers of the browser."""
    return crypto.index_digest("desk.browser", binding)


def status_link_exchange(*, secret: str, browser: str) -> Ticket:
    """The ticket an emailed link opens, for the browser whose `browser_digest` is `browser`.

    The first exchange records when and which browser; after it the link opens the ticket only
    for that browser, as often as it likes (the requester clicks the same email again next
    week), and StatusLinkElsewhere for every other one: a link read from a log, a proxy, a
    forwarded email or a shared computer is useless once its owner has used it. Nothing is
    written on a refusal."""
    digest = token_digest(secret)
    with transaction.atomic():
        # Locked: two browsers exchanging one link at once are taken one after the other, and the
        # second finds it bound, never both binding it.
        link = StatusLink.objects.select_for_update().filter(digest=digest).first()
        ticket = None
        if link is not None:
            ticket = Ticket.objects.filter(selectors.status_links_alive(), pk=link.ticket_id).first()
        if link is None or ticket is None:
            raise StatusLinkUnknown(_("This link does not work."))
        if link.exchanged_at is None:
            link.exchanged_at = timezone.now()
            link.browser_digest = browser
            link.save(update_fields=["exchanged_at", "browser_digest"])
        elif not hmac.compare_digest(link.browser_digest, browser):
            raise StatusLinkElsewhere(_("This link was opened in another browser."))
    return ticket


def status_link_for_submitter(*, ticket: Ticket, browser: str) -> StatusLink:
    """The submitting browser's own way in, exchanged at once (call inside the transaction that
    creates the ticket, so a repeat of its submission key finds it the moment the ticket exists).
    Its secret is thrown away: the browser has its session already, and the row only remembers
    which browser made the request (tickets.services.intake.Submitter)."""
    return StatusLink.objects.create(
        ticket=ticket, digest=token_digest(secrets.token_urlsafe(32)), exchanged_at=timezone.now(),
        browser_digest=browser)
