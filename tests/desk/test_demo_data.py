"""The demo desk (`manage.py seed_demo`) as a data protection officer would read it: each request
in its requester's language, of the kind its text asks for, under the law of where its requester
lives; every state of the lifecycle; history in the order it happened, never before receipt; an
audit chain that verifies (issue 16, item 17).

The desk is seeded once for the module inside a transaction that is rolled back at the end, as
Django's setUpTestData does; each test runs in a savepoint within it.
"""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from desk.management.commands.seed_demo import DemoDesk, demo_sign_ins
from notifications.models import Outbox
from tickets.lifecycle import OPEN_STATUSES, WAITING_STATUSES, Status
from tickets.models import ClockPause, Extension, Message, Satisfaction, Ticket

pytestmark = pytest.mark.django_db

# Words common in one language and not a word of the other two (so "on", "en", "i", "me", which
# are words in two of them, are left out). A text is in the language whose words it uses most.
LANGUAGE_WORDS = {
    "fi": {"ja", "että", "ei", "olen", "olemme", "olet", "on", "onko", "minun", "minusta",
           "minulle", "tietoja", "tietojani", "tietoni", "tiedot", "tietojasi", "tietosi",
           "pyydän", "haluan", "kiitos", "tai", "kun", "myös", "mutta", "koska", "ovat", "oli",
           "sekä", "jos", "voi", "voimme", "emme", "sinulle", "sinun", "teillä", "teiltä", "hei",
           "vielä", "nyt", "kaikki", "mitä", "mitään", "siitä", "tämä", "jotta", "jo", "ole",
           "eikä", "ettei", "yhä", "niitä", "sen", "se", "asia", "asiassa", "kerro", "kerromme", "tilisi",
           "lain", "mukaan"},
    "sv": {"och", "att", "jag", "är", "mina", "mig", "min", "mitt", "uppgifter",
           "personuppgifter", "vi", "ni", "inte", "för", "med", "har", "det", "som", "den",
           "till", "om", "på", "av", "tack", "hej", "vänliga", "hälsningar", "er", "ert", "dig",
           "du", "din", "ditt", "dina", "kan", "vill", "också", "eller", "när", "från", "så",
           "nej", "får", "snabbt", "dagen", "ärendet", "samma", "kom"},
    "en": {"the", "and", "my", "to", "of", "you", "we", "please", "is", "your", "that", "this",
           "have", "for", "with", "are", "our", "it", "was", "not", "be", "would", "like",
           "dear", "thank", "thanks", "regards", "data", "from", "all", "about", "any", "us", "will"},
}
FINNISH_ENDINGS = ("ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "lle", "ksi", "ään",
                   "aan", "iin", "mme", "nsa", "nsä")
# What each kind of request asks for, in the words people use (word stems, lower case).
KIND_WORDS = {
    "access": {"fi": ["kopio", "jäljennö", "mitä tietoja", "haluan nähdä", "pyydän kaikki"],
               "sv": ["kopia"], "en": ["copy", "access", "request to know", "which personal data"]},
    "rectification": {"fi": ["korja"], "sv": ["rätta", "felstavat"],
                      "en": ["correct", "incorrect"]},
    "erasure": {"fi": ["poista"], "sv": ["radera"], "en": ["delete"]},
    "restriction": {"fi": ["ettette käytä", "rajoit"], "sv": ["begräns"],
                    "en": ["restrict", "stop using"]},
    "portability": {"fi": ["koneluettav", "siirtää"], "sv": ["maskinläsbar", "flytta"],
                    "en": ["machine-readable", "transfer my"]},
    "objection": {"fi": ["vastustan", "kiellän"], "sv": ["motsätter"], "en": ["object to"]},
    "opt_out": {"en": ["opt out", "do not sell"]},
    "consent_withdrawal": {"fi": ["suostumu"], "sv": ["samtycke"], "en": ["consent"]},
    "complaint": {"fi": ["valit", "ei ole hyväksyttävää", "tietosuojan vastaista"],
                  "sv": ["klaga"], "en": ["complain"]},
    "question": {"fi": ["?"], "sv": ["?"], "en": ["?"]},
}
# Where a requester lives decides the law; written out here, apart from tickets/regions.py.
REGIMES = {("FI", ""): "gdpr", ("SE", ""): "gdpr", ("DE", ""): "gdpr", ("GB", "ENG"): "uk_gdpr",
           ("GB", "SCT"): "uk_gdpr", ("GB", "WLS"): "uk_gdpr", ("GB", "NIR"): "uk_gdpr",
           ("US", "CA"): "ccpa", ("US", "VA"): "us_va", ("US", "CO"): "us_co", ("BR", ""): "lgpd",
           ("CA", ""): "pipeda", ("CH", ""): "fadp"}
