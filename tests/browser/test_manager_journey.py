"""A manager's day in a real browser: sign in, open the dashboard, change the period and the
filters and see the figures follow, download a table as CSV, read the monthly report and a
ticket's compliance record. The same dashboard by keyboard alone. And the requester's side: the
one satisfaction question on the status page once the request is answered. Every page passes axe."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from notifications.models import Outbox
from tests.browser.conftest import (
    check_accessibility,
    check_at_both_widths,
    new_page,
    pass_second_factor,
    sign_in_by_keyboard,
    tab_to,
)
from tests.support.people import with_authenticator
from tests.support.services import SmtpSink, wait_until
from tickets import services
from tickets.models import Queue, Satisfaction, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-long-test-password"
FIGURES = """() => Object.fromEntries([...document.querySelectorAll('.figure')].map(figure => [
    figure.querySelector('dt').textContent.trim(), figure.querySelector('dd').textContent.trim()]))"""


@dataclass(frozen=True)
class Seed:
    """One ticket of the journey: when it came in and when (if) it was answered, in days ago."""

    name: str
    kind: str
    received: int
    resolved: int | None = None
    late: bool = False
    score: int | None = None


# Days ago, counted back from the organisation's today. Answered on time unless `late`: E came
# in 60 days ago (due about 30 days later) and was answered only 20 days ago.
SEEDS = (
    Seed("A", "access", received=0),
    Seed("B", "complaint", received=3),
    Seed("C", "access", received=12, resolved=10, score=4),
    Seed("D", "complaint", received=4, resolved=1),
    Seed("E", "access", received=60, resolved=20, late=True),
    Seed("F", "access", received=80, resolved=70, score=2),
)


def noon(days_ago: int, hour: int = 12) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(django_settings.TIME_ZONE))


def expected(start: datetime.date, end: datetime.date) -> dict[str, int]:
    """What the seeds make of a period (for the periods whose contents depend on today's date)."""
    today = timezone.localdate()

    def within(days_ago: int | None) -> bool:
        return days_ago is not None and start <= today - datetime.timedelta(days=days_ago) <= end

    answered = [seed for seed in SEEDS if within(seed.resolved)]
    return {"received": sum(within(seed.received) for seed in SEEDS), "answered": len(answered),
            "late": sum(seed.late for seed in answered)}


def percent(part: int, whole: int) -> str:
    """A rate as the page shows it; with nothing answered there is no rate (on the 1st of a month)."""
    return f"{round(100 * part / whole, 1)} %" if whole else "–"


def staff(username: str, **queues: list[str]) -> Any:
    user = with_authenticator(get_user_model().objects.create_user(
        username, f"{username}@example.org", PASSWORD, is_staff=True))
    for slug in queues.get("member", []):
        Queue.objects.get(slug=slug).members.add(user)
    for slug in queues.get("manager", []):
        Queue.objects.get(slug=slug).managers.add(user)
    return user


def seed_tickets(agent: Any) -> dict[str, Ticket]:
    """Each seed through the services, at the moments it happened (time_machine for the past)."""
    made = {}
    for seed in SEEDS:
        received_at = timezone.now() if seed.received == 0 else noon(seed.received)
        with time_machine.travel(received_at, tick=True):
            ticket = services.ticket_create(
                kind=seed.kind, country="FI", region="", name=f"Requester {seed.name}",
                email=f"manager-journey-{seed.name.lower()}@example.org", description=f"Request {seed.name}.",
                language="en", attachment=None, submission_key=None, received_at=timezone.now(), actor=None,
                reason="seeded for the manager's journey", acknowledge=True,
            ).ticket
        if seed.name == "B":  # open, claimed and answered once: in progress
            services.ticket_claim(ticket_id=ticket.pk, actor=agent)
            services.ticket_reply(ticket_id=ticket.pk, actor=agent, body="We are on it.")
        if seed.resolved is not None:
            with time_machine.travel(noon(seed.resolved), tick=True):
                services.ticket_claim(ticket_id=ticket.pk, actor=agent)
                if seed.name == "C":
                    services.ticket_reply(ticket_id=ticket.pk, actor=agent, body="Collecting your data.")
                services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome="fulfilled",
                                        body="Your data is attached.")
            if seed.score is not None:
                with time_machine.travel(noon(seed.resolved, hour=15), tick=True):
                    services.satisfaction_record(ticket_id=ticket.pk, score=seed.score, comment="")
        made[seed.name] = Ticket.objects.get(pk=ticket.pk)
    return made


def figures(page: Any) -> dict[str, str]:
    shown: dict[str, str] = page.evaluate(FIGURES)
    return shown


