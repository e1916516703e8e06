"""The outbox: rendered in the recipient's language, claimed once, retried on transient failures,
failed for good on permanent ones, and swept when the fast path missed it."""

from __future__ import annotations

import datetime
import hashlib
import re
import smtplib
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from desk.crypto import email_digest
from notifications import services
from notifications.models import Outbox
from notifications.rendering import render_message
from tickets.escalation_rules import RULES as ESCALATION_RULES
from tickets.models import StatusLink

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
    [("en", "Hello", "2 April 2026"), ("fi", "Hei", "2. huhtikuuta 2026"),
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


def test_temporary_failures_go_on_past_eight_attempts_until_the_retry_period_ends(settings: Any) -> None:
    """Issue 15, item 16: an outage of hours is waited out (8 attempts were about 35 minutes);
    only a failure the retry period after the first one fails the message."""
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.FailingBackend"
    FailingBackend.error = ConnectionRefusedError("refused")
    row = enqueue()
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Outbox.objects.filter(pk=row.pk).update(attempts=8, first_failure_at=an_hour_ago)

    with pytest.raises(services.TransientDeliveryError):
        services.outbox_deliver(outbox_id=row.pk)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.first_failure_at) == ("pending", 9, an_hour_ago)

    past_the_period = timezone.now() - datetime.timedelta(seconds=settings.DESK_OUTBOX_RETRY_SECONDS + 1)
    Outbox.objects.filter(pk=row.pk).update(next_attempt_at=None, first_failure_at=past_the_period)
    assert services.outbox_deliver(outbox_id=row.pk) == "failed"
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 10)
    assert "gave up after 10 attempts" in row.last_error
    assert mail.outbox == []


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
    long_ago = now - datetime.timedelta(hours=1)  # every row's last publish is past the lease
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
    Outbox.objects.update(published_at=long_ago)

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
    "acknowledgement": {"regime": "uk_gdpr"},
    "reply": {"body": "Here is the answer."},
    "information_requested": {"body": "Which account?", "identity": True},
    "extended": {"reason": "Many systems.", "previous_due_date": datetime.date(2026, 3, 2)},
    "resolved": {"body": "Done.", "outcome": "Done as you asked", "refusal_reason": "", "regime": "gdpr"},
    "digest": {"tickets": [{"reference": "PD-2026-000042", "due_date": datetime.date(2026, 4, 2)}],
               "overdue": 1, "today": datetime.date(2026, 3, 30),
               "queue_url": "https://desk.example.org/staff/tickets/?due_within=7"},
    "escalation": {"rule": ESCALATION_RULES[0].description, "level": 1, "queue": "Requests",
                   "due_text": "2 April 2026",
                   "ticket_url": "https://desk.example.org/staff/tickets/PD-2026-000042/"},
    "status_links": {"is_open": True},
    # Issue 16, item 7 and 12: what the requester did, told to staff; the withdrawal confirmed.
    "requester_message": {"news": "reopened", "follows": "",
                          "ticket_url": "https://desk.example.org/staff/tickets/PD-2026-000042/"},
    "requester_withdrew": {"ticket_url": "https://desk.example.org/staff/tickets/PD-2026-000042/"},
    "withdrawn": {"withdrawn_at": datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC),
                  "kind": "See my data", "form_url": "https://desk.example.org/"},
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
    if event not in ("escalation", "digest", "requester_message", "requester_withdrew"):
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


# --- Issue 15: no working link stored (2), 4xx/5xx (15), the retry period (16), leased publishes (17)

TOKEN = re.compile(r"[A-Za-z0-9_-]{40,}")


def working_secrets(texts: list[str]) -> list[str]:
    """Every run of link-secret characters in the texts whose SHA-256 opens a ticket today,
    whatever the link's format around it."""
    live = set(StatusLink.objects.values_list("digest", flat=True))
    return [token for text in texts for token in TOKEN.findall(text)
            if hashlib.sha256(token.encode()).hexdigest() in live]


