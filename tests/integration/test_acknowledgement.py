"""A request filed on PostgreSQL is acknowledged by a real Celery worker (Redis broker) through a
real SMTP server, in the requester's language, with a status link that works."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from desk.crypto import email_digest
from notifications.models import Outbox
from tests.conftest import valid_request
from tests.support.services import SmtpSink, body_text
from tests.support.status_links import open_status_link
from tickets.models import Ticket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize(
    ("language", "greeting", "email_address"),
    [("fi", "Hei", "aino@example.fi"), ("en", "Hello", "ann@example.org"),
     ("sv", "Hej", "sven@example.se")],
)
def test_the_worker_delivers_the_acknowledgement(
    celery_worker: Any, smtp_sink: SmtpSink, language: str, greeting: str, email_address: str,
) -> None:
    client = Client()
    response = client.post("/", valid_request(email=email_address), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302
    ticket = Ticket.objects.get(requester_email_digest=email_digest(email_address))

    message = smtp_sink.wait_for(lambda m: email_address in str(m["To"]))

    assert ticket.reference in str(message["Subject"])
    text = body_text(message)
    assert text.startswith(greeting)
    assert message.get_body(preferencelist=("html",)) is not None
    row = Outbox.objects.get(ticket=ticket)
    assert str(message["Message-ID"]).startswith(f"<outbox.{row.pk}.")
    link = re.search(r"https?://\S+/status/link/#([A-Za-z0-9_-]+)", text)
    assert link is not None, text
    opened = Client()
    assert open_status_link(opened, link.group(1)).status_code == 303
    assert ticket.reference in opened.get("/status/").content.decode()
    row.refresh_from_db()
    assert row.state == "sent"
    assert row.attempts == 1
    assert len(smtp_sink.to(email_address)) == 1
