"""Every page of the demo desk read as its reader reads it (issue 16, "How it is checked"): the
visible text of the staff and public pages in Finnish, Swedish and English holds no template
syntax, no internal value (`uk_gdpr`, `partly_fulfilled`, `GB ENG`), no repository path or
research reference, and, on a Finnish or Swedish page, no English sentence or legal term. The
detector is tests/support/visible_text.py (its own fast test: tests/tickets/test_visible_text_detector.py).

The desk is the one `make run` shows a newcomer: `seed_demo`, then an escalation sweep, so that
the notifications have something to say. Staff pages are read as the demo manager (who works
both queues) and as the demo agent; public pages as a visitor and, through an emailed status
link, as the requesters of the tickets read.

Ticket pages: a sample in which every status, law, kind, outcome, requester language, queue,
escalation level, and a ticket extended, paused, unassigned and with a region appear at least once
(greedy cover: 15 to 20 of the 50 tickets). The ticket page renders the same template for every ticket;
what differs between two tickets is what those properties select, so the sample meets every
branch the demo data can show. `DESK_EVERY_TICKET=1` reads every ticket instead (slower). The
compliance records: a cover of status and law; the status pages: a cover of status, law, kind
and outcome.

On failure the message lists each finding grouped by class and page, with the text around it;
the whole list is written to test-artifacts/visible-text.txt."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.browser.conftest import ARTIFACTS, new_page, pass_second_factor
from tests.support.visible_text import Report, Vocabulary, demo_texts, findings, read_blocks, vocabulary
from tickets import services
from tickets.models import ClockPause, Extension, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-long-test-password"
LANGUAGES = ("fi", "sv", "en")
LOCALES = {"fi": "fi-FI", "sv": "sv-SE", "en": "en-GB"}
FORM_NAME, FORM_DESCRIPTION = "Aino Asiakas", "Haluan tietää, mitä tietoja minusta on tallennettu."


def features(ticket: Ticket, extended: set[int], paused: set[int]) -> set[tuple[str, object]]:
    return {
        ("status", ticket.status), ("regime", ticket.regime), ("kind", ticket.kind),
        ("outcome", ticket.outcome), ("language", ticket.language), ("queue", ticket.queue_id),
        ("escalation", ticket.escalation_level), ("extended", ticket.pk in extended),
        ("paused", ticket.pk in paused), ("unassigned", ticket.assignee_id is None),
        ("region", bool(ticket.requester_region)),
    }


def cover(tickets: list[Ticket], wanted: Callable[[Ticket], set[tuple[str, object]]]) -> list[Ticket]:
    """The fewest tickets (greedily) in which every wanted property appears at least once."""
    left = set().union(*(wanted(ticket) for ticket in tickets)) if tickets else set()
    chosen: list[Ticket] = []
    while left:
        best = max(tickets, key=lambda ticket: (len(wanted(ticket) & left), -ticket.pk))
        chosen.append(best)
        left -= wanted(best)
    return chosen


class Reader:
    """Reads pages into one report: each page's visible text, every disclosure opened (what a
    click shows is read too), judged in the language its `<html lang>` says."""

    def __init__(self, known: Vocabulary) -> None:
        self.known = known
        self.report = Report()
        self.pages: list[str] = []

    def read(self, page: Any, name: str, language: str) -> None:
        page.wait_for_load_state("load")
        page.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")
        shown = page.evaluate("document.documentElement.lang") or language
        self.pages.append(f"{name} ({shown})")
        self.report.add(findings(read_blocks(page), page=name, language=shown, vocabulary=self.known))


def signed_in(browser: Any, url: str, user: Any) -> Any:
    page = new_page(browser, locale="fi-FI")
    page.goto(f"{url}/staff/login/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    pass_second_factor(page, user)
    page.wait_for_url("**/staff/tickets/")
    return page


def speak(page: Any, url: str, language: str) -> None:
    """The desk's language cookie (LANGUAGE_COOKIE_NAME), as its language switcher sets it."""
    page.context.add_cookies([{"name": "desk_language", "value": language, "url": url}])


