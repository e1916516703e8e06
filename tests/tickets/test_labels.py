"""Staff pages and the compliance record speak in words, in the page's language (issue 16, items 1,
2, 4, 5, 6): the queue, the timeline and the record show labels, never the codes the data keeps;
the desk's own reasons are translated and staff's words shown as typed; dates are written as each
language writes them; staff and requesters each read a status in their own voice."""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import formats, translation

from notifications.models import Outbox
from tests.support.people import client_for, make_ticket
from tests.support.status_links import open_status_link, secret_of
from tickets import reasons, services
from tickets.choices import (
    REQUESTER_OUTCOME_LABELS,
    REQUESTER_STATUS_LABELS,
    STATUS_LABELS,
    Outcome,
    requester_outcome_label,
    requester_status_label,
)
from tickets.lifecycle import Status
from tickets.models import Escalation, Queue, Ticket
from tickets.selectors import ticket_timeline

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")
RECEIVED = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=HELSINKI)
FINNISH_MONTHS = ("tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta",
                  "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")
# What a reader must never meet on these pages: the data's codes and the old English actor.
CODES = ("partly_fulfilled", "awaiting_verification", "awaiting_requester", "in_progress", "escalation_level",
         "due_date", "requester/system", "uk_gdpr", "GB-ENG", "GB ENG", "due_soon", "escalation (",
         "resolved: ", "asked the requester for identity", ">gdpr<", "information_requested", ">pending<",
         "{#", "#}")


def finnish(day: datetime.date) -> str:
    return f"{day.day}. {FINNISH_MONTHS[day.month - 1]} {day.year}"


def english(day: datetime.date) -> str:
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def in_language(user: Any, language: str) -> Client:
    return client_for(user, headers={"accept-language": language})


