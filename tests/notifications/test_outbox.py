"""The outbox: rendered in the recipient's language, claimed once, retried on transient failures,
failed for good on permanent ones, and swept when the fast path missed it."""

from __future__ import annotations

import datetime
import smtplib
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from notifications import services
from notifications.models import Outbox
from notifications.rendering import render_message
from tickets.crypto import email_digest
from tickets.services.escalation import RULES as ESCALATION_RULES

pytestmark = pytest.mark.django_db

CONTEXT: dict[str, Any] = {
    "reference": "PD-2026-000042",
    "name": 'Eve <script>alert(1)</script>',
    "kind": "See my data",
    "kind_value": "access",
    "due_date": datetime.date(2026, 4, 2),
    "status_url": "https://desk.example.org/status/open/abc/",
    "organisation_name": "Example Oy",
}


@pytest.mark.parametrize(
    ("language", "greeting", "due"),
    [("en", "Hello", "April 2, 2026"), ("fi", "Hei", "2. huhtikuuta 2026"),
     ("sv", "Hej", "2 april 2026")],
)
def test_the_acknowledgement_renders_in_each_language(language: str, greeting: str, due: str) -> None:
    rendered = render_message(event="acknowledgement", language=language, context=CONTEXT)

    assert "PD-2026-000042" in rendered.subject
    assert "\n" not in rendered.subject
    assert rendered.body_text.startswith(greeting)
    assert due in rendered.body_text
    assert CONTEXT["status_url"] in rendered.body_text
    assert f'<html lang="{language}">' in rendered.body_html
    assert CONTEXT["status_url"] in rendered.body_html
    assert "<script>" not in rendered.body_html  # the requester's name is escaped in HTML
    assert "Eve <script>" in rendered.body_text  # and verbatim in plain text


def test_an_unknown_event_has_no_templates() -> None:
    with pytest.raises(ValueError, match="no templates"):
        render_message(event="nonsense", language="en", context=CONTEXT)


def enqueue(key: str = "ticket:1:acknowledgement:requester") -> Outbox:
    return services.outbox_enqueue(
        dedupe_key=key, event="acknowledgement", recipient="eve@example.org",
        language="en", context=CONTEXT,
    )


def test_a_repeated_event_writes_one_row() -> None:
    first = enqueue()
    second = enqueue()

    assert first.pk == second.pk
    assert Outbox.objects.count() == 1