def wait_for_query(page: Any, *parts: str) -> None:
    page.wait_for_url(lambda url: all(part in url for part in parts))
    page.wait_for_load_state("load")


def date_keys(browser: Any, day: datetime.date) -> str:
    """The digits to type into a date field: Chromium orders its day, month and year by the
    browser's own language, not the page's, so the order is found on a scratch field first."""
    scratch = new_page(browser)
    scratch.set_content('<input type="date" id="probe">')
    scratch.locator("#probe").focus()
    scratch.keyboard.type("02032026")
    value = scratch.locator("#probe").input_value()
    scratch.context.close()
    formats = {"2026-02-03": "%m%d%Y", "2026-03-02": "%d%m%Y"}
    return day.strftime(formats.get(value, "%Y%m%d"))


def log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/staff/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    pass_second_factor(page, get_user_model().objects.get(username=username))
    page.wait_for_url("**/staff/tickets/")


def test_the_manager_reads_the_figures_downloads_a_table_and_a_compliance_record(
    browser: Any, live_server: Any, celery_worker: Any, smtp_sink: SmtpSink, settings: Any,
) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    agent = staff("aino", member=["requests", "complaints"])
    staff("maria", manager=["requests", "complaints"])
    tickets = seed_tickets(agent)
    today = timezone.localdate()

    page = new_page(browser, locale="en-GB")
    log_in(page, live_server, "maria")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.wait_for_url("**/staff/dashboard/")
    assert page.locator("h1").inner_text() == "Dashboard"
    # The last 30 days by default: A, B, C and D came in; C, D and E were answered, E late.
    shown = figures(page)
    assert shown["Open tickets"] == "2"
    assert shown["Unassigned"] == "1"
    assert shown["Overdue"] == "0"
    assert shown["Received"] == "4"
    assert shown["Answered"] == "3"
    assert shown["On time"] == "66.7 %"
    assert shown["Late"] == "33.3 %"
    assert shown["Satisfaction (out of 5)"] == "4.0"
    assert page.locator(".periods a[aria-current]").inner_text() == "Last 30 days"
    agents = page.locator("#table-agents tbody tr").first.locator("th, td").all_inner_texts()
    assert agents == ["aino", "1", "3", "2", "0", "66.7"]
    check_at_both_widths(page, "dashboard")

    # A preset: this year (what it holds depends on today's date, so it is counted from the seeds).
    page.get_by_role("link", name="This year", exact=True).click()
    wait_for_query(page, f"start={today.year}-01-01", f"end={today.isoformat()}")
    year = expected(today.replace(month=1, day=1), today)
    shown = figures(page)
    assert shown["Received"] == str(year["received"])
    assert shown["Answered"] == str(year["answered"])
    assert shown["Late"] == percent(year["late"], year["answered"])
    assert shown["Open tickets"] == "2"  # "now" does not depend on the period
    assert page.locator(".periods a[aria-current]").inner_text() == "This year"

    page.get_by_role("link", name="Last 7 days", exact=True).click()
    wait_for_query(page, f"start={(today - datetime.timedelta(days=6)).isoformat()}")
    shown = figures(page)
    assert (shown["Received"], shown["Answered"], shown["On time"]) == ("3", "1", "100.0 %")
    assert shown["Late"] == "0.0 %"

    # Explicit dates: 90 to 50 days ago holds E's and F's receipt and F's answer.
    start, end = today - datetime.timedelta(days=90), today - datetime.timedelta(days=50)
    page.locator("#id_start").fill(start.isoformat())
    page.locator("#id_end").fill(end.isoformat())
    page.locator("#dashboard-filters button[type=submit]").click()
    wait_for_query(page, f"start={start.isoformat()}", f"end={end.isoformat()}")
    shown = figures(page)
    assert (shown["Received"], shown["Answered"], shown["On time"]) == ("2", "1", "100.0 %")
    assert shown["Satisfaction (out of 5)"] == "2.0"
    assert page.locator(".periods a[aria-current]").count() == 0
    assert start.strftime("%-d") in page.locator(".lead").inner_text()

    # A filter: complaints over the last 30 days are B (open) and D (answered).
    start, end = today - datetime.timedelta(days=29), today
    page.locator("#id_start").fill(start.isoformat())
    page.locator("#id_end").fill(end.isoformat())
    page.locator("#id_kind").select_option("complaint")
    page.locator("#dashboard-filters button[type=submit]").click()
    wait_for_query(page, "kind=complaint", f"start={start.isoformat()}")
    shown = figures(page)
    assert (shown["Open tickets"], shown["Received"], shown["Answered"]) == ("1", "2", "1")

    # The queue of rights requests: A open; A and C received; C on time and E late.
    page.locator("#id_kind").select_option("")
    page.locator("#id_queue").select_option(label="Data subject requests")
    page.locator("#dashboard-filters button[type=submit]").click()
    requests = Queue.objects.get(slug="requests")
    wait_for_query(page, f"queue={requests.pk}", "kind=&")
    shown = figures(page)
    assert (shown["Open tickets"], shown["Received"], shown["Answered"]) == ("1", "2", "2")
    assert shown["Late"] == "50.0 %"
    assert "Queue: Data subject requests." in page.locator(".lead").inner_text()

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download “Per kind of request” as CSV").click()
    download = downloading.value
    assert download.suggested_filename == f"dashboard-kinds-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows == [
        ["Kind", "Received", "Answered", "On time", "On time thanks to an extension", "Late", "Extended",
         "Refused", "On-time rate (%)"],
        ["See my data", "2", "2", "1", "0", "1", "0", "0", "50.0"],
    ]

    # Start after end: the error summary, and no figures.
    page.locator("#id_start").fill(today.isoformat())
    page.locator("#id_end").fill((today - datetime.timedelta(days=5)).isoformat())
    page.locator("#dashboard-filters button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    assert "The last day must not be before the first day." in page.locator(".error-summary").inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator("#id_end").get_attribute("aria-invalid") == "true"
    assert page.locator("#dashboard-figures").count() == 0
    assert page.title().startswith("Error: ")
    check_at_both_widths(page, "dashboard-error")

    # The monthly report of this month.
    page.get_by_role("link", name="Monthly report", exact=True).click()
    page.wait_for_url("**/staff/reports/monthly/")
    page.locator("#id_month").fill(f"{today:%Y-%m}")
    page.locator("main form button[type=submit]").click()
    wait_for_query(page, f"month={today:%Y-%m}")
    next_month = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    month = expected(today.replace(day=1), next_month - datetime.timedelta(days=1))
    assert page.locator("h1").inner_text() == f"Service level report: {today:%B %Y}"
    shown = figures(page)
    assert shown["Received"] == str(month["received"])
    assert shown["Answered"] == str(month["answered"])
    assert shown["Late"] == percent(month["late"], month["answered"])
    check_at_both_widths(page, "monthly-report")

    # C's compliance record, once its three emails (receipt, reply, answer) are delivered.
    answered = tickets["C"]
    wait_until(lambda: Outbox.objects.filter(ticket=answered, state="sent").count() == 3, 20,
               "the answered request's three emails sent")
    page.goto(f"{live_server.url}/staff/tickets/{answered.reference}/")
    page.get_by_role("link", name="Compliance record (printable)").click()
    page.wait_for_url(f"**/staff/tickets/{answered.reference}/record/")
    assert page.locator("h1").inner_text() == f"Compliance record {answered.reference}"
    events = page.locator("#events + .table-wrap tbody tr")
    reasons = [events.nth(row).locator("td").nth(2).inner_text() for row in range(events.count())]
    assert reasons == ["seeded for the manager's journey", "Claimed", "Reply sent to the requester",
                       "Resolved: Fulfilled", "The requester rated how they were treated: 4 out of 5"]
    assert events.nth(1).locator("td").nth(1).inner_text() == "aino"
    final = page.locator("#deadlines ~ .table-wrap").first.locator("tbody tr", has_text="(final)")
    assert final.locator("th").inner_text() == "Response to the request (final)"
    due = answered.due_date
    assert final.locator("td").first.inner_text() == f"{due.day} {due:%B} {due.year}"  # en-GB, in words
    assert "GDPR Art. 12(3)" in final.locator("td").nth(1).inner_text()
    emails = page.locator("#emails + .table-wrap tbody tr")
    assert emails.count() == 3
    cells = [emails.nth(row).locator("td").all_inner_texts() for row in range(3)]
    assert [(subject.split(" (")[0], to, state) for _written, subject, to, state, _sent in cells] == [
        (f"We have received your request {answered.reference}", answered.requester_email, "Sent"),
        (f"An answer to your request {answered.reference}", answered.requester_email, "Sent"),
        (f"Your request {answered.reference} has been handled", answered.requester_email, "Sent"),
    ]
    assert "4 out of 5" in page.locator("#satisfaction + p").inner_text()
    check_at_both_widths(page, "compliance-record")


def test_the_manager_changes_the_period_by_keyboard(browser: Any, live_server: Any) -> None:
    kaisa = staff("kaisa", manager=["requests"])
    services.ticket_create(
        kind="access", country="FI", region="", name="Open", email="open@example.org",
        description="Please.", language="en", attachment=None, submission_key=None,
        received_at=timezone.now(), actor=None, reason="test", acknowledge=False)
    services.ticket_create(
        kind="access", country="FI", region="", name="Older", email="older@example.org",
        description="Please.", language="en", attachment=None, submission_key=None,
        received_at=noon(20), actor=None, reason="test", acknowledge=False)
    today = timezone.localdate()
    week_ago = today - datetime.timedelta(days=6)

    page = new_page(browser, locale="en-GB")

    sign_in_by_keyboard(page, live_server.url, kaisa, PASSWORD)
    # To the dashboard through the staff navigation, by Tab and Enter.
    tab_to(page, "document.activeElement.dataset.shortcut === 'dashboard'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/staff/dashboard/")
    assert figures(page)["Received"] == "2"

    tab_to(page, "document.activeElement.id === 'id_start'")
    page.keyboard.type(date_keys(browser, week_ago))
    assert page.locator("#id_start").input_value() == week_ago.isoformat()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert f"start={week_ago.isoformat()}" in page.url
    assert figures(page)["Received"] == "1"
    assert page.locator(".periods a[aria-current]").inner_text() == "Last 7 days"

    tab_to(page, "document.activeElement.tagName === 'SUMMARY' && "
           "document.activeElement.textContent.startsWith('The numbers: ')")
    assert page.evaluate("document.activeElement.textContent") == "The numbers: Open tickets by status"
    assert not page.locator("#table-status").is_visible()
    page.keyboard.press("Enter")
    assert page.locator("#table-status").is_visible()
    # "Now" is not the period's: both tickets are still open, newly received.
    assert page.locator("#table-status tbody tr", has_text="Received").locator("td").inner_text() == "2"
    tab_to(page, "document.activeElement.tagName === 'SUMMARY'")
    page.keyboard.press("Space")
    assert page.locator("#table-ageing").is_visible()
    check_accessibility(page, "dashboard-keyboard-open-tables")


def test_the_requester_says_how_they_were_treated(browser: Any, live_server: Any, settings: Any) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    agent = staff("aino", member=["requests"])
    ticket = services.ticket_create(
        kind="access", country="FI", region="", name="Reija Requester", email="reija@example.org",
        description="Show me my data.", language="en", attachment=None, submission_key=None,
        received_at=timezone.now(), actor=None, reason="test", acknowledge=False,
    ).ticket
    services.ticket_claim(ticket_id=ticket.pk, actor=agent)
    services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome="fulfilled",
                            body="Your data is attached to this message.")
    link = services.status_link_issue(ticket)

    page = new_page(browser, locale="en-GB")
    page.goto(link)
    page.locator("#status-link-form button[type=submit]").click()  # the link's page (issue 15)
    page.wait_for_url("**/status/")
    question = page.locator("#satisfaction")
    assert question.locator("h2").inner_text() == "How were you treated?"
    assert question.locator("input[name=score]").count() == 5
    check_at_both_widths(page, "status-satisfaction")

    # Sent without a choice: the error, and nothing saved.
    question.get_by_role("button", name="Send my answer").click()
    page.locator(".error-summary").wait_for()
    assert "Choose a number from 1 to 5." in page.locator(".error-summary").inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator("#id_score_error").is_visible()
    assert page.title().startswith("Error: ")
    check_at_both_widths(page, "status-satisfaction-error")
    assert not Satisfaction.objects.exists()

    # By keyboard: from the summary to its link, into the choices, "4 – well", a comment, send.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_score_0"
    page.keyboard.press("Enter")
    if page.evaluate("document.activeElement.name") != "score":
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_score_0"  # 5 – very well, first
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_score_1").is_checked()
    assert page.locator("label[for=id_score_1]").inner_text() == "4 – well"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_comment"
    page.keyboard.type("Kind and quick.")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/status/?rated=1*")
    thanks = page.locator("#satisfaction [role=status]")
    assert thanks.inner_text() == "Thank you for your answer: 4 out of 5. It helps us treat everyone well."
    assert page.locator("#satisfaction form").count() == 0
    answer = Satisfaction.objects.get(ticket=ticket)
    assert (answer.score, answer.comment) == (4, "Kind and quick.")
    check_at_both_widths(page, "status-satisfaction-thanks")

    # The question is asked once: a reload shows the answer, not the form.
    page.goto(f"{live_server.url}/status/")
    assert page.locator("#satisfaction form").count() == 0
    assert "4 out of 5" in page.locator("#satisfaction").inner_text()
