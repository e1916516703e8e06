"""A ticket's deadlines explained in its reader's language (issue 16, items 3, 4 and 11): the
engine's messages rendered with gettext and the locale's date formats, holidays named in the
page's language, the staff's labels for each deadline, stored tickets from before explained
anyway, and the three screens that show them (ticket page, compliance record, status page)."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from tests.deadlines.helpers import marked_messages
from tests.support.people import client_for, make_ticket
from tests.support.status_links import open_status_link, secret_of
from tickets import clock, explanations, services
from tickets.deadlines import REGIMES
from tickets.lifecycle import Status
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")
LANGUAGES = ("fi", "sv", "en")
MARKED = marked_messages()
EVENT_CODES = sorted({event for events in REGIMES.values() for event in events})
# English that must never reach a Finnish or Swedish page from the engine.
ENGLISH_LAW = re.compile(r"is due by|Legal basis|GDPR Art\.|Reg\. 1182/71|business day|working day|"
                         r"after receipt|not statutory|research/|\.md\b")


def at(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=HELSINKI)


def visible(page: str) -> str:
    """The page's text as a reader sees it: no tags, no comments, entities decoded."""
    page = re.sub(r"<!--.*?-->|<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def section(page: str, start: str, end: str) -> str:
    begin = page.index(start)
    return page[begin:page.index(end, begin)]


def christmas_ticket(**extra: Any) -> Ticket:
    # Received Wed 25 Nov 2026 in Finland: one month ends on Christmas Day (a Friday), then
    # Boxing Day and Sunday: due Monday 28 December 2026.
    return make_ticket(received_at=at(2026, 11, 25), **extra)


def explained(ticket: Ticket, language: str) -> explanations.ExplainedSchedule:
    with translation.override(language):
        return explanations.ticket_deadlines(ticket)


# --- the stored structure -------------------------------------------------------------------

def test_a_new_ticket_keeps_each_deadlines_wording() -> None:
    ticket = christmas_ticket()

    stored = ticket.deadlines["deadlines"]["respond"]
    assert stored["due"] == "2026-12-28"
    assert stored["wording"]["explanation"][0]["args"]["due"] == {"date": "2026-12-28"}
    moved = stored["wording"]["explanation"][-1]
    assert moved["args"]["days"]["closed_days"][0] == {
        "date": "2026-12-25", "name": "Christmas Day", "kind": "holiday", "calendar": "FI"}
    assert [message["msgid"] for message in stored["wording"]["basis"]] == [
        "GDPR Art. 12(3)", "Reg. 1182/71 Art. 3(2)(c), 3(4)"]


def test_the_api_gives_the_structure_with_the_ticket() -> None:
    ticket = christmas_ticket()
    schedule = clock.schedule(regime=ticket.regime, kind=ticket.kind, calendar_code=ticket.calendar,
                              received_at=ticket.received_at)
    assert schedule.explanation == ticket.deadlines
    assert "wording" in schedule.explanation["deadlines"]["extension_notice"]


# --- rendering ------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "holiday", "expected"), [
    ("fi", "25. joulukuuta 2026 (Joulupäivä)", "Tietosuoja-asetuksen mukainen vastaus 25. marraskuuta 2026"),
    ("sv", "25 december 2026 (Juldagen)", "Svaret enligt dataskyddsförordningen på en begäran som kom in "
                                           "den 25 november 2026"),
    ("en", "25 December 2026 (Christmas Day)", "The GDPR response to a request received on 25 November 2026"),
])
def test_the_explanation_speaks_the_readers_language_with_its_dates_and_holidays(
    language: str, holiday: str, expected: str,
) -> None:
    final = explained(christmas_ticket(), language).final

    assert final is not None and final.name == "respond"
    assert final.explanation_text.startswith(expected)
    assert holiday in final.explanation_text
    labels = {"fi": "Vastaus pyyntöön", "sv": "Svar på begäran", "en": "Response to the request"}
    assert final.label == labels[language]
    if language != "en":
        assert not ENGLISH_LAW.search(final.explanation_text + final.basis_text), final.explanation_text