def staff_pages(reader: Reader, page: Any, url: str, language: str, *, tickets: Iterable[Ticket],
                records: Iterable[Ticket], manager: bool) -> None:
    who = "manager" if manager else "agent"
    some = Ticket.objects.order_by("pk").first()
    assert some is not None
    queries = {
        "": "queue", "?status=resolved&status=closed&status=withdrawn&status=rejected": "queue-finished",
        "?status=awaiting_verification&status=awaiting_requester": "queue-waiting",
        "?regime=uk_gdpr": "queue-uk", "?regime=ccpa&sort=-received": "queue-ccpa",
        "?kind=erasure&sort=priority": "queue-erasure", "?assignee=mine": "queue-mine",
        "?escalation=1&assignee=unassigned": "queue-escalated", "?due_within=7": "queue-due",
        f"?q={some.reference}": "queue-search-reference", f"?q={some.requester_email}": "queue-search-email",
        "?q=nobody-at-all@example.org": "queue-search-nothing", "?page=2": "queue-page-2",
    }
    for query, name in (queries.items() if manager else [("", "queue"), ("?assignee=mine", "queue-mine")]):
        page.goto(f"{url}/staff/tickets/{query}")
        reader.read(page, f"{name}[{who}]", language)
    for ticket in tickets:
        page.goto(f"{url}/staff/tickets/{ticket.reference}/")
        reader.read(page, f"ticket[{who}] {ticket.reference} {ticket.status}/{ticket.regime}/{ticket.kind}",
                    language)
    for ticket in records:
        page.goto(f"{url}/staff/tickets/{ticket.reference}/record/")
        reader.read(page, f"record {ticket.reference} {ticket.status}/{ticket.regime}", language)
    others = ["notifications", "account"]
    if manager:
        others = ["dashboard", "monthly-report", "queues", *others]
    paths = {"dashboard": "/staff/dashboard/", "monthly-report": "/staff/reports/monthly/",
             "queues": "/staff/queues/", "notifications": "/staff/notifications/",
             "account": "/staff/account/"}
    for name in others:
        page.goto(f"{url}{paths[name]}")
        reader.read(page, f"{name}[{who}]", language)


def public_pages(reader: Reader, browser: Any, url: str, language: str, *,
                 statuses: Iterable[Ticket]) -> None:
    page = new_page(browser, locale=LOCALES[language])
    speak(page, url, language)
    page.goto(f"{url}/")
    reader.read(page, "request-form", language)  # with the transparency points beside it
    page.locator("form.form button[type=submit]").click()  # empty: the errors
    page.locator(".error-summary").wait_for()
    reader.read(page, "request-form-errors", language)
    page.goto(f"{url}/")
    page.locator("input[name=kind]").first.check()
    page.locator("#id_country").select_option("FI")
    page.locator("#id_name").fill(FORM_NAME)
    page.locator("#id_email").fill(f"text-{language}@example.org")
    page.locator("#id_description").fill(FORM_DESCRIPTION)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/submitted/")
    reader.read(page, "submitted", language)
    page.goto(f"{url}/status/lost/")
    reader.read(page, "status-lost", language)
    page.context.close()
    for ticket in statuses:
        # Each requester through their own emailed link, in a browser of the page's language.
        page = new_page(browser, locale=LOCALES[language])
        speak(page, url, language)
        page.goto(services.status_link_issue(ticket))
        page.locator("#status-link-form button[type=submit]").click()
        page.wait_for_url("**/status/")
        name = f"status {ticket.reference} {ticket.status}/{ticket.regime}/{ticket.outcome or '-'}"
        reader.read(page, name, language)
        page.context.close()


def demo_desk() -> dict[str, Any]:
    """The demo desk, its notifications, and the demo manager and agent with a known password."""
    from tickets.services.escalation import escalation_sweep

    call_command("seed_demo", stdout=io.StringIO())
    escalation_sweep()
    users = get_user_model().objects
    manager = users.filter(groups__name="managers").order_by("pk").first()
    agent = users.filter(groups__name="agents").order_by("pk").first()
    assert manager is not None and agent is not None, "seed_demo made no manager or no agent"
    for user in (manager, agent):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return {"manager": manager, "agent": agent}


