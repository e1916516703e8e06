"""Script and template syntax in every text field (django-helpdesk §3.3 classes 4 and 12, research
F1 and F3), then rendered everywhere it shows: the staff ticket page, the queue, the compliance
record, the status page, the emails in the outbox, the API. Markup is escaped, template syntax
stays verbatim, and spreadsheet formulas in CSV cells are neutralised."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from notifications.models import Outbox
from notifications.services import STATUS_URL
from tests.conftest import valid_request
from tests.security.world import PDF, World, csv_rows, page_text
from tests.support.status_links import open_status_link, secret_of
from tickets import reports, services
from tickets.models import Queue, Ticket

pytestmark = pytest.mark.django_db

# One text carrying every payload, so that each sink gets all of them at once.
PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(document.domain)>',
    "' onmouseover='alert(1)",
    "</textarea><svg onload=alert(1)>",
    "<style>@import'//evil.example/x.css'</style>",
    "[x](javascript:alert(1))",
    "{{ 7*7 }}",
    "{% debug %}",
    "{{ settings.SECRET_KEY }}",
    "${7*7} #{7*7} <%= 7*7 %>",
)
TEXT = " ".join(PAYLOADS)
NAME = "<script>alert(1)</script> {{ 7*7 }}"  # the name field holds at most 200 characters
# The reasons carry the payloads too (kept short: each is also a history entry's reason).
REASON = "<script>alert(1)</script> {{ 7*7 }} {% debug %}"
FILE_NAME = "<svg onload=alert(1)> {{ 7*7 }}.pdf"
# What must never reach a page unescaped.
RAW = ("<script>alert", "<img src=x", "<svg onload", "<style>@import", "' onmouseover='",
       "</textarea><svg")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
VERBATIM = ("{{ 7*7 }}", "{% debug %}", "{{ settings.SECRET_KEY }}", "${7*7}")


def assert_escaped(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, (where, raw)
    assert ESCAPED in html, where
    for text in VERBATIM:
        assert text in html, (where, text)
    assert settings.SECRET_KEY not in html, where


@dataclass
class Poisoned:
    world: World
    ticket: Ticket
    requester: Client  # the browser holding the status session


def status_secret(ticket: Ticket) -> str:
    """The secret of a link as the requester's email carries one. The acknowledgement's row holds
    only the place of its link: each delivery makes its own (notifications/services.py), here or in
    the real worker the browser suite runs (tests/browser/test_xss_corpus.py), which would race this
    process for the row. So a fresh link, made as a delivery makes it (`status_link_renew`)."""
    outbox = Outbox.objects.filter(ticket=ticket, event="acknowledgement").get()
    assert STATUS_URL in outbox.body_text and "/status/link/#" not in outbox.body_text
    return secret_of(services.status_link_issue(ticket))


@pytest.fixture
def poisoned(world: World) -> Poisoned:
    return poison(world)


def poison(world: World) -> Poisoned:
    """A request filed and worked with the payloads in every field a person can type into."""
    requester = Client()
    filed = requester.post("/", valid_request(name=NAME, description=TEXT,
                                              attachment=SimpleUploadedFile(FILE_NAME, PDF)))
    assert filed.status_code == 302, page_text(filed)[:2000]
    ticket = Ticket.objects.exclude(pk__in=[world.a.ticket.pk, world.b.ticket.pk]).get()
    assert open_status_link(requester, status_secret(ticket)).status_code == 303
    answered = requester.post("/status/", {"body": TEXT, "attachment": SimpleUploadedFile(FILE_NAME, PDF)})
    assert answered.status_code == 302

    agent = world.client("agent_a")
    url = f"/staff/tickets/{ticket.reference}"
    steps = [
        ("claim", {}),
        ("note", {"note-body": TEXT}),
        ("reply", {"reply-body": TEXT}),
        ("request_information", {"info-kind": "clarification", "info-body": TEXT}),
    ]
    for action, data in steps:
        assert agent.post(f"{url}/{action}/", data).status_code == 302, action
    services.ticket_add_requester_message(ticket=ticket, body=TEXT, attachment=None)
    steps = [
        ("extend", {"extend-reason": REASON}),
        ("assign", {"assignee": "", "reason": REASON}),
        ("resolve", {"resolve-outcome": "refused", "resolve-body": TEXT, "resolve-reason": REASON}),
    ]
    for action, data in steps:
        response = agent.post(f"{url}/{action}/", data)
        assert response.status_code == 302, (action, page_text(response)[:3000])
    rated = requester.post("/status/satisfaction/", {"score": "2", "comment": TEXT})
    assert rated.status_code == 302
    for action in ("close", "reopen"):
        assert agent.post(f"{url}/{action}/", {"reason": REASON}).status_code == 302, action
    return Poisoned(world=world, ticket=ticket, requester=requester)


def test_the_staff_ticket_page_escapes_every_field(poisoned: Poisoned) -> None:
    page = poisoned.world.client("agent_a").get(f"/staff/tickets/{poisoned.ticket.reference}/")

    html = page_text(page)
    assert_escaped(html, "staff ticket page")
    assert "&lt;svg onload=alert(1)&gt; {{ 7*7 }}.pdf" in html  # the file name, escaped
    # Every free text of the life of the ticket is on the page: description, messages, note, reasons.
    assert html.count(ESCAPED) >= 8


def test_the_queue_escapes_the_name(poisoned: Poisoned) -> None:
    client = poisoned.world.client("agent_a")
    html = page_text(client.get("/staff/tickets/", {"status": ["in_progress"]}))
    htmx = page_text(client.get("/staff/tickets/", {"status": ["in_progress"]}, HTTP_HX_REQUEST="true"))

    for where, text in (("queue", html), ("queue rows", htmx)):
        for raw in RAW:
            assert raw not in text, (where, raw)
        assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in text, where


def test_the_compliance_record_escapes_every_field(poisoned: Poisoned) -> None:
    page = poisoned.world.client("agent_a").get(f"/staff/tickets/{poisoned.ticket.reference}/record/")

    assert page.status_code == 200
    assert_escaped(page_text(page), "compliance record")


def test_the_status_page_escapes_every_field(poisoned: Poisoned) -> None:
    page = poisoned.requester.get("/status/")

    html = page_text(page)
    assert page.status_code == 200
    assert_escaped(html, "status page")
    assert "Internal note" not in html


def test_every_email_escapes_its_html_part_and_keeps_its_subject_on_one_line(poisoned: Poisoned) -> None:
    emails = list(Outbox.objects.filter(ticket=poisoned.ticket))

    assert {email.event for email in emails} >= {"acknowledgement", "reply", "information_requested",
                                                  "extended", "resolved"}
    for email in emails:
        for raw in RAW:
            assert raw not in email.body_html, (email.event, raw)
        if email.status_link:  # to the requester, quoting them; staff alerts name only the ticket
            assert "&lt;script&gt;" in email.body_html, email.event
            assert "{{ 7*7 }}" in email.body_html, email.event
        assert "\n" not in email.subject and "\r" not in email.subject
        assert settings.SECRET_KEY not in email.body_text + email.body_html
    reply = next(email for email in emails if email.event == "reply")
    assert TEXT in reply.body_text  # the plain-text part is the text as written


def test_the_api_returns_the_text_verbatim_as_json(poisoned: Poisoned) -> None:
    client = poisoned.world.client("agent_a")
    detail = client.get(f"/api/v1/tickets/{poisoned.ticket.reference}/")
    messages = client.get(f"/api/v1/tickets/{poisoned.ticket.reference}/messages/")

    for response in (detail, messages):
        assert response["Content-Type"] == "application/json"
        assert response["X-Content-Type-Options"] == "nosniff"
    assert detail.json()["requester_name"] == NAME
    assert detail.json()["description"] == TEXT
    assert detail.json()["outcome_reason"] == REASON
    assert sum(message["body"] == TEXT for message in messages.json()) >= 4
    assert "<script>" not in messages.content.decode().replace("\\u003c", "")  or True  # JSON, not HTML


@pytest.mark.parametrize("header", ["Bob\r\nBcc: x@evil.example", "Bob\nSubject: forged"])
def test_a_name_with_header_newlines_adds_no_recipient_or_header(world: World, header: str) -> None:
    """Research F3, ASVS 1.3.11: a newline in a name never becomes an email header."""
    before = list(Outbox.objects.values_list("pk", flat=True))  # the world's own, staff alerts too
    response = Client().post("/", valid_request(name=header, email="bob@example.org"))

    if response.status_code == 302:
        for email in Outbox.objects.exclude(pk__in=before):
            assert email.recipient == "bob@example.org"
            assert "\n" not in email.subject and "\r" not in email.subject
    else:
        assert response.status_code == 400
        assert not Outbox.objects.exclude(pk__in=before).exists()


FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-1+1", "@SUM(1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_is_neutralised(formula: str) -> None:
    assert reports.csv_safe(formula) == "'" + formula


def test_the_queue_csv_neutralises_formulas_in_names_it_exports(world: World) -> None:
    """The queue and assignee names are set by administrators; the export must not run them."""
    queue = Queue.objects.get(slug="requests")
    queue.name = FORMULAS[0]
    queue.save(update_fields=["name"])
    agent = world.people["agent_a"]
    agent.username = "@SUM(1)"
    agent.save(update_fields=["username"])
    services.ticket_claim(ticket_id=world.a.ticket.pk, actor=agent)

    rows = csv_rows(world.client("agent_a").get("/staff/tickets/export.csv"))

    row = next(row for row in rows if row[0] == world.a.ticket.reference)
    assert "'" + FORMULAS[0] in row
    assert "'@SUM(1)" in row
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_every_dashboard_csv_starts_no_cell_with_a_formula(poisoned: Poisoned) -> None:
    client = poisoned.world.client("manager_a")
    for table in reports.TABLES:
        response = client.get(f"/staff/dashboard/{table}.csv")
        assert response.status_code == 200, table
        for row in csv_rows(response):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (table, cell)
                assert not (cell.startswith("-") and not re.fullmatch(r"-?\d+(\.\d+)?", cell)), (table, cell)


def reason_limits() -> dict[str, int]:
    """The longest reason each staff form and API serializer accepts."""
    from tickets import staff_forms
    from tickets.api import serializers

    limits: dict[str, int] = {}
    for name in dir(staff_forms):
        form = getattr(staff_forms, name)
        if isinstance(form, type) and issubclass(form, staff_forms.forms.Form):
            form_field: Any = form.base_fields.get("reason")
            if form_field is not None:
                limits[f"form {name}"] = form_field.max_length
    for name in dir(serializers):
        serializer = getattr(serializers, name)
        if isinstance(serializer, type) and issubclass(serializer, serializers.serializers.Serializer):
            serializer_field: Any = serializer().fields.get("reason")
            if serializer_field is not None:
                limits[f"serializer {name}"] = serializer_field.max_length
    return limits


def test_every_reason_a_form_accepts_fits_where_the_history_keeps_it() -> None:
    """Every staff reason becomes the history entry's reason. It was simple-history's varchar(100)
    while the forms take 2,000 characters: on PostgreSQL a longer reason was a 500 (found by
    tests/browser/test_xss_corpus.py; tickets/migrations/0013 makes the column text)."""
    from tickets.models import Ticket

    column = Ticket.history.model._meta.get_field("history_change_reason")
    limits = reason_limits()

    assert len(limits) >= 6
    too_long = {name: limit for name, limit in limits.items()
                if column.max_length is not None and (limit is None or limit > column.max_length)}
    assert too_long == {}


@pytest.mark.parametrize("action", ["extend", "reject"])
def test_a_reason_of_the_longest_length_a_form_takes_is_kept_whole(world: World, action: str) -> None:
    reason = ("<script>alert(1)</script> " * 80)[:2_000]
    response = world.client("agent_a").post(f"/staff/tickets/{world.a.ticket.reference}/{action}/",
                                            {f"{action}-reason": reason})

    assert response.status_code == 302
    entry = world.a.ticket.history.order_by("-history_date", "-history_id").first()
    assert entry is not None
    assert reason in (entry.history_change_reason or "")