LANGUAGES_OF = {"FI": {"fi", "sv"}, "SE": {"sv"}}  # everyone else writes in English
US_REGIMES = {"ccpa", "us_va", "us_co", "us_ct", "us_ut", "us_or"}


@pytest.fixture(scope="module")
def demo_desk(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[Ticket]]:
    """The demo desk, seeded once (with a fast password hasher: the seed's four staff passwords
    are not what is under test here)."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            yield list(Ticket.objects.order_by("id"))
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def language_of(text: str) -> str:
    """The language whose words the text uses most; Finnish also counts its case and person
    endings, as its words rarely repeat in one form ("osoitteisiin", "odotamme")."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    counts = {language: sum(word in markers for word in words)
              for language, markers in LANGUAGE_WORDS.items()}
    counts["fi"] += sum(len(word) > 4 and word.endswith(FINNISH_ENDINGS) for word in words)
    first, second = sorted(counts, key=counts.__getitem__, reverse=True)[:2]
    return first if counts[first] > counts[second] else "unclear"


def test_the_language_detector_tells_the_three_apart() -> None:
    assert language_of("Haluan nähdä, mitä tietoja minusta on tallennettu.") == "fi"
    assert language_of("Jag vill ha en kopia av mina uppgifter.") == "sv"
    assert language_of("Please send me a copy of my data.") == "en"
    assert language_of("Thank you for your message.") != "fi"  # the old seed's reply to a Finn
    assert language_of("Odotamme raporttia kumppanilta.") == "fi"
    assert language_of("Snabbt och smidigt.") == "sv"
    assert language_of("Yes") == "unclear"


def test_every_request_is_written_in_its_tickets_language(demo_desk: list[Ticket]) -> None:
    wrong = [(ticket.reference, ticket.language, language_of(ticket.description))
             for ticket in demo_desk if language_of(ticket.description) != ticket.language]

    assert wrong == []


def test_every_message_reason_and_comment_is_in_the_tickets_language(demo_desk: list[Ticket]) -> None:
    """Replies, notes and the requester's own messages; refusal, extension and rejection
    reasons; satisfaction comments: the requester's language throughout."""
    language = {ticket.pk: ticket.language for ticket in demo_desk}
    texts = [(message.ticket_id, message.body) for message in Message.objects.all()]
    texts += [(ticket.pk, ticket.outcome_reason) for ticket in demo_desk if ticket.outcome_reason]
    texts += [(extension.ticket_id, extension.reason) for extension in Extension.objects.all()]
    texts += [(answer.ticket_id, answer.comment) for answer in Satisfaction.objects.all() if answer.comment]
    texts += [(entry.id, entry.history_change_reason.removeprefix("rejected: "))
              for entry in Ticket.history.filter(status=Status.REJECTED, history_type="~")]
    wrong = [(ticket_id, text[:60]) for ticket_id, text in texts if language_of(text) != language[ticket_id]]

    assert len(texts) > 80
    assert wrong == []


def test_each_request_asks_for_what_its_kind_says(demo_desk: list[Ticket]) -> None:
    wrong = [(ticket.reference, ticket.kind, ticket.description[:60]) for ticket in demo_desk
             if not any(word in ticket.description.lower()
                        for word in KIND_WORDS[ticket.kind].get(ticket.language, []))]

    assert {ticket.kind for ticket in demo_desk} == set(KIND_WORDS)
    assert wrong == []


def test_each_requester_lives_where_their_law_and_language_apply(demo_desk: list[Ticket]) -> None:
    places = [(ticket.requester_country, ticket.requester_region) for ticket in demo_desk]
    regimes = [REGIMES.get(place) for place in places]
    languages_fit = [ticket.language in LANGUAGES_OF.get(ticket.requester_country, {"en"})
                     for ticket in demo_desk]

    assert [ticket.regime for ticket in demo_desk] == regimes
    assert all(languages_fit)
    assert set(regimes) == set(REGIMES.values())  # every law the desk knows of here
    assert {ticket.regime for ticket in demo_desk if ticket.kind == "opt_out"} <= US_REGIMES
    assert Counter(ticket.language for ticket in demo_desk)["fi"] >= 15