def outbox_dump() -> list[str]:
    """Every column of every outbox row, as stored (ciphertext) and as the desk reads it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Outbox._meta.db_table}")  # noqa: S608 -- the model's table
        stored = [str(value) for row in cursor.fetchall() for value in row]
    readable = [str(value) for row in Outbox.objects.values() for value in row.values()]
    return stored + readable


def filed(client: Any, address: str = "link@example.org") -> Any:
    from tests.conftest import valid_request
    from tickets.models import Ticket

    assert client.post("/", valid_request(email=address)).status_code == 302
    return Ticket.objects.get(requester_email_digest=email_digest(address))


def link_in(message: Any) -> str:
    found = re.search(r"https?://[^\s\"<>]+/status/[^\s\"<>]+", message.body)
    assert found is not None, message.body
    return found.group(0)


def opens(link: str, ticket: Any) -> bool:
    """Whether the link's secret opens the ticket now: the lookup every way of exchanging a link
    makes (tickets.selectors.ticket_by_status_link_digest), whatever the link's shape."""
    from tickets.selectors import ticket_by_status_link_digest

    secrets = TOKEN.findall(link)
    assert len(secrets) == 1, link
    return ticket_by_status_link_digest(hashlib.sha256(secrets[0].encode()).hexdigest()) == ticket


def test_no_outbox_row_holds_a_working_status_link_and_the_sent_email_does(client: Any) -> None:
    from tests.support.people import staff
    from tickets import services as tickets_services
    from tickets.services.status_links import status_links_resend

    ticket = filed(client)
    agent = staff("agent", member_of=(ticket.queue.slug,))
    tickets_services.ticket_reply(ticket_id=ticket.pk, actor=agent, body="Here is what we hold.")
    status_links_resend(email="link@example.org", language="fi")
    rows = list(Outbox.objects.filter(ticket=ticket).order_by("id"))
    assert [row.event for row in rows] == ["acknowledgement", "reply", "status_links"]
    links_before = StatusLink.objects.filter(ticket=ticket).count()  # none is an email's
    assert all(row.status_link for row in rows)
    assert working_secrets(outbox_dump()) == []  # nothing stored opens the request

    for row in rows:
        assert services.outbox_deliver(outbox_id=row.pk) == "sent"

    assert working_secrets(outbox_dump()) == []  # nor once they are sent
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        link = link_in(message)
        assert services.STATUS_URL not in message.body
        assert isinstance(message, EmailMultiAlternatives)
        html = str(message.alternatives[0][0])
        assert f'href="{link}"' in html and services.STATUS_URL not in html
        assert opens(link, ticket)
    assert StatusLink.objects.filter(ticket=ticket).count() == links_before + 3


def test_a_second_delivery_of_one_email_carries_a_new_link_and_the_old_one_stops_working(client: Any) -> None:
    """A worker that dies after the server's 250 and before `sent` is committed: the email goes
    again, with the same Message-ID and a new link; the first copy's link no longer opens."""
    ticket = filed(client)
    row = Outbox.objects.get(ticket=ticket)
    links_before = set(StatusLink.objects.filter(ticket=ticket).values_list("digest", flat=True))
    assert services.outbox_deliver(outbox_id=row.pk) == "sent"
    Outbox.objects.filter(pk=row.pk).update(
        state="sending", lease_until=timezone.now() - datetime.timedelta(seconds=1))

    assert services.outbox_deliver(outbox_id=row.pk) == "sent"

    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"] == services.message_id(row)
    assert link_in(first) != link_in(second)
    assert not opens(link_in(first), ticket)
    assert opens(link_in(second), ticket)
    digests = set(StatusLink.objects.filter(ticket=ticket).values_list("digest", flat=True))
    assert digests - links_before == {Outbox.objects.get(pk=row.pk).status_link_digest}
    assert working_secrets(outbox_dump()) == []