def test_enqueue_publishes_only_after_commit(django_capture_on_commit_callbacks: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    published: list[int] = []
    monkeypatch.setattr(services, "_publish", published.append)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = enqueue()
        enqueue()
    assert published == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert published == [row.pk]


def test_delivery_sends_once_with_a_message_id_from_the_row() -> None:
    row = enqueue()

    assert services.outbox_deliver(outbox_id=row.pk) == "sent"
    assert services.outbox_deliver(outbox_id=row.pk) == "skipped"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["eve@example.org"]
    assert message.extra_headers["Message-ID"] == services.message_id(row)
    assert message.extra_headers["Message-ID"].startswith(f"<outbox.{row.pk}.")
    assert isinstance(message, EmailMultiAlternatives)
    assert message.alternatives[0][1] == "text/html"
    row.refresh_from_db()
    assert (row.state, row.attempts, row.lease_until) == ("sent", 1, None)
    assert row.sent_at is not None


def test_a_row_held_by_another_worker_is_not_sent_again() -> None:
    row = enqueue()
    Outbox.objects.filter(pk=row.pk).update(
        state="sending", lease_until=timezone.now() + datetime.timedelta(minutes=1))

    assert services.outbox_deliver(outbox_id=row.pk) == "skipped"
    assert mail.outbox == []


def test_a_row_whose_worker_died_is_sent_after_its_lease() -> None:
    row = enqueue()
    Outbox.objects.filter(pk=row.pk).update(
        state="sending", attempts=1, lease_until=timezone.now() - datetime.timedelta(seconds=1))

    assert services.outbox_deliver(outbox_id=row.pk) == "sent"
    assert len(mail.outbox) == 1


class FailingBackend(BaseEmailBackend):
    error: Exception = smtplib.SMTPServerDisconnected("down")

    def send_messages(self, email_messages: Any) -> int:
        raise self.error


def test_a_transient_failure_postpones_with_backoff(settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.FailingBackend"
    FailingBackend.error = smtplib.SMTPServerDisconnected("down")
    row = enqueue()

    with pytest.raises(services.TransientDeliveryError) as raised:
        services.outbox_deliver(outbox_id=row.pk)

    assert raised.value.retry_in == 30
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.next_attempt_at is not None and row.next_attempt_at > timezone.now()
    assert "down" in row.last_error
    # Not due yet: a second delivery attempt now does nothing.
    assert services.outbox_deliver(outbox_id=row.pk) == "skipped"


def test_transient_failures_end_in_failed_after_the_last_attempt(settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.FailingBackend"
    FailingBackend.error = ConnectionRefusedError("refused")
    row = enqueue()
    Outbox.objects.filter(pk=row.pk).update(attempts=services.MAX_ATTEMPTS - 1)

    assert services.outbox_deliver(outbox_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.state == "failed"
    assert "gave up after" in row.last_error


def test_a_refused_recipient_fails_at_once(settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.FailingBackend"
    FailingBackend.error = smtplib.SMTPRecipientsRefused({"eve@example.org": (550, b"no such user")})
    row = enqueue()

    assert services.outbox_deliver(outbox_id=row.pk) == "failed"
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 1)


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (6, 600), (8, 600)])
def test_backoff_doubles_and_is_capped(attempts: int, seconds: int) -> None:
    assert services.backoff_seconds(attempts) == seconds


def test_the_sweep_publishes_due_and_stuck_rows_only(monkeypatch: pytest.MonkeyPatch) -> None:
    published: list[int] = []
    monkeypatch.setattr(services, "_publish", published.append)
    now = timezone.now()
    due = enqueue("a")
    stuck = enqueue("b")
    Outbox.objects.filter(pk=stuck.pk).update(
        state="sending", lease_until=now - datetime.timedelta(seconds=5))
    later = enqueue("c")
    Outbox.objects.filter(pk=later.pk).update(next_attempt_at=now + datetime.timedelta(minutes=5))
    held = enqueue("d")
    Outbox.objects.filter(pk=held.pk).update(
        state="sending", lease_until=now + datetime.timedelta(minutes=1))
    sent = enqueue("e")
    Outbox.objects.filter(pk=sent.pk).update(state="sent")
    failed = enqueue("f")
    Outbox.objects.filter(pk=failed.pk).update(state="failed")

    assert services.outbox_sweep() == 2
    assert published == [due.pk, stuck.pk]


def test_the_delivery_task_calls_the_service() -> None:
    from notifications.tasks import deliver_outbox

    row = enqueue()

    assert deliver_outbox.run(row.pk) == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_dead_broker_at_submit_loses_nothing(monkeypatch: pytest.MonkeyPatch, client: Any) -> None:
    """The publish after commit fails as it does with the broker down: the request still succeeds,
    the acknowledgement waits in the outbox, and the sweep publishes it once the broker is back."""
    from tests.conftest import valid_request
    from tickets.models import Ticket

    def broker_down(outbox_id: int) -> None:
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    monkeypatch.setattr(services, "_publish", broker_down)
    response = client.post("/", valid_request(email="broker-down@example.org"))

    assert response.status_code == 302
    ticket = Ticket.objects.get(requester_email_digest=email_digest("broker-down@example.org"))
    row = Outbox.objects.get(ticket=ticket)
    assert (row.state, row.attempts) == ("pending", 0)

    published: list[int] = []
    monkeypatch.setattr(services, "_publish", published.append)
    assert services.outbox_sweep() == 1
    assert published == [row.pk]
    assert services.outbox_deliver(outbox_id=row.pk) == "sent"


def test_the_outbox_command_shows_and_retries_failed_messages(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from django.core.management import call_command

    published: list[int] = []
    monkeypatch.setattr(services, "_publish", published.append)
    row = enqueue()
    Outbox.objects.filter(pk=row.pk).update(state="failed", attempts=8, last_error="gave up: 421")

    call_command("outbox")
    shown = capsys.readouterr().out
    assert "failed: 1" in shown
    assert f"#{row.pk} failed acknowledgement to eve@example.org attempts=8 gave up: 421" in shown

    call_command("outbox", "--retry")
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("pending", 0)
    assert "retrying 1 failed message(s)" in capsys.readouterr().out


EVENT_CONTEXT: dict[str, dict[str, Any]] = {
    "acknowledgement": {},
    "reply": {"body": "Here is the answer."},
    "information_requested": {"body": "Which account?", "identity": True},
    "extended": {"reason": "Many systems.", "previous_due_date": datetime.date(2026, 3, 2)},
    "resolved": {"body": "Done.", "outcome": "Done as you asked", "refusal_reason": "",
                 "authority_url": "https://tietosuoja.fi/en"},
    "digest": {"tickets": [{"reference": "PD-2026-000042", "due_date": datetime.date(2026, 4, 2)}],
               "overdue": 1, "today": datetime.date(2026, 3, 30),
               "queue_url": "https://desk.example.org/staff/tickets/?due_within=7"},
    "escalation": {"rule": ESCALATION_RULES[0].description, "level": 1, "queue": "Requests",
                   "due_text": "2 April 2026",
                   "ticket_url": "https://desk.example.org/staff/tickets/PD-2026-000042/"},
    "status_links": {"is_open": True},
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("event", sorted(EVENT_CONTEXT))
def test_every_email_renders_in_every_language_as_text_and_html(event: str, language: str) -> None:
    from notifications.rendering import EVENTS

    assert set(EVENTS) == set(EVENT_CONTEXT)  # a new event must be added here too
    rendered = render_message(event=event, language=language, context={**CONTEXT, **EVENT_CONTEXT[event]})

    assert "PD-2026-000042" in rendered.subject
    assert rendered.body_text.strip()
    assert "{%" not in rendered.body_text and "{{" not in rendered.body_text
    assert f'<html lang="{language}">' in rendered.body_html
    assert "<img" not in rendered.body_html  # real text, no text in images
    if event not in ("escalation", "digest"):
        assert CONTEXT["status_url"] in rendered.body_text
    if language != "en":
        # The words around the data are translated: nothing of the English template is left.
        english = render_message(event=event, language="en", context={**CONTEXT, **EVENT_CONTEXT[event]})
        assert rendered.subject != english.subject
        assert rendered.body_text != english.body_text


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_each_email_says_its_language_in_the_header_and_in_the_html(language: str) -> None:
    """Issue 9: a mail client, and a screen reader in it, read the message in its language."""
    row = services.outbox_enqueue(dedupe_key=f"ticket:1:acknowledgement:{language}", event="acknowledgement",
                                  recipient="eve@example.org", language=language, context=CONTEXT)

    assert services.outbox_deliver(outbox_id=row.pk) == "sent"

    message = mail.outbox[0]
    assert message.extra_headers["Content-Language"] == language
    assert message.message()["Content-Language"] == language
    assert isinstance(message, EmailMultiAlternatives)
    assert f'lang="{language}"' in str(message.alternatives[0][0])
    assert message.body.strip()  # a plain-text part with real text
