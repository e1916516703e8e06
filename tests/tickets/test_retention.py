"""Retention (test G3): a closed ticket past its period loses every trace of the requester's
personal data (its rows, the history tables, the emails, the files), keeps its statistics and its
audit skeleton, and says so on its timeline; the dry run names exactly that set and changes nothing;
a second run, or a refused erasure, writes nothing at all."""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from notifications.models import Outbox
from tests.support.people import client_for
from tests.support.status_links import open_status_link, secret_of
from tickets import services, uploads
from tickets.errors import RetentionRefused
from tickets.models import AccessLog, Attachment, Extension, StatusLink, Ticket
from tickets.reasons import reason_shown
from tickets.selectors import STATUS_SESSION_EXPIRES_KEY, STATUS_SESSION_KEY, ticket_timeline
from tickets.selectors.metrics import MetricsFilter, Period, dashboard_figures
from tickets.services.retention import RETENTION_ACTOR, retention_due, retention_reason, retention_sweep

pytestmark = pytest.mark.django_db
HISTORY = Ticket.history.model
PDF = b"%PDF-1.4\n"


@pytest.fixture(autouse=True)
def _periods(settings: Any) -> None:
    settings.DESK_RETENTION_DAYS = 730
    settings.DESK_RETENTION_DAYS_BY = {"complaint": 1095, "question": 365}


def upload(name: str, canary: str) -> Any:
    return uploads.check_upload(SimpleUploadedFile(name, PDF + canary.encode() + b"\n%%EOF\n"))


def lived(people: dict[str, Any], canary: str, *, kind: str = "access", close: bool = True) -> Ticket:
    """A request that went through everything that copies personal data somewhere: a file with the
    form, emails (outbox), a reply, a paused clock, the requester's message and file on the status
    page, an extension, an internal note, a download (access log), the answer, the satisfaction
    comment; then closed. The canary is in everything the requester wrote or staff wrote to them."""
    ticket = services.ticket_create(
        kind=kind, country="FI", region="", name=f"Name {canary}", email=f"{canary}@example.org",
        description=f"My request {canary}", language="en", attachment=upload(f"{canary}-id.pdf", canary),
        submission_key=uuid.uuid4(), received_at=timezone.now(), actor=None, reason="test",
    ).ticket
    agent = people["other_agent"] if ticket.queue.slug == "complaints" else people["agent"]
    services.ticket_claim(ticket_id=ticket.pk, actor=agent)
    services.ticket_reply(ticket_id=ticket.pk, actor=agent, body=f"Dear {canary}, we are on it.")
    services.ticket_request_information(ticket_id=ticket.pk, actor=agent, kind="identity",
                                        body=f"Please send a copy of your ID, {canary}.")
    services.ticket_add_requester_message(ticket=ticket, body=f"Here it is, {canary}.",
                                          attachment=upload(f"{canary}-passport.pdf", canary))
    services.ticket_add_note(ticket_id=ticket.pk, actor=agent, body=f"Checked the CRM for {canary}.")
    if kind not in ("complaint", "question"):  # the two with no statutory extension
        # The reason is also in the chained history entry "extended: …" (kept: see retention.py).
        services.ticket_extend(ticket_id=ticket.pk, actor=agent, reason="Many systems to search.")
    first_file = Attachment.objects.filter(ticket=ticket).first()
    assert first_file is not None
    services.access_record(user=agent, action=AccessLog.Action.DOWNLOAD, ticket=ticket,
                           detail=first_file.original_name)
    services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome="fulfilled",
                            body=f"Here is your data, {canary}.")
    services.satisfaction_record(ticket_id=ticket.pk, score=4, comment=f"Kind people, {canary}")
    if close:
        services.ticket_close(ticket_id=ticket.pk, actor=agent, reason="")
    ticket.refresh_from_db()
    return ticket


def orm_hits(canary: str) -> set[str]:
    """Every model (history models too) whose rows, read through the ORM and so decrypted,
    contain the canary."""
    hits = set()
    for model in apps.get_models():
        columns = [field.attname for field in model._meta.concrete_fields]
        for row in model._base_manager.values_list(*columns):
            if canary in repr(row):
                hits.add(model._meta.label)
                break
    return hits


def raw_hits(canary: str) -> set[str]:
    """Every table whose stored bytes, read by raw SQL, contain the canary (or its hex)."""
    hits = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            text = repr(cursor.fetchall())
            if canary in text or canary.encode().hex() in text:
                hits.add(table)
    return hits