def test_a_failed_attempt_leaves_no_extra_link_behind(client: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.FailingBackend"
    FailingBackend.error = smtplib.SMTPServerDisconnected("down")
    ticket = filed(client)
    row = Outbox.objects.get(ticket=ticket)
    links_before = set(StatusLink.objects.filter(ticket=ticket).values_list("digest", flat=True))
    with pytest.raises(services.TransientDeliveryError):
        services.outbox_deliver(outbox_id=row.pk)
    first_digest = Outbox.objects.get(pk=row.pk).status_link_digest
    assert set(StatusLink.objects.filter(ticket=ticket).values_list("digest", flat=True)) == {
        *links_before, first_digest}

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Outbox.objects.filter(pk=row.pk).update(next_attempt_at=None)
    assert services.outbox_deliver(outbox_id=row.pk) == "sent"

    digests = set(StatusLink.objects.filter(ticket=ticket).values_list("digest", flat=True)) - links_before
    assert digests == {Outbox.objects.get(pk=row.pk).status_link_digest} and digests != {first_digest}
    assert opens(link_in(mail.outbox[0]), ticket)


def test_a_status_link_needs_its_ticket() -> None:
    with pytest.raises(ValueError, match="needs the ticket"):
        services.outbox_enqueue(dedupe_key="k", event="acknowledgement", recipient="eve@example.org",
                                language="en", context={**CONTEXT, "status_url": services.STATUS_URL})
    assert Outbox.objects.count() == 0


@pytest.mark.parametrize(("error", "state"), [
    (smtplib.SMTPRecipientsRefused({"eve@example.org": (451, b"4.7.1 greylisted, try later")}), "pending"),
    (smtplib.SMTPRecipientsRefused({"eve@example.org": (452, b"4.2.2 mailbox full")}), "pending"),
    (smtplib.SMTPRecipientsRefused({"eve@example.org": (550, b"5.1.1 no such user")}), "failed"),
    (smtplib.SMTPSenderRefused(451, b"4.3.0 try later", "privacy@example.org"), "pending"),
    (smtplib.SMTPSenderRefused(553, b"5.7.1 not allowed", "privacy@example.org"), "failed"),
    (smtplib.SMTPDataError(421, b"4.4.2 timeout"), "pending"),
    (smtplib.SMTPDataError(554, b"5.7.1 rejected as spam"), "failed"),
    (smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), "pending"),
    (smtplib.SMTPConnectError(554, b"no service"), "pending"),
    (ValueError("Invalid address"), "failed"),
])
def test_4xx_is_temporary_and_5xx_permanent(settings: Any, error: Exception, state: str) -> None:
    """Issue 15, item 15 (RFC 5321 §4.2.1): a 451 at RCPT (greylisting) was a permanent failure."""
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.FailingBackend"
    FailingBackend.error = error
    row = enqueue()

    if state == "pending":
        with pytest.raises(services.TransientDeliveryError):
            services.outbox_deliver(outbox_id=row.pk)
    else:
        assert services.outbox_deliver(outbox_id=row.pk) == "failed"

    row.refresh_from_db()
    assert (row.state, row.attempts) == (state, 1)
    assert (row.first_failure_at is not None) == (state == "pending")
    assert (row.next_attempt_at is not None) == (state == "pending")


class Died(BaseException):
    """What SIGKILL does to the code after it: nothing more of the attempt runs."""


def test_a_claim_whose_worker_died_is_not_an_attempt(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    row = enqueue()

    def die(*args: Any, **kwargs: Any) -> None:
        raise Died

    with monkeypatch.context() as patched:
        patched.setattr(services, "_send", die)
        with pytest.raises(Died):
            services.outbox_deliver(outbox_id=row.pk)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.interrupted) == ("sending", 0, 0)
    assert services.outbox_deliver(outbox_id=row.pk) == "skipped"  # held until the lease runs out

    after_the_lease = timezone.now() + datetime.timedelta(seconds=settings.DESK_OUTBOX_LEASE_SECONDS + 1)
    with time_machine.travel(after_the_lease):
        assert services.outbox_deliver(outbox_id=row.pk) == "sent"

    row.refresh_from_db()
    assert (row.state, row.attempts, row.interrupted) == ("sent", 1, 1)
    assert len(mail.outbox) == 1


def test_a_message_that_kills_its_worker_every_time_fails_after_ten_claims() -> None:
    row = enqueue()
    Outbox.objects.filter(pk=row.pk).update(
        state="sending", interrupted=services.MAX_INTERRUPTED - 1,
        lease_until=timezone.now() - datetime.timedelta(seconds=1))

    assert services.outbox_deliver(outbox_id=row.pk) == "failed"

    row.refresh_from_db()
    assert (row.state, row.attempts, row.interrupted) == ("failed", 0, services.MAX_INTERRUPTED)
    assert "its worker died" in row.last_error
    assert mail.outbox == []