def test_the_legal_basis_is_cited_as_the_readers_legal_writing_does() -> None:
    ticket = christmas_ticket()
    assert explained(ticket, "fi").final.basis == (  # type: ignore[union-attr]
        "tietosuoja-asetuksen 12 artiklan 3 kohta",
        "asetuksen (ETY, Euratom) N:o 1182/71 3 artiklan 2 kohdan c alakohta ja 4 kohta",
    )
    assert explained(ticket, "sv").final.basis[0] == "dataskyddsförordningen artikel 12.3"  # type: ignore[union-attr]
    assert explained(ticket, "en").final.basis_text == ticket.deadlines["deadlines"]["respond"]["basis"]  # type: ignore[union-attr]


def test_the_service_level_says_in_words_it_is_not_a_law() -> None:
    ticket = make_ticket(kind="complaint", received_at=at(2026, 3, 2))
    finnish = explained(ticket, "fi")
    resolution = finnish.final
    assert resolution is not None and resolution.name == "resolution"
    assert resolution.basis_text.startswith("Organisaation oma palvelutaso, ei laki")
    assert "research" not in resolution.basis_text
    assert explained(ticket, "en").final.basis_text.startswith(  # type: ignore[union-attr]
        "The organisation's own service level, not a law")
    assert [row.label for row in finnish.deadlines] == ["Ensimmäinen vastaus", "Ratkaisu"]


def test_a_holiday_the_package_cannot_name_in_the_language_is_called_a_public_holiday() -> None:
    # England's Good Friday (3 April 2026): the holidays package has no Finnish for England.
    ticket = make_ticket(country="GB", region="ENG", received_at=at(2026, 3, 3))
    finnish = explained(ticket, "fi").final
    assert finnish is not None
    assert "3. huhtikuuta 2026 (yleinen vapaapäivä)" in finnish.explanation_text
    english = explained(ticket, "en").final
    assert "3 April 2026 (Good Friday)" in english.explanation_text  # type: ignore[union-attr]


def test_a_weekend_day_is_called_a_weekend() -> None:
    # Received Sat 31 Jan 2026: one month ends Saturday 28 February, moved to Monday 2 March.
    finnish = explained(make_ticket(received_at=at(2026, 1, 31)), "fi").final
    assert finnish is not None
    assert "28. helmikuuta 2026 (viikonloppu), 1. maaliskuuta 2026 (viikonloppu) eivät ole työpäiviä" in (
        finnish.explanation_text)


def test_the_requester_is_told_the_law_the_period_and_the_moved_day() -> None:
    finnish = explained(christmas_ticket(), "fi").final
    assert finnish is not None
    assert finnish.requester == (
        "EU:n yleinen tietosuoja-asetus antaa meille aikaa kuukauden siitä, kun saimme pyyntösi "
        "25. marraskuuta 2026.",
        "Määräaika päättyisi 25. joulukuuta 2026 (Joulupäivä), joka on vapaapäivä, joten se siirtyy "
        "seuraavaan työpäivään.",
    )


def test_every_message_the_engine_can_say_is_in_finnish_and_swedish() -> None:
    for language in ("fi", "sv"):
        with translation.override(language):
            for texts in MARKED:
                if len(texts) == 2:
                    assert translation.ngettext(texts[0], texts[1], 2) != texts[1], (language, texts)
                    assert translation.ngettext(texts[0], texts[1], 1) != texts[0], (language, texts)
                else:
                    assert translation.gettext(texts[0]) != texts[0], (language, texts)


def test_every_deadline_of_every_law_has_a_staff_label_in_every_language() -> None:
    assert set(EVENT_CODES) <= set(explanations.EVENT_LABELS)
    labels = {}
    for language in LANGUAGES:
        with translation.override(language):
            labels[language] = [explanations.event_label(code) for code in EVENT_CODES]
            assert explanations.event_label("some_future_event") != "some_future_event"
    for index, code in enumerate(EVENT_CODES):
        assert labels["fi"][index] != labels["en"][index] != code
        assert labels["sv"][index] != labels["en"][index]


# --- tickets stored before the wording ------------------------------------------------------