def dump() -> dict[str, list[str]]:
    """The whole database, table by table, as raw SQL returns it."""
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            tables[table] = sorted(repr(row) for row in cursor.fetchall())
    return tables


def figures(user: Any) -> str:
    today = timezone.localdate()
    period = Period(today - datetime.timedelta(days=60), today + datetime.timedelta(days=1))
    wanted = MetricsFilter(period=period)
    return json.dumps(dataclasses.asdict(dashboard_figures(user, wanted, today=today)), sort_keys=True,
                      default=str)


def later(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


@pytest.fixture
def administrator() -> Any:
    return get_user_model().objects.create_user("dpo", "dpo@example.org", "x-long-password", is_staff=True,
                                                is_superuser=True)


def test_erasure_leaves_no_trace_in_any_table_nor_file_and_keeps_the_figures(
    people: dict[str, Any], administrator: Any, private_media: Path,
) -> None:
    erased = lived(people, "CANARY-ERASE-1f3a")
    kept = lived(people, "CANARY-KEEP-77b2", kind="complaint")  # 1,095 days: not due yet
    still_open = lived(people, "CANARY-OPEN-c0de", close=False)
    erased_files = list(Attachment.objects.filter(ticket=erased).values_list("stored_name", flat=True))
    kept_files = list(Attachment.objects.filter(ticket=kept).values_list("stored_name", flat=True))
    # The scan sees the personal data where it is, before: each place the erasure must reach.
    assert {"tickets.Ticket", "tickets.HistoricalTicket", "tickets.Message", "tickets.HistoricalMessage",
            "tickets.Attachment", "tickets.HistoricalAttachment", "tickets.ClockPause",
            "tickets.HistoricalClockPause", "tickets.Satisfaction", "tickets.HistoricalSatisfaction",
            "tickets.AccessLog", "notifications.Outbox"} <= orm_hits("CANARY-ERASE-1f3a")
    assert len(erased_files) == 2 and all((private_media / name).exists() for name in erased_files)
    from notifications.services import outbox_deliver

    for email in Outbox.objects.filter(ticket=erased):  # each gets its status link as it goes out
        outbox_deliver(outbox_id=email.pk)
    assert StatusLink.objects.filter(ticket=erased).exists()
    before = figures(administrator)

    report = retention_sweep(now=later(731))

    assert report.references == [erased.reference] and dict(report.erased) == {"access": 1}
    assert orm_hits("CANARY-ERASE-1f3a") == set()
    assert raw_hits("CANARY-ERASE-1f3a") == set()
    assert not any((private_media / name).exists() for name in erased_files)
    assert all((private_media / name).exists() for name in kept_files)
    assert not StatusLink.objects.filter(ticket=erased).exists()
    assert figures(administrator) == before
    # The others keep everything.
    assert "tickets.Ticket" in orm_hits("CANARY-KEEP-77b2")
    assert "tickets.Ticket" in orm_hits("CANARY-OPEN-c0de")
    assert still_open.pk not in {t.pk for t in retention_due(now=later(10_000))}


def test_the_skeleton_stays_and_the_erasure_is_on_the_timeline(people: dict[str, Any]) -> None:
    ticket = lived(people, "CANARY-SKELETON")
    skeleton = ("reference", "kind", "regime", "calendar", "received_at", "due_date", "deadlines", "status",
                "queue_id", "assignee_id", "outcome", "outcome_reason", "closed_at", "resolved_at",
                "first_response_days", "resolution_days", "escalation_level", "requester_country")
    kept = {name: getattr(ticket, name) for name in skeleton}
    pauses = list(ticket.pauses.values_list("kind", "started_at", "ended_at"))
    dates = ("previous_due_date", "new_due_date", "notified_at")
    extension = Extension.objects.values_list(*dates).get()
    entries = HISTORY.objects.filter(id=ticket.pk).count()

    retention_sweep(now=later(731))

    ticket.refresh_from_db()
    assert {name: getattr(ticket, name) for name in skeleton} == kept
    assert (ticket.requester_name, ticket.requester_email, ticket.requester_email_digest,
            ticket.description) == ("", "", "", "")
    assert ticket.personal_data_erased_at is not None
    assert list(ticket.pauses.values_list("kind", "started_at", "ended_at")) == pauses
    assert Extension.objects.values_list(*dates).get() == extension
    assert Extension.objects.get().reason == ""
    assert ticket.satisfaction.score == 4 and ticket.satisfaction.comment == ""
    assert ticket.messages.count() == 5 and set(ticket.messages.values_list("body", flat=True)) == {""}
    emails = list(Outbox.objects.filter(ticket=ticket).values_list("event", "recipient", "subject",
                                                                   "body_text"))
    assert emails and {event for event, *_ in emails} >= {"acknowledgement", "reply", "resolved"}
    assert {(recipient, subject, body) for _event, recipient, subject, body in emails} == {("", "", "")}
    assert AccessLog.objects.filter(ticket=ticket, action="download").get().detail == ""
    # One sealed entry more, naming the system actor, the rule and the period.
    assert HISTORY.objects.filter(id=ticket.pk).count() == entries + 1
    last = HISTORY.objects.filter(id=ticket.pk).latest("history_id")
    assert last.history_change_reason == retention_reason("access")
    assert last.history_change_reason == (
        f"{RETENTION_ACTOR}: personal data erased (access: 730 days after closure)")
    assert last.history_user_id is None
    timeline = [entry.text for entry in ticket_timeline(ticket) if entry.kind == "change"]
    assert timeline[-1] == reason_shown(retention_reason("access"))  # in the page's language
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "Every ticket history is intact." in out.getvalue()


def test_the_staff_pages_say_the_data_was_erased(people: dict[str, Any]) -> None:
    ticket = lived(people, "CANARY-PAGES")
    retention_sweep(now=later(731))
    agent = client_for(people["agent"])

    page = agent.get(f"/staff/tickets/{ticket.reference}/")
    record = agent.get(f"/staff/tickets/{ticket.reference}/record/")

    for response in (page, record):
        assert response.status_code == 200
        html = response.content.decode()
        assert "Personal data erased on" in html and "under the retention rule" in html
        assert "CANARY-PAGES" not in html
        assert reason_shown(retention_reason("access")) in html
    assert "Send reply" not in page.content.decode()  # nothing more to do with an erased ticket


def test_the_emailed_link_of_an_erased_ticket_no_longer_opens(people: dict[str, Any], settings: Any) -> None:
    settings.DESK_RETENTION_DAYS = 1  # shorter than the links' own life after closure (90 days)
    settings.DESK_RETENTION_DAYS_BY = {}
    erased, control = lived(people, "CANARY-LINK-1"), lived(people, "CANARY-LINK-2")
    erased_link, control_link = services.status_link_issue(erased), services.status_link_issue(control)
    Ticket.objects.filter(pk=control.pk).update(closed_at=timezone.now() + datetime.timedelta(days=5))

    with time_machine.travel(later(2), tick=False):
        retention_sweep()
        gone = open_status_link(Client(), secret_of(erased_link))
        alive = open_status_link(Client(), secret_of(control_link))

    assert gone.status_code == 404
    assert alive.status_code == 303


def test_each_kind_keeps_its_data_for_its_own_period(people: dict[str, Any]) -> None:
    question = lived(people, "CANARY-Q", kind="question")
    access = lived(people, "CANARY-A", kind="access")
    complaint = lived(people, "CANARY-C", kind="complaint")

    def due(days: int) -> set[str]:
        return set(retention_due(now=later(days)).values_list("reference", flat=True))

    assert due(364) == set()
    assert due(366) == {question.reference}
    assert due(731) == {question.reference, access.reference}
    assert due(1096) == {question.reference, access.reference, complaint.reference}

    report = retention_sweep(now=later(366))

    assert dict(report.erased) == {"question": 1}
    assert HISTORY.objects.filter(id=question.pk).latest("history_id").history_change_reason == (
        "system:retention: personal data erased (question: 365 days after closure)")
    assert due(731) == {access.reference}


def test_withdrawn_and_rejected_endings_are_erased_too(people: dict[str, Any]) -> None:
    agent = people["agent"]
    withdrawn = lived(people, "CANARY-WDR", close=False)
    services.ticket_reopen(ticket_id=withdrawn.pk, actor=agent, reason="")
    services.ticket_resolve(ticket_id=withdrawn.pk, actor=agent, outcome="withdrawn", body="Withdrawn.")
    rejected = services.ticket_create(
        kind="access", country="FI", region="", name="CANARY-REJ", email="r@example.org",
        description="CANARY-REJ", language="en", attachment=None, submission_key=None,
        received_at=timezone.now(), actor=None, reason="test").ticket
    services.ticket_reject(ticket_id=rejected.pk, actor=agent, reason="Manifestly unfounded.")
    resolved_only = lived(people, "CANARY-ANSWERED", close=False)  # answered, never closed: not due

    report = retention_sweep(now=later(731))

    assert set(report.references) == {withdrawn.reference, rejected.reference}
    assert orm_hits("CANARY-WDR") == orm_hits("CANARY-REJ") == set()
    assert "tickets.Ticket" in orm_hits("CANARY-ANSWERED") and resolved_only.status == "resolved"


def test_the_dry_run_lists_exactly_the_due_set_and_changes_nothing(
    people: dict[str, Any], private_media: Path,
) -> None:
    due = [lived(people, "CANARY-DRY-A1"), lived(people, "CANARY-DRY-A2"),
           lived(people, "CANARY-DRY-Q", kind="question")]
    lived(people, "CANARY-DRY-C", kind="complaint")
    lived(people, "CANARY-DRY-OPEN", close=False)
    before, files = dump(), sorted(path.name for path in private_media.iterdir())
    history = HISTORY.objects.count()
    out = io.StringIO()

    with time_machine.travel(later(731), tick=False):
        call_command("retention", "--dry-run", stdout=out)

    lines = out.getvalue().splitlines()
    references = {line for line in lines if line.startswith("PD-")}
    assert references == {ticket.reference for ticket in due}
    assert "access: 2 ticket(s) (730 days after closure)" in lines
    assert "question: 1 ticket(s) (365 days after closure)" in lines
    assert lines[-1] == "dry run: 3 ticket(s) would be erased; nothing was changed"
    assert dump() == before
    assert HISTORY.objects.count() == history
    assert sorted(path.name for path in private_media.iterdir()) == files


def test_the_command_erases_what_the_dry_run_listed_and_a_second_run_nothing(people: dict[str, Any]) -> None:
    due = [lived(people, "CANARY-CMD-1"), lived(people, "CANARY-CMD-2")]
    first, second, dry = io.StringIO(), io.StringIO(), io.StringIO()

    with time_machine.travel(later(731), tick=False):
        call_command("retention", stdout=first)
        after_first = dump()
        call_command("retention", stdout=second)
        call_command("retention", "--dry-run", stdout=dry)

    assert first.getvalue().splitlines() == ["access: 2 ticket(s) (730 days after closure)",
                                             "erased the personal data of 2 ticket(s) in 1 batch(es)"]
    assert second.getvalue().splitlines() == ["erased the personal data of 0 ticket(s) in 0 batch(es)"]
    assert dump() == after_first  # the second run wrote nothing, not even a second entry
    assert dry.getvalue().splitlines() == ["dry run: 0 ticket(s) would be erased; nothing was changed"]
    for ticket in due:
        erasures = [entry for entry in HISTORY.objects.filter(id=ticket.pk)
                    if (entry.history_change_reason or "").startswith(RETENTION_ACTOR)]
        assert len(erasures) == 1


def test_batches_erase_everything_due(people: dict[str, Any]) -> None:
    tickets = [lived(people, f"CANARY-BATCH-{n}") for n in range(5)]

    report = retention_sweep(now=later(731), batch_size=2)

    assert report.batches == 3 and report.total == 5
    assert sorted(report.references) == sorted(ticket.reference for ticket in tickets)
    assert not retention_due(now=later(731)).exists()


@pytest.mark.parametrize("case", ["open", "not_due", "already_erased"])
def test_a_refused_erasure_writes_nothing(people: dict[str, Any], private_media: Path, case: str) -> None:
    ticket = lived(people, f"CANARY-REFUSE-{case}", close=case != "open")
    now = later(100) if case == "not_due" else later(731)
    if case == "already_erased":
        services.ticket_erase_personal_data(ticket_id=ticket.pk, actor=None,
                                            reason=retention_reason("access"), now=now)
    before, files = dump(), sorted(path.name for path in private_media.iterdir())

    with pytest.raises(RetentionRefused) as refusal:
        services.ticket_erase_personal_data(ticket_id=ticket.pk, actor=None,
                                            reason=retention_reason("access"), now=now)

    assert dump() == before
    assert sorted(path.name for path in private_media.iterdir()) == files
    expected = {"open": "only from a closed ticket", "not_due": "keeps its personal data until",
                "already_erased": "was already erased on"}[case]
    assert expected in refusal.value.message


def test_erasing_one_ticket_by_the_service(people: dict[str, Any], private_media: Path) -> None:
    ticket = lived(people, "CANARY-ONE")
    files = list(Attachment.objects.filter(ticket=ticket).values_list("stored_name", flat=True))

    services.ticket_erase_personal_data(ticket_id=ticket.pk, actor=people["manager"],
                                        reason=retention_reason("access"), now=later(731))

    assert orm_hits("CANARY-ONE") == set()
    assert not any((private_media / name).exists() for name in files)
    last = HISTORY.objects.filter(id=ticket.pk).latest("history_id")
    assert last.history_user_id == people["manager"].pk


@pytest.mark.parametrize(("tickets", "queries"), [(1, 26), (3, 40)])
def test_a_batch_costs_a_fixed_number_of_queries_and_seven_per_ticket(
    people: dict[str, Any], django_assert_num_queries: Any, tickets: int, queries: int,
) -> None:
    for n in range(tickets):
        lived(people, f"CANARY-COUNT-{n}")  # two files each

    # Savepoint and release (2); the due tickets, locked; their files; per file its delete and
    # its history row (4 per ticket); messages, satisfaction, pauses and extension, each with its
    # history table (8); the files' history; the emails (2); status links; access log (the files'
    # names, and the searched addresses' keyed hashes: 2); per ticket
    # its update, the chain's head and the sealed entry (3); the ticket history. Fewer tickets
    # than a batch: the sweep does not look for a second one.
    with django_assert_num_queries(queries):
        report = retention_sweep(now=later(731))

    assert report.total == tickets


@pytest.mark.parametrize(("value", "accepted"), [
    ("complaint=1095,question=365", True), ("gdpr=30", False), ("complaint=0", False),
    ("complaint=ten", False), ("complaint", False),
])
def test_the_periods_per_kind_are_parsed_strictly(value: str, accepted: bool) -> None:
    environment = {**os.environ, "DESK_RETENTION_DAYS_BY": value}
    run = subprocess.run([sys.executable, "-c", "import desk.settings as s; print(s.DESK_RETENTION_DAYS_BY)"],
                         cwd=Path(__file__).resolve().parents[2], env=environment, capture_output=True,
                         text=True, timeout=60, check=False)

    assert (run.returncode == 0) is accepted, run.stderr
    if accepted:
        assert run.stdout.strip() == "{'complaint': 1095, 'question': 365}"
    else:
        assert "ImproperlyConfigured" in run.stderr and "DESK_RETENTION_DAYS_BY" in run.stderr


def test_a_status_page_still_open_on_an_erased_ticket_says_so_and_takes_no_message(
    people: dict[str, Any],
) -> None:
    ticket = lived(people, "CANARY-STATUS")
    browser = Client()
    session = browser.session
    session[STATUS_SESSION_KEY] = ticket.pk
    session[STATUS_SESSION_EXPIRES_KEY] = later(1000).isoformat()  # a grant no real link gives
    session.save()
    assert 'id="add-message"' in browser.get("/status/").content.decode()

    retention_sweep(now=later(731))
    html = browser.get("/status/").content.decode()

    assert "Personal data erased on" in html and "CANARY-STATUS" not in html
    assert 'id="add-message"' not in html
    messages = ticket.messages.count()
    posted = browser.post("/status/", {"body": "Still there?"})
    assert posted.status_code == 409
    assert "erased under the retention rule" in posted.content.decode()
    assert ticket.messages.count() == messages


@pytest.mark.parametrize("action", ["reopen", "reply", "note", "claim", "requester"])
def test_nothing_more_can_be_done_on_an_erased_ticket(people: dict[str, Any], action: str) -> None:
    from tickets.errors import ErasedRefused

    ticket = lived(people, "CANARY-AFTER")
    retention_sweep(now=later(731))
    ticket.refresh_from_db()
    entries, messages, emails = ticket.history.count(), ticket.messages.count(), Outbox.objects.count()
    agent = people["agent"]
    calls = {
        "reopen": lambda: services.ticket_reopen(ticket_id=ticket.pk, actor=agent, reason="again"),
        "reply": lambda: services.ticket_reply(ticket_id=ticket.pk, actor=agent, body="Hello?"),
        "note": lambda: services.ticket_add_note(ticket_id=ticket.pk, actor=agent, body="note"),
        "claim": lambda: services.ticket_claim(ticket_id=ticket.pk, actor=agent),
        "requester": lambda: services.ticket_add_requester_message(ticket=ticket, body="hi", attachment=None),
    }

    with pytest.raises(ErasedRefused, match="erased under the retention rule"):
        calls[action]()

    ticket.refresh_from_db()
    after = (ticket.history.count(), ticket.messages.count(), Outbox.objects.count())
    assert after == (entries, messages, emails)
    assert ticket.status == "closed"