def test_the_sweep_publishes_only_rows_not_published_within_the_lease(
        monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Issue 15, item 17: a task already on the broker is not published again (1,800 redundant
    tasks in one run); a row whose publish is older than the lease is (its task may be lost)."""
    published: list[int] = []
    monkeypatch.setattr(services, "_publish", published.append)
    rows = [enqueue(f"row-{number}") for number in range(3)]  # each published on commit
    lease = datetime.timedelta(seconds=settings.DESK_OUTBOX_LEASE_SECONDS)

    assert services.outbox_sweep() == 0
    assert published == []

    with time_machine.travel(timezone.now() + lease + datetime.timedelta(seconds=1)):
        assert services.outbox_sweep() == 3
        assert services.outbox_sweep() == 0  # the next tick: just published
    assert published == [row.pk for row in rows]

    with time_machine.travel(timezone.now() + 2 * lease + datetime.timedelta(seconds=2)):
        assert services.outbox_sweep() == 3  # still not delivered a lease later: again
    assert len(published) == 6


def test_a_task_that_retries_itself_is_not_published_by_the_sweep_meanwhile(
        monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    published: list[int] = []
    monkeypatch.setattr(services, "_publish", published.append)
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.FailingBackend"
    FailingBackend.error = smtplib.SMTPServerDisconnected("down")
    by_task, by_sweep = enqueue("by-task"), enqueue("by-sweep")
    with pytest.raises(services.TransientDeliveryError):
        services.outbox_deliver(outbox_id=by_task.pk, retried_by_task=True)
    with pytest.raises(services.TransientDeliveryError):
        services.outbox_deliver(outbox_id=by_sweep.pk)

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=31)):  # both are due
        assert services.outbox_sweep() == 1
    assert published == [by_sweep.pk]


def test_outbox_health_counts_what_waits_and_alerts_on_an_old_temporary_failure(settings: Any) -> None:
    from notifications.selectors import outbox_health

    now = timezone.now()
    fresh, old, stuck, failed = (enqueue(key) for key in ("fresh", "old", "stuck", "failed"))
    enqueue("waiting")
    Outbox.objects.filter(pk=fresh.pk).update(first_failure_at=now - datetime.timedelta(minutes=1))
    Outbox.objects.filter(pk=stuck.pk).update(
        state="sending", lease_until=now - datetime.timedelta(seconds=1))
    Outbox.objects.filter(pk=failed.pk).update(state="failed")

    health = outbox_health()
    assert (health.pending, health.sending, health.failed, health.retrying, health.stuck) == (3, 1, 1, 1, 1)
    assert not health.alert  # one minute of failures is not an outage yet

    since = now - datetime.timedelta(seconds=settings.DESK_OUTBOX_ALERT_SECONDS + 60)
    Outbox.objects.filter(pk=old.pk).update(first_failure_at=since)
    health = outbox_health()
    assert health.retrying == 2 and health.oldest_temporary_failure_at == since
    assert health.alert


def test_the_alert_is_in_the_admins_outbox_list_and_the_outbox_command(capsys: Any, settings: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from tests.support.people import client_for

    row = enqueue()
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "a-long-test-password")
    calm = client_for(admin).get("/admin/notifications/outbox/")
    assert calm.status_code == 200 and "Email is not getting through" not in calm.content.decode()
    call_command("outbox")
    assert "retrying after a temporary failure: 0" in capsys.readouterr().out

    since = timezone.now() - datetime.timedelta(hours=2)
    Outbox.objects.filter(pk=row.pk).update(first_failure_at=since, attempts=30, last_error="421 down")
    page = client_for(admin).get("/admin/notifications/outbox/").content.decode()
    assert "Email is not getting through: 1 messages are waiting after a temporary failure" in page
    with pytest.raises(SystemExit) as exited:
        call_command("outbox")
    assert exited.value.code == 1
    shown = capsys.readouterr()
    oldest = since.isoformat(timespec="seconds")
    assert f"retrying after a temporary failure: 1, the oldest failing since {oldest}" in shown.out
    assert f"#{row.pk} pending acknowledgement to eve@example.org attempts=30 421 down" in shown.out
    assert "ALERT: mail has been failing" in shown.err


def test_a_broker_down_on_commit_leaves_the_row_for_the_next_sweep(
        monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any) -> None:
    def broker_down(outbox_id: int) -> None:
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    monkeypatch.setattr(services, "_publish", broker_down)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = enqueue()
    with pytest.raises(ConnectionRefusedError):
        callbacks[0]()
    assert Outbox.objects.get(pk=row.pk).published_at is None

    published: list[int] = []
    monkeypatch.setattr(services, "_publish", published.append)
    assert services.outbox_sweep() == 1  # at the next tick, not a lease later
    assert published == [row.pk]


def test_a_row_whose_worker_died_after_its_last_publish_is_swept_once_its_lease_ends(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Its task was taken by the worker that died: nothing is queued for it any more."""
    published: list[int] = []
    monkeypatch.setattr(services, "_publish", published.append)
    row = enqueue()  # published now, claimed at once with a one-second lease
    Outbox.objects.filter(pk=row.pk).update(
        state="sending", lease_until=timezone.now() + datetime.timedelta(seconds=1))

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2)):  # far within 120 s
        assert services.outbox_sweep() == 1
        assert services.outbox_sweep() == 0  # published by this sweep, after the lease: queued
    assert published == [row.pk]