def strip_wording(ticket: Ticket) -> Ticket:
    """The ticket as stored before issue 16: English sentences and no wording."""
    old = ticket.deadlines
    for deadline in old["deadlines"].values():
        deadline.pop("wording")
    Ticket.objects.filter(pk=ticket.pk).update(deadlines=old)
    return Ticket.objects.get(pk=ticket.pk)


def test_a_ticket_stored_before_the_wording_is_explained_from_a_fresh_computation(
    django_assert_num_queries: Any,
) -> None:
    ticket = strip_wording(christmas_ticket())
    with translation.override("fi"), django_assert_num_queries(2):  # the pauses and the extension
        legacy = explanations.ticket_deadlines(ticket)
    assert legacy.final is not None
    assert legacy.final.explanation_text.startswith("Tietosuoja-asetuksen mukainen vastaus")
    with translation.override("fi"), django_assert_num_queries(0):  # what the page has read is used
        given = explanations.ticket_deadlines(ticket, pauses=[], extension=None)
    assert given == legacy


def test_a_stored_ticket_with_its_wording_costs_no_query(django_assert_num_queries: Any) -> None:
    ticket = Ticket.objects.get(pk=christmas_ticket().pk)
    with translation.override("sv"), django_assert_num_queries(0):
        assert explanations.ticket_deadlines(ticket).final is not None


def test_a_message_the_catalogue_no_longer_knows_is_explained_afresh() -> None:
    ticket = christmas_ticket()
    old = ticket.deadlines
    old["deadlines"]["respond"]["wording"]["explanation"][1]["msgid"] = "A wording since changed: %(end)s."
    Ticket.objects.filter(pk=ticket.pk).update(deadlines=old)
    stale = Ticket.objects.get(pk=ticket.pk)

    finnish = explained(stale, "fi").final
    assert finnish is not None and "A wording since changed" not in finnish.explanation_text
    assert "Kuukausi vastaanotosta päättyy 25. joulukuuta 2026." in finnish.explanation_text
    # English needs no catalogue: the stored words are the English ones.
    assert "A wording since changed" in explained(stale, "en").final.explanation_text  # type: ignore[union-attr]


def test_a_stored_message_that_cannot_be_rendered_is_explained_afresh() -> None:
    ticket = christmas_ticket()
    old = ticket.deadlines
    old["deadlines"]["respond"]["wording"]["explanation"][1]["args"]["end"] = {"colour": "red"}
    Ticket.objects.filter(pk=ticket.pk).update(deadlines=old)
    final = explained(Ticket.objects.get(pk=ticket.pk), "fi").final
    assert final is not None
    assert "Kuukausi vastaanotosta päättyy 25. joulukuuta 2026." in final.explanation_text


CITATIONS = {"msgid": "Legal basis: %(citations)s.", "args": {"citations": {"messages": [
    {"msgid": "GDPR Art. 12(3)", "args": {}}, {"msgid": "GDPR Art. 33(1)", "args": {}}]}}}
CLOCK_CHANGE = {
    "msgid": "The clocks change within the 72 hours: the earlier of 72 hours by the wall clock (%(wall)s) "
             "and of elapsed time (%(elapsed)s) is used.",
    "args": {"wall": {"moment": "2026-03-30T14:30+03:00"}, "elapsed": {"moment": "2026-03-30T13:30"}},
}
HOURS = {
    "msgid": "It is counted as %(amount)d business hour of working time (%(opening)s-%(closing)s on "
             "working days) after receipt.",
    "plural": "It is counted as %(amount)d business hours of working time (%(opening)s-%(closing)s on "
              "working days) after receipt.",
    "count": "amount",
    "args": {"amount": 4, "opening": {"time": "08:00"}, "closing": {"time": "16:00"}},
}
ORGANISATION_DAY = {
    "msgid": "%(days)s is not a working day, so the deadline moves to the next working day.",
    "plural": "%(days)s are not working days, so the deadline moves to the next working day.",
    "count": "count",
    "args": {"count": 1, "days": {"closed_days": [
        {"date": "2026-12-31", "name": "organisation closed day", "kind": "organisation",
         "calendar": "FI"}]}},
}


