"""notifications/ knows nothing of tickets (.importlinter): what it needs of them is handed to it.
The status links that delivery fills in come from tickets' issuer, registered as the desk starts;
the outbox admin shows rows about a ticket only where tickets/admin.py scopes them; the managers'
digest is a tickets service on the beat schedule; the staff navigation lives in desk/."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.utils import timezone

from desk.celery import app as celery_app
from desk.navigation import Navigation, staff_navigation
from notifications import services
from notifications.admin import OutboxAdmin
from notifications.models import Notification, Outbox
from tests.support.people import make_ticket, staff
from tickets.admin import TicketScopedOutboxAdmin
from tickets.services.common import status_link_renew


def test_tickets_hands_delivery_its_status_link_issuer() -> None:
    assert services._status_link_issuer is status_link_renew


def test_without_an_issuer_delivery_refuses_to_fill_in_a_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_status_link_issuer", None)
    row = Outbox(pk=1, ticket_id=1, status_link=True, body_text=f"Open {services.STATUS_URL}",
                 body_html="", state=Outbox.State.SENDING)

    with pytest.raises(ImproperlyConfigured, match="status link issuer"):
        services._with_status_link(row, lease=timezone.now())


def test_the_outbox_admin_is_the_one_tickets_scopes() -> None:
    registered = admin.site.get_model_admin(Outbox)

    assert type(registered) is TicketScopedOutboxAdmin
    assert isinstance(registered, OutboxAdmin)


@pytest.mark.django_db
def test_the_outbox_admin_unscoped_shows_no_row_about_a_ticket() -> None:
    """notifications' own admin fails closed: without tickets to say who may see a ticket, only
    the rows about no ticket (the managers' digests) are listed; scoped, a member of the ticket's
    queue sees its rows too, and someone outside the queue does not."""
    ticket = make_ticket()
    member = staff("member", member_of=(ticket.queue.slug,))
    outsider = staff("outsider")
    about_ticket = services.outbox_enqueue(
        dedupe_key="wiring:ticket", event="digest", recipient="m@example.org", language="en",
        context={"reference": "x", "tickets": [], "today": timezone.localdate(), "overdue": 0,
                 "queue_url": "/"}, ticket=ticket)
    about_none = services.outbox_enqueue(
        dedupe_key="wiring:none", event="digest", recipient="m@example.org", language="en",
        context={"reference": "x", "tickets": [], "today": timezone.localdate(), "overdue": 0,
                 "queue_url": "/"})

    def listed(model_admin: Any, user: Any) -> set[int]:
        request = RequestFactory().get("/admin/notifications/outbox/")
        request.user = user
        return set(model_admin.get_queryset(request).values_list("pk", flat=True))

    assert listed(OutboxAdmin(Outbox, admin.site), member) == {about_none.pk}
    scoped = TicketScopedOutboxAdmin(Outbox, admin.site)
    assert listed(scoped, member) == {about_none.pk, about_ticket.pk}
    assert listed(scoped, outsider) == {about_none.pk}


def test_every_beat_entry_names_a_registered_task() -> None:
    celery_app.loader.import_default_modules()

    assert settings.CELERY_BEAT_SCHEDULE["manager-digest"]["task"] == "tickets.tasks.send_manager_digests"
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in celery_app.tasks, name


@pytest.mark.django_db
def test_the_manager_digest_task_writes_the_digests() -> None:
    from tickets.tasks import send_manager_digests

    ticket = make_ticket(received_at=timezone.now() - datetime.timedelta(days=40))  # due this week
    staff("boss", manager_of=(ticket.queue.slug,))

    assert send_manager_digests() == 1
    assert Outbox.objects.filter(event="digest", dedupe_key__startswith="digest:").count() == 1


@pytest.mark.django_db
def test_the_staff_navigation_counts_unread_and_knows_managers() -> None:
    ticket = make_ticket()
    manager = staff("boss", manager_of=(ticket.queue.slug,))
    member = staff("member", member_of=(ticket.queue.slug,))
    Notification.objects.create(user=member, ticket=ticket, event="escalation", dedupe_key="n1")
    Notification.objects.create(user=member, ticket=ticket, event="escalation", dedupe_key="n2",
                                read_at=timezone.now())

    assert staff_navigation(member) == Navigation(unread=1, manager=False)
    assert staff_navigation(manager).manager
    assert staff_navigation(manager).unread == 0