def test_every_state_of_the_lifecycle_is_there(demo_desk: list[Ticket]) -> None:
    today = timezone.localdate()
    running = OPEN_STATUSES - WAITING_STATUSES
    overdue = [t for t in demo_desk if t.status in running and t.due_date < today]
    due_this_week = [t for t in demo_desk if t.status in running and 0 <= (t.due_date - today).days <= 7]
    escalated_complaints = [t for t in demo_desk if t.kind == "complaint" and t.escalation_level >= 2]
    unexplained = [t.reference for t in demo_desk if t.outcome in ("partly_fulfilled", "refused")
                   and not t.outcome_reason]
    open_identity_pauses = ClockPause.objects.filter(kind="identity", ended_at__isnull=True)

    assert {t.status for t in demo_desk} == {status.value for status in Status}
    assert {t.outcome for t in demo_desk} >= {"fulfilled", "partly_fulfilled", "refused", "withdrawn"}
    assert unexplained == []
    assert open_identity_pauses.count() >= 2
    assert len([e for e in Extension.objects.filter(ticket__status__in=running) if e.reason]) >= 2
    assert len(overdue) >= 2
    assert len(due_this_week) >= 2
    assert escalated_complaints
    assert Satisfaction.objects.count() >= 10


def test_open_tickets_are_worked_by_agents_and_the_manager(demo_desk: list[Ticket]) -> None:
    started = [t for t in demo_desk if t.status in OPEN_STATUSES and t.status != Status.NEW]
    new = [t for t in demo_desk if t.status == Status.NEW]

    assert all(ticket.assignee is not None for ticket in started)
    assert {str(ticket.assignee) for ticket in started} == {"agent", "agent2", "manager"}
    assert new and all(ticket.assignee is None for ticket in new)


def test_around_forty_different_people_wrote(demo_desk: list[Ticket]) -> None:
    names = Counter(ticket.requester_name for ticket in demo_desk)

    assert len(demo_desk) == 50
    assert 35 <= len(names) < 50
    # The same person writing again uses the same address.
    assert all(len({t.requester_email for t in demo_desk if t.requester_name == name}) == 1 for name in names)


def test_history_starts_at_receipt_and_runs_in_order(demo_desk: list[Ticket]) -> None:
    now = timezone.now()
    received = {ticket.pk: ticket.received_at for ticket in demo_desk}
    entries: dict[int, list[Any]] = {}
    for entry in Ticket.history.order_by("history_id"):
        entries.setdefault(entry.id, []).append(entry)
    dates = {pk: [entry.history_date for entry in history] for pk, history in entries.items()}
    firsts = [(pk, history[0]) for pk, history in entries.items()]
    later_things: list[tuple[Any, Any]] = [(message.ticket_id, message.created_at)
                                           for message in Message.objects.all()]
    later_things += [(pause.ticket_id, pause.started_at) for pause in ClockPause.objects.all()]
    later_things += [(pause.ticket_id, pause.ended_at) for pause in ClockPause.objects.exclude(ended_at=None)]
    later_things += [(row.ticket_id, row.created_at) for row in Outbox.objects.exclude(ticket=None)]
    answers = Satisfaction.objects.select_related("ticket")

    assert [pk for pk, seen in dates.items() if seen != sorted(seen)] == []
    assert all(first.history_type == "+" and first.history_date == received[pk] for pk, first in firsts)
    assert all(received[pk] <= date <= now for pk, seen in dates.items() for date in seen)
    assert all(received[pk] <= at <= now for pk, at in later_things)
    assert all(answer.answered_at >= (answer.ticket.resolved_at or now) for answer in answers)
    assert len({at.date() for at in received.values()}) > 30  # spread over the weeks, not one day
    assert now - min(received.values()) > datetime.timedelta(weeks=8)


def test_the_past_emails_were_sent_at_their_time(demo_desk: list[Ticket]) -> None:
    """Nothing of the past waits in the outbox to be sent when the desk starts."""
    acknowledgements = Outbox.objects.filter(event="acknowledgement")

    assert not Outbox.objects.exclude(state=Outbox.State.SENT).exists()
    assert acknowledgements.count() == len(demo_desk)
    assert all(row.ticket and row.sent_at == row.ticket.received_at
               for row in acknowledgements.select_related("ticket"))


def test_the_audit_chains_verify(demo_desk: list[Ticket]) -> None:
    out = io.StringIO()
    call_command("verify_audit", "--no-anchor", stdout=out)

    assert "Every ticket history is intact." in out.getvalue()


def test_if_empty_leaves_a_seeded_desk_alone_and_prints_the_sign_ins(demo_desk: list[Ticket]) -> None:
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)

    assert Ticket.objects.count() == len(demo_desk)
    assert out.getvalue().splitlines() == demo_sign_ins()
    assert [line.split()[0] for line in demo_sign_ins()[2:]] == ["agent", "agent2", "manager", "dpo"]


def test_the_plan_is_the_same_on_every_run() -> None:
    now = timezone.now()

    first, second = DemoDesk(now=now, staff={}).plan(), DemoDesk(now=now, staff={}).plan()

    assert [moment.at for moment in first] == [moment.at for moment in second]
    assert all(moment.at < now for moment in first)