def test_arguments_of_every_kind_render() -> None:
    with translation.override("fi"):
        assert explanations.render(CITATIONS) == (
            "Oikeusperuste: tietosuoja-asetuksen 12 artiklan 3 kohta; "
            "tietosuoja-asetuksen 33 artiklan 1 kohta.")
        assert "30. maaliskuuta 2026 klo 14.30" in explanations.render(CLOCK_CHANGE)
        assert explanations.render(HOURS) == (
            "Määräaikaan lasketaan 4 työtuntia (työpäivinä 8.00–16.00) vastaanoton jälkeen.")
        assert explanations.render(ORGANISATION_DAY).startswith(
            "31. joulukuuta 2026 (organisaation oma vapaapäivä) ei ole työpäivä")


@pytest.mark.parametrize("broken", [
    {"msgid": "%(x)s"},  # an argument missing
    {"msgid": "%(x)s", "args": {"x": True}},  # a value with no words
    {"msgid": "%(x)s", "args": {"x": {"a": 1, "b": 2}}},  # an unknown shape
    {"msgid": "%(x)s", "args": {"x": {"colour": "red"}}},  # an unknown type
    {"args": {}},  # no message id
])
def test_a_message_that_cannot_be_rendered_says_so(broken: dict[str, Any]) -> None:
    with pytest.raises(explanations.Unrenderable):
        explanations.render(broken)


def test_holiday_names_come_from_the_package_in_the_language_it_has() -> None:
    christmas = datetime.date(2026, 12, 25)
    assert explanations.holiday_name("FI", christmas, "fi") == "Joulupäivä"
    assert explanations.holiday_name("FI", christmas, "sv") == "Juldagen"
    assert explanations.holiday_name("SE", christmas, "sv") == "Juldagen"
    assert explanations.holiday_name("GB-SCT", christmas, "fi") is None
    assert explanations.holiday_name("FI", datetime.date(2026, 12, 22), "fi") is None  # an ordinary day
    assert explanations.holiday_name("XX", christmas, "fi") is None


# --- a finished ticket's deadline -----------------------------------------------------------

def test_a_finished_ticket_says_when_it_was_answered_or_closed(people: dict[str, Any]) -> None:
    agent = people["agent"]
    on_time = make_ticket(received_at=at(2026, 3, 2))
    late = make_ticket(received_at=at(2026, 3, 2))
    withdrawn = make_ticket(received_at=at(2026, 3, 2))
    rejected = make_ticket(received_at=at(2026, 3, 2))
    with time_machine.travel(at(2026, 3, 20), tick=False):
        for ticket in (on_time, withdrawn, rejected):
            services.ticket_claim(ticket_id=ticket.pk, actor=agent)
        services.ticket_resolve(ticket_id=on_time.pk, actor=agent, outcome="fulfilled", body="Here.")
        services.ticket_transition(ticket_id=withdrawn.pk, actor=agent, target=Status.WITHDRAWN,
                                   reason="The requester withdrew by phone.")
        services.ticket_reject(ticket_id=rejected.pk, actor=agent, reason="Manifestly unfounded.")
    with time_machine.travel(at(2026, 4, 8), tick=False):
        services.ticket_claim(ticket_id=late.pk, actor=agent)
        services.ticket_resolve(ticket_id=late.pk, actor=agent, outcome="fulfilled", body="Sorry.")
        services.ticket_close(ticket_id=on_time.pk, actor=agent, reason="Done.")
    with translation.override("en"):
        texts = {name: explanations.finished_text(Ticket.objects.get(pk=ticket.pk)) for name, ticket in (
            ("on_time", on_time), ("late", late), ("withdrawn", withdrawn), ("rejected", rejected))}
        assert explanations.finished_text(make_ticket()) == ""
    assert texts == {
        "on_time": "Answered on 20 March 2026, on time. Closed on 8 April 2026.",
        "late": "Answered on 8 April 2026, 6 days after the deadline.",
        "withdrawn": "Withdrawn by the requester on 20 March 2026.",
        "rejected": "Rejected on 20 March 2026.",
    }
    with translation.override("fi"):
        assert explanations.finished_text(Ticket.objects.get(pk=late.pk)) == (
            "Vastattu 8. huhtikuuta 2026, 6 päivää määräajan jälkeen.")