def visible(html: str) -> str:
    """The page without its tags, attributes and scripts: what a reader reads."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def worked_ticket(people: dict[str, Any], *, country: str = "GB", region: str = "ENG") -> Ticket:
    """A UK ticket through a desk's day: claimed, a note, proof of identity asked and given, a
    reply, extended, resolved partly, reopened with a reason, escalated; one email left pending."""
    agent = people["agent"]
    with time_machine.travel(RECEIVED, tick=False):
        ticket = make_ticket(country=country, region=region)
    with time_machine.travel(RECEIVED + datetime.timedelta(hours=1), tick=False):
        services.ticket_claim(ticket_id=ticket.pk, actor=agent)
        services.ticket_add_note(ticket_id=ticket.pk, actor=agent, body="Checked the CRM.")
        services.ticket_request_information(ticket_id=ticket.pk, actor=agent, kind="identity",
                                            body="Please send a copy of your ID.")
    with time_machine.travel(RECEIVED + datetime.timedelta(days=1), tick=False):
        ticket.refresh_from_db()
        services.ticket_add_requester_message(ticket=ticket, body="Here it is.", attachment=None)
        services.ticket_reply(ticket_id=ticket.pk, actor=agent, body="Thank you.")
        services.ticket_extend(ticket_id=ticket.pk, actor=agent, reason="Several systems to search.")
    with time_machine.travel(RECEIVED + datetime.timedelta(days=2), tick=False):
        services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome=Outcome.PARTLY_FULFILLED,
                                body="Part of it.")
        services.ticket_reopen(ticket_id=ticket.pk, actor=agent, reason="The requester wrote again.")
    ticket.refresh_from_db()
    Escalation.objects.create(ticket=ticket, rule="due_soon", level=1, due_date=ticket.due_date)
    return ticket


# --- Staff and requester labels ------------------------------------------------------------------

def test_every_status_and_outcome_has_a_staff_label_and_a_requester_label() -> None:
    assert set(REQUESTER_STATUS_LABELS) == {status.value for status in Status} == set(map(str, STATUS_LABELS))
    assert set(REQUESTER_OUTCOME_LABELS) == set(Outcome.values)
    with translation.override("en"):
        for label in [*STATUS_LABELS.values(), *Outcome.labels]:
            assert not re.search(r"\byou(r)?\b", str(label)), label  # staff read of the requester
        assert requester_status_label("awaiting_verification") == "Waiting for your proof of identity"
        assert requester_status_label(Status.AWAITING_REQUESTER) == "Waiting for your answer"
        assert requester_outcome_label("fulfilled") == "Done as you asked"
        assert requester_outcome_label("withdrawn") == "Withdrawn by you"
        assert str(STATUS_LABELS[Status.AWAITING_VERIFICATION]) == "Waiting for proof of identity"
        assert str(Outcome.WITHDRAWN.label) == "Withdrawn by the requester"
    with translation.override("fi"):
        assert requester_outcome_label("partly_fulfilled") == "Toteutettu osittain pyyntösi mukaisesti"
        assert str(Outcome.PARTLY_FULFILLED.label) == "Osittain toteutettu"
    with pytest.raises(ValueError):
        requester_status_label("no_such_status")


def test_staff_read_the_staff_label_and_the_requester_reads_their_own(people: dict[str, Any]) -> None:
    ticket = make_ticket()
    services.ticket_request_information(ticket_id=ticket.pk, actor=people["agent"], kind="identity",
                                        body="Please send a copy of your ID.")
    ticket.refresh_from_db()
    assert ticket.get_status_display() == "Waiting for proof of identity"

    staff_page = visible(in_language(people["agent"], "en").get(f"/staff/tickets/{ticket.reference}/")
                         .content.decode())
    requester = Client(headers={"accept-language": "en"})
    assert open_status_link(requester, secret_of(services.status_link_issue(ticket))).status_code == 303
    status_page = visible(requester.get("/status/").content.decode())

    assert "Waiting for proof of identity" in staff_page and "your proof" not in staff_page
    assert "Waiting for your proof of identity" in status_page


def test_the_resolved_email_names_the_outcome_in_the_requesters_voice_and_language(
    people: dict[str, Any],
) -> None:
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(language="fi")
    with translation.override("en"):  # the agent works in English: the email is still Finnish
        services.ticket_resolve(ticket_id=ticket.pk, actor=people["agent"], outcome="fulfilled",
                                body="Valmis.")

    email = Outbox.objects.get(ticket=ticket, event="resolved")
    assert "Toteutettu pyyntösi mukaisesti" in email.body_text
    assert "Done as you asked" not in email.body_text and "fulfilled" not in email.body_text


# --- The catalogue of reasons ---------------------------------------------------------------------

SAMPLES = {"user": "agent", "queue": "Complaints", "text": "Several systems: see (a)", "outcome": "refused",
           "rule": "overdue_past_margin", "kind": "erasure", "days": "730", "score": "4",
           "reference": "PD-2026-000051"}


@pytest.mark.parametrize("reason", reasons.REASONS, ids=lambda reason: reason.stored)
def test_each_reason_is_recognised_from_its_stored_english_and_translated(reason: reasons.Reason) -> None:
    values = {name: SAMPLES[name] for name in reason.parameters}
    stored = reason(**values)

    assert reasons.reason_for(stored) == (reason, values)
    for language in ("fi", "sv"):
        with translation.override(language):
            shown = reasons.reason_shown(stored)
            assert translation.gettext(reason.shown) != reason.shown, f"no {language} translation"
            assert shown != stored
            for name, value in values.items():  # codes become words, words stay as written
                assert (value in shown) == (name not in ("outcome", "rule", "kind")), (name, shown)


def test_the_stored_english_keeps_its_wording_for_the_audit_trail() -> None:
    """Entries already sealed in the hash chain read the same as before the catalogue."""
    assert reasons.RESOLVED(outcome="partly_fulfilled") == "resolved: partly_fulfilled"
    assert reasons.asked_for("identity")() == "asked the requester for identity; the clock is paused"
    assert reasons.asked_for("clarification")() == (
        "asked the requester for clarification; the clock is paused")
    assert reasons.ESCALATED(rule="due_soon") == "escalation (due_soon)"
    assert reasons.EXTENDED(text="more time") == "extended: more time"
    assert reasons.RETENTION_ERASED(kind="access", days=730) == (
        "system:retention: personal data erased (access: 730 days after closure)")
    assert reasons.SATISFACTION_RATED(score=5) == "the requester rated how they were treated: 5/5"
    assert reasons.CLAIMED() == "claimed" and reasons.SUBMITTED() == (
        "submitted by the requester through the public form")


def test_staff_typed_words_are_shown_as_typed_and_the_actor_is_said_in_words() -> None:
    with translation.override("fi"):
        assert reasons.reason_shown("rejected: Not our customer") == "Hylätty: Not our customer"
        assert reasons.reason_shown("Asiakas pyysi puhelimessa") == "Asiakas pyysi puhelimessa"
        assert reasons.reason_shown("resolved: partly_fulfilled") == "Ratkaistu: Osittain toteutettu"
        assert reasons.reason_shown("escalation (due_soon)") == "Eskaloitu: pian erääntymässä"
        assert reasons.actor_shown(None, reasons.REQUESTER_MESSAGE()) == "Pyynnön tekijä"
        automatic = reasons.actor_shown(None, reasons.ESCALATED(rule="due_soon"))
        assert automatic == "Järjestelmä (automaattisesti)"
        assert reasons.actor_shown("agent", reasons.CLAIMED()) == "agent"


# --- Pages ----------------------------------------------------------------------------------------

def test_the_timeline_in_finnish_shows_words_translated_reasons_and_finnish_dates(
    people: dict[str, Any],
) -> None:
    ticket = worked_ticket(people)
    history_due = [entry.due_date for entry in ticket.history.all()]

    html = visible(in_language(people["agent"], "fi").get(f"/staff/tickets/{ticket.reference}/")
                   .content.decode())

    for code in CODES:
        assert code not in html, code
    for expected in ("Otettu käsittelyyn", "Sisäinen muistiinpano lisätty",
                     "Pyynnön tekijältä pyydetty henkilöllisyyden todistamista; määräaika on keskeytetty",
                     "Pyynnön tekijä vastasi; määräaika kulkee taas", "Vastaus lähetetty pyynnön tekijälle",
                     "Määräaikaa jatkettu: Several systems to search.", "Ratkaistu: Osittain toteutettu",
                     "Avattu uudelleen: The requester wrote again.",
                     "Käsittelyn tila: Vastaanotettu → Odottaa henkilöllisyyden todistamista",
                     "Lopputulos: — → Osittain toteutettu", "Pyynnön tekijä ·",
                     "Asuinmaa Iso-Britannia, Englanti", "työpäivät: Iso-Britannia, Englanti"):
        assert expected in html, expected
    # The extension moved the due date: both dates in Finnish ("5. tammikuuta 2027").
    before, after = sorted({due for due in history_due})
    assert f"Määräpäivä: {finnish(before)} → {finnish(after)}" in html
    with translation.override("fi"):
        received = formats.date_format(RECEIVED.date(), "SHORT_DATE_FORMAT")
    assert received == f"{RECEIVED.day}.{RECEIVED.month}.{RECEIVED.year}" and received in html


def test_the_timeline_in_english_uses_day_month_year_and_the_same_words(people: dict[str, Any]) -> None:
    ticket = worked_ticket(people)
    before, after = sorted({entry.due_date for entry in ticket.history.all()})

    html = visible(in_language(people["agent"], "en").get(f"/staff/tickets/{ticket.reference}/")
                   .content.decode())

    for code in CODES:
        assert code not in html, code
    assert "Status: Received → Waiting for proof of identity" in html
    assert "Resolved: Partly fulfilled" in html and "Outcome: — → Partly fulfilled" in html
    assert f"Due: {english(before)} → {english(after)}" in html
    assert "Lives in United Kingdom, England" in html
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{4}\b", html)  # never 01/04/2027
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", html)  # nor the data's ISO dates


def test_the_queue_names_the_law_and_writes_dates_as_the_language_does(people: dict[str, Any]) -> None:
    british = make_ticket(country="GB", region="SCT")
    finnish_ticket = make_ticket()

    fi = in_language(people["agent"], "fi").get("/staff/tickets/").content.decode()
    en = in_language(people["agent"], "en").get("/staff/tickets/").content.decode()

    assert "{#" not in fi and "{#" not in en and "#}" not in en  # the comment stays in the template
    assert "Iso-Britannian tietosuoja-asetus (UK GDPR)" in fi and "EU:n yleinen tietosuoja-asetus" in fi
    assert "<td>uk_gdpr</td>" not in en and "<td>gdpr</td>" not in en and "<td>UK GDPR</td>" in en
    due = british.due_date
    assert f">{due.day}.{due.month}.{due.year}</time>" in fi
    assert f">{due.day} {ENGLISH_MONTHS[due.month - 1][:3]} {due.year}</time>" in en
    assert f'datetime="{finnish_ticket.due_date.isoformat()}"' in en  # machines still read ISO


def test_the_record_in_finnish_shows_every_change_email_escalation_and_access_in_words(
    people: dict[str, Any],
) -> None:
    ticket = worked_ticket(people)
    Queue.objects.get(slug="complaints").managers.add(people["manager"])
    services.ticket_move(ticket_id=ticket.pk, actor=people["manager"], reason="",
                         queue_id=Queue.objects.get(slug="complaints").pk)

    html = visible(in_language(people["manager"], "fi").get(f"/staff/tickets/{ticket.reference}/record/")
                   .content.decode())

    for code in CODES:
        assert code not in html, code
    for expected in ("Otettu käsittelyyn", "Ratkaistu: Osittain toteutettu",
                     "Siirretty jonoon Complaints and questions",
                     "Jono: Data subject requests → Complaints and questions",
                     "Lopputulos: – → Osittain toteutettu",
                     "Järjestelmä (automaattisesti)", "Pyynnön tekijä",
                     "Iso-Britannia, Englanti", "työpäivät: Iso-Britannia, Englanti",
                     "Pian erääntymässä (taso 1)", "Odottaa lähetystä", "(Vastaus)", "(Lisätietopyyntö)",
                     "(Ilmoitus määräajan jatkamisesta)"):
        assert expected in html, expected
    assert "calendar" not in html and "(GB" not in html


def test_the_records_access_log_names_a_file_by_its_number_in_words(people: dict[str, Any]) -> None:
    ticket = make_ticket()
    services.access_record(user=people["agent"], action="download", ticket=ticket, detail="attachment 42")
    services.access_record(user=people["agent"], action="admin", ticket=ticket,
                           detail="admin ticket change 7")

    html = visible(in_language(people["manager"], "fi").get(f"/staff/tickets/{ticket.reference}/record/")
                   .content.decode())

    assert "tiedosto nro 42" in html
    assert "attachment 42" not in html and "admin ticket change" not in html


# --- Dates ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "date", "short", "with_time", "month"), [
    ("fi", "5. tammikuuta 2027", "5.1.2027", "5. tammikuuta 2027 klo 14.30", "tammikuu 2027"),
    ("sv", "5 januari 2027", "2027-01-05", "5 januari 2027 kl. 14:30", "januari 2027"),
    ("en", "5 January 2027", "5 Jan 2027", "5 January 2027, 14:30", "January 2027"),
])
def test_each_language_writes_dates_its_own_way(language: str, date: str, short: str, with_time: str,
                                                month: str) -> None:
    day, moment = datetime.date(2027, 1, 5), datetime.datetime(2027, 1, 5, 14, 30, tzinfo=HELSINKI)
    with translation.override(language):
        assert formats.date_format(day, "DATE_FORMAT") == date
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(moment, "DATETIME_FORMAT") == with_time
        assert formats.date_format(day, "YEAR_MONTH_FORMAT") == month


# --- Cost -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("rounds", [1, 12])
def test_the_timeline_reads_a_fixed_number_of_queries_however_long_the_history(
    people: dict[str, Any], rounds: int, django_assert_num_queries: Any,
) -> None:
    ticket = make_ticket()
    complaints = Queue.objects.get(slug="complaints")
    complaints.members.add(people["agent"])
    for _round in range(rounds):
        services.ticket_claim(ticket_id=ticket.pk, actor=people["agent"])
        services.ticket_assign(ticket_id=ticket.pk, actor=people["agent"], assignee_id=None, reason="")
        services.ticket_add_note(ticket_id=ticket.pk, actor=people["agent"], body="note")
    services.ticket_resolve(ticket_id=ticket.pk, actor=people["agent"], outcome="refused", body="No.",
                            reason="Art. 12(5)")
    ticket.refresh_from_db()

    # the request's files, messages (+authors), their files, history (+users), the users and
    # the queues the history names; translating reasons and labels reads nothing
    with translation.override("fi"), django_assert_num_queries(6):
        timeline = ticket_timeline(ticket)
    changes = [entry for entry in timeline if entry.kind == "change"]
    assert len(changes) == 3 * rounds + 2
    assert changes[-1].text == "Ratkaistu: Ei toteutettu"


def test_the_managers_digest_names_its_day_in_the_staff_language(
    people: dict[str, Any], settings: Any,
) -> None:
    from tickets.services.digest import digest_send

    settings.DESK_STAFF_LANGUAGE = "fi"
    today = datetime.date(2026, 3, 30)
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(due_date=today + datetime.timedelta(days=2))

    assert digest_send(today=today) == 1

    digest = Outbox.objects.get(event="digest")
    assert digest.subject.endswith("(30. maaliskuuta 2026)"), digest.subject
    assert "2026-03-30" not in digest.subject and "2026-03-30" not in digest.body_html