def test_every_page_speaks_its_readers_language(browser: Any, live_server: Any, settings: Any) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    url = live_server.url
    people = demo_desk()
    known = vocabulary().with_data([*demo_texts(), FORM_NAME, FORM_DESCRIPTION])

    tickets = list(Ticket.objects.order_by("pk"))
    assert len(tickets) >= 20, "the demo desk is too small to read"
    extended = set(Extension.objects.values_list("ticket_id", flat=True))
    paused = set(ClockPause.objects.values_list("ticket_id", flat=True))
    if os.environ.get("DESK_EVERY_TICKET"):
        sample = tickets
    else:
        sample = cover(tickets, lambda ticket: features(ticket, extended, paused))
    records = cover(tickets, lambda ticket: {("status", ticket.status), ("regime", ticket.regime)})
    statuses = cover(tickets, lambda ticket: {("status", ticket.status), ("regime", ticket.regime),
                                              ("kind", ticket.kind), ("outcome", ticket.outcome)})
    agent = people["agent"]
    agents_tickets = [ticket for ticket in sample if ticket.assignee_id == agent.pk][:3] or \
        list(Ticket.objects.filter(queue__members=agent).order_by("pk")[:2])

    reader = Reader(known)
    manager_page = signed_in(browser, url, people["manager"])
    agent_page = signed_in(browser, url, agent)
    for language in LANGUAGES:
        for page in (manager_page, agent_page):
            speak(page, url, language)
        staff_pages(reader, manager_page, url, language, tickets=sample, records=records, manager=True)
        staff_pages(reader, agent_page, url, language, tickets=agents_tickets, records=(), manager=False)
        public_pages(reader, browser, url, language, statuses=statuses)
    manager_page.context.close()
    agent_page.context.close()

    text = reader.report.text(limit=10_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "visible-text.txt").write_text(
        text + "\n\nPages read:\n" + "\n".join(reader.pages) + "\n\nEvery finding:\n"
        + "\n".join(found.line() for found in reader.report.findings) + "\n")
    assert len(reader.pages) >= 3 * (len(sample) + len(records) + len(statuses) + 20)
    assert reader.report.findings == [], reader.report.text(limit=150)


def test_the_reader_reads_what_a_person_sees_and_nothing_else(browser: Any) -> None:
    """read_blocks: the text shown, block by block, with the options of a visible select; not a
    script, a style, an attribute, nor anything hidden."""
    page = new_page(browser)
    page.set_content("""<!doctype html><html lang="fi"><head><style>.gone { display: none; }</style></head>
    <body><main><p>{# Päivittyy minuutin välein. #}</p>
    <table><tr><th>Laki</th><td>uk_gdpr</td></tr></table>
    <p title="respond">Vastaus <strong>viimeistään</strong> 4.2.2027</p>
    <p><a href="#">Jono</a> <a href="#">Koonti</a></p><address>Box 8114<br>104 20 Tukholma</address>
    <label>Laki <select><option>Kaikki</option><option>lgpd</option></select></label>
    <details><summary>Lisää</summary><p>Avattuna: research/deadlines.md §10</p></details>
    <p hidden>Piilotettu: extension_notice</p><p class="gone">Piilossa: opt_out</p>
    <p style="visibility: hidden">Näkymätön: due_soon</p>
    <script>const code = "partly_fulfilled";</script><noscript>Ilman skriptiä: us_va</noscript>
    </main></body></html>""")
    blocks = [block.text for block in read_blocks(page)]
    assert blocks == ["{# Päivittyy minuutin välein. #}", "Laki", "uk_gdpr", "Vastaus viimeistään 4.2.2027",
                      "Jono Koonti", "Box 8114 104 20 Tukholma", "Laki", "Kaikki", "lgpd", "Lisää"]
    page.evaluate("document.querySelector('details').open = true")
    known = vocabulary()
    found = {(item.kind, item.found) for item in findings(read_blocks(page), page="made", language="fi",
                                                            vocabulary=known)}
    assert found == {("template", "{#"), ("code", "uk_gdpr"), ("code", "lgpd"), ("path", "research/")}
    page.context.close()