# --- the screens ----------------------------------------------------------------------------

def staff_page(user: Any, ticket: Ticket, language: str, path: str = "") -> str:
    response = client_for(user, HTTP_ACCEPT_LANGUAGE=language).get(
        f"/staff/tickets/{ticket.reference}/{path}")
    assert response.status_code == 200
    return response.content.decode()


def assert_no_code_path_or_english(text: str, language: str) -> None:
    for code in EVENT_CODES:
        assert not re.search(rf"\b{code}\b", text), code
    assert "research/" not in text and "lang=\"en\"" not in text
    if language != "en":
        assert not ENGLISH_LAW.search(text), ENGLISH_LAW.search(text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_ticket_page_explains_the_deadline_in_the_staffs_language(
    people: dict[str, Any], language: str,
) -> None:
    ticket = christmas_ticket()
    page = staff_page(people["agent"], ticket, language)
    part = section(page, 'aria-labelledby="deadline-title"', "</section>")
    text = visible(part)

    assert_no_code_path_or_english(part, language)
    with translation.override(language):
        final = explanations.ticket_deadlines(ticket).final
        labels = [str(explanations.EVENT_LABELS[name]) for name in ("respond", "extension_notice")]
    assert final is not None and final.explanation_text in text
    for label in labels:
        assert label in text
    assert {"fi": "Oikeusperuste", "sv": "Rättslig grund", "en": "Legal basis"}[language] in text


def test_a_resolved_ticket_shows_when_it_was_answered_not_days_left(people: dict[str, Any]) -> None:
    ticket = christmas_ticket()
    with time_machine.travel(at(2026, 12, 1), tick=False):
        services.ticket_claim(ticket_id=ticket.pk, actor=people["agent"])
        services.ticket_resolve(ticket_id=ticket.pk, actor=people["agent"], outcome="fulfilled", body="Here.")
    text = visible(section(staff_page(people["agent"], ticket, "fi"), 'aria-labelledby="deadline-title"',
                           "</section>"))
    assert "Vastattu 1. joulukuuta 2026, määräajassa." in text
    assert "jäljellä" not in text and "myöhässä" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compliance_record_tabulates_the_deadlines_in_words(
    people: dict[str, Any], language: str,
) -> None:
    ticket = christmas_ticket()
    page = staff_page(people["manager"], ticket, language, "record/")
    part = section(page, 'id="deadlines"', "</table>")

    assert_no_code_path_or_english(part, language)
    with translation.override(language):
        rows = explanations.ticket_deadlines(ticket).deadlines
    text = visible(part)
    for row in rows:
        assert row.label in text and row.basis_text in text and row.explanation_text in text
        assert row.due_text in text


def status_page(ticket: Ticket, language: str) -> str:
    client = Client(headers={"accept-language": language})
    assert open_status_link(client, secret_of(services.status_link_issue(ticket))).status_code == 303
    response = client.get("/status/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("language", "why", "told"), [
    ("fi", "Miksi tämä päivä", "EU:n yleinen tietosuoja-asetus antaa meille aikaa kuukauden"),
    ("sv", "Varför detta datum", "EU:s allmänna dataskyddsförordning ger oss en månad"),
    ("en", "Why this date", "The EU General Data Protection Regulation gives us one month"),
])
def test_the_requester_reads_why_their_date_is_what_it_is(language: str, why: str, told: str) -> None:
    page = status_page(christmas_ticket(), language)
    text = visible(section(page, '<dl class="summary-list">', "</dl>"))

    assert why in text and told in text
    assert {"fi": "Joulupäivä", "sv": "Juldagen", "en": "Christmas Day"}[language] in text
    assert_no_code_path_or_english(section(page, '<dl class="summary-list">', "</dl>"), language)


def test_a_finished_request_is_not_explained_a_deadline(people: dict[str, Any]) -> None:
    ticket = christmas_ticket()
    services.ticket_claim(ticket_id=ticket.pk, actor=people["agent"])
    services.ticket_resolve(ticket_id=ticket.pk, actor=people["agent"], outcome="fulfilled", body="Here.")
    assert "Miksi tämä päivä" not in status_page(ticket, "fi")