class CountingBackend(BaseEmailBackend):
    """Counts the connections opened and closed; refuses while `refusing`."""

    opened = 0
    closed = 0
    refusing = False

    def open(self) -> bool:
        CountingBackend.opened += 1
        return True

    def close(self) -> None:
        CountingBackend.closed += 1

    def send_messages(self, email_messages: Any) -> int:
        if CountingBackend.refusing:
            raise smtplib.SMTPServerDisconnected("gone")
        return len(list(email_messages))


def test_emails_that_follow_each_other_share_one_smtp_connection(settings: Any) -> None:
    """Connecting, EHLO and QUIT were half a delivery's time (bench/delivery.py, item 19)."""
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.CountingBackend"
    CountingBackend.opened = CountingBackend.closed = 0
    CountingBackend.refusing = False
    services._close_mail_connection()
    first, second, third = enqueue("a"), enqueue("b"), enqueue("c")

    assert services.outbox_deliver(outbox_id=first.pk) == "sent"
    assert services.outbox_deliver(outbox_id=second.pk) == "sent"
    assert (CountingBackend.opened, CountingBackend.closed) == (1, 0)

    CountingBackend.refusing = True  # a broken connection is closed, and the next email opens anew
    with pytest.raises(services.TransientDeliveryError):
        services.outbox_deliver(outbox_id=third.pk)
    assert (CountingBackend.opened, CountingBackend.closed) == (1, 1)
    CountingBackend.refusing = False
    Outbox.objects.filter(pk=third.pk).update(next_attempt_at=None)
    assert services.outbox_deliver(outbox_id=third.pk) == "sent"
    assert CountingBackend.opened == 2

    services._held.last_used -= services.SMTP_REUSE_SECONDS + 1  # idle too long: a new one
    assert services.outbox_deliver(outbox_id=enqueue("d").pk) == "sent"
    assert (CountingBackend.opened, CountingBackend.closed) == (3, 2)
    services._close_mail_connection()


def test_the_migration_takes_the_links_out_of_emails_already_in_the_outbox() -> None:
    """notifications/migrations/0005: rows written before it hold working links in their bodies.
    Each becomes the placeholder; the link of an email not yet sent is removed (nobody has it and
    its delivery makes a fresh one), the link of one sent keeps working for whoever got it."""
    import importlib

    from django.apps import apps

    from tests.support.people import make_ticket
    from tickets.services.common import token_digest

    migration = importlib.import_module("notifications.migrations.0005_delivery_retries")
    ticket = make_ticket()
    rows = {}
    for state in ("pending", "sent"):
        secret = f"{state}-secret-of-forty-three-characters-xxxxxxxx"[:43]
        StatusLink.objects.create(ticket=ticket, digest=token_digest(secret))
        row = services.outbox_enqueue(
            dedupe_key=f"old-{state}", event="acknowledgement", recipient="eve@example.org", language="en",
            ticket=ticket, context={**CONTEXT, "status_url": f"https://desk.example.org/status/open/{secret}/"})
        Outbox.objects.filter(pk=row.pk).update(state=state)
        rows[state] = (row.pk, secret)
    assert len(working_secrets(outbox_dump())) == 6  # each link in the text, twice in the HTML

    migration.redact_stored_links(apps, None)

    assert working_secrets(outbox_dump()) == []
    for state, (pk, secret) in rows.items():
        row = Outbox.objects.get(pk=pk)
        assert row.status_link and migration.STATUS_URL == services.STATUS_URL
        assert services.STATUS_URL in row.body_text and services.STATUS_URL in row.body_html
        assert StatusLink.objects.filter(digest=token_digest(secret)).exists() == (state == "sent")
