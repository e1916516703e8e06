"""A realistic desk for the benches: N tickets over two years of arrivals, in the proportions a
European privacy desk sees, with the rows the dashboard and the compliance record read: history,
extensions, escalations, satisfaction answers, the open pauses of waiting tickets and a few
messages.

Why not bulk_create_with_history as bench/sweep.py does: at a million tickets it takes minutes of
ORM work. Here the rows go in with PostgreSQL COPY, in one transaction (a crash leaves the bench
database as it was), with the tables' secondary indexes dropped and rebuilt after the load and the
foreign-key triggers off while loading (every reference is made here, consistently). Columns come
from the models, so a field added later gets its default without a change here, and a required
one without a default stops the load loudly instead of being guessed.

Why the deadline engine is asked: due dates, first-response and acknowledgement dates, and the
`deadlines` explanation (about 3 KB of JSON per ticket, which is most of a ticket row's width and
so of a table scan's cost) are the engine's, computed once per regime, kind, calendar and weekday
of receipt and shifted to each ticket's receipt date (holidays after the reference week are not
shifted: a due date can be a day off from the engine's, which no figure here depends on).

The same N, days and random seed give the same rows, relative to the moment of seeding (`as_of`),
which the manifest keeps (table bench_seed) so that a bench can reuse a seeded database.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import json
import math
import random
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Generic, TypeVar

from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.utils import timezone

from desk import crypto
from desk.fields import EmailDigestField, EncryptedTextField
from tickets import clock
from tickets.choices import Kind, MessageKind, Outcome, PauseKind, Priority, Regime
from tickets.models import (
    ClockPause,
    Escalation,
    Extension,
    Message,
    Queue,
    ReferenceCounter,
    Satisfaction,
    Ticket,
)

# Bump when the rows change shape or spread: a database seeded by another version is reseeded.
SEED_VERSION = 2  # 2: encrypted columns and the email digest
MANIFEST = "bench_seed"
BATCH = 10_000
MANAGER = "bench-manager"
AGENT_COUNT = 20
US_QUEUE = "us-requests"
# The tickets' own tables, emptied before a load; queues and users stay.
TICKET_TABLES = ("tickets_ticket", "tickets_historicalticket", "tickets_historicalmessage",
                 "tickets_historicalattachment", "tickets_historicalclockpause",
                 "tickets_historicalextension", "tickets_historicalsatisfaction",
                 "tickets_referencecounter")

T = TypeVar("T")


# --- The spreads ----------------------------------------------------------------------------

REGIMES: dict[str, float] = {
    Regime.GDPR: 70, Regime.UK_GDPR: 11, Regime.CCPA: 8, Regime.US_VA: 1.5, Regime.US_CO: 1,
    Regime.US_CT: 1, Regime.US_OR: 0.5, Regime.US_UT: 0.5, Regime.LGPD: 2, Regime.PIPEDA: 2.5,
    Regime.FADP: 2,
}
US_REGIMES = frozenset({Regime.CCPA, Regime.US_VA, Regime.US_CO, Regime.US_CT, Regime.US_OR,
                        Regime.US_UT})
# The working-day calendar a ticket of each regime counts with (a code, as the engine takes it).
CALENDARS: dict[str, dict[str, float]] = {
    Regime.GDPR: {"FI": 70, "SE": 20, "DE": 10},
    Regime.UK_GDPR: {"GB-ENG": 82, "GB-SCT": 10, "GB-WLS": 5, "GB-NIR": 3},
    Regime.CCPA: {"US-CA": 1},
    **{regime: {"US": 1} for regime in US_REGIMES - {Regime.CCPA}},
    Regime.LGPD: {"BR": 1},
    Regime.PIPEDA: {"CA": 1},
    Regime.FADP: {"CH": 80, "CH-ZH": 20},
}
LANGUAGES: dict[str, dict[str, float]] = {"FI": {"fi": 85, "sv": 10, "en": 5}, "SE": {"sv": 85, "en": 15}}
EUROPEAN_KINDS: dict[str, float] = {
    Kind.ACCESS: 30, Kind.ERASURE: 20, Kind.COMPLAINT: 12, Kind.OBJECTION: 8, Kind.RECTIFICATION: 8,
    Kind.QUESTION: 7, Kind.CONSENT_WITHDRAWAL: 6, Kind.PORTABILITY: 4, Kind.RESTRICTION: 3,
    Kind.OPT_OUT: 2,
}
US_KINDS: dict[str, float] = {
    Kind.OPT_OUT: 35, Kind.ACCESS: 25, Kind.ERASURE: 25, Kind.RECTIFICATION: 5, Kind.QUESTION: 5,
    Kind.COMPLAINT: 5,
}
# Median working days from receipt to resolution; spread log-normally (sigma below), so that
# about one ticket in ten runs past its first due date and a few past the extended one.
RESOLUTION_MEDIAN: dict[str, float] = {
    Kind.COMPLAINT: 13, Kind.ACCESS: 11, Kind.PORTABILITY: 11, Kind.ERASURE: 8,
    Kind.RECTIFICATION: 6, Kind.RESTRICTION: 6, Kind.OBJECTION: 4, Kind.CONSENT_WITHDRAWAL: 3,
    Kind.OPT_OUT: 3, Kind.QUESTION: 4,
}
RESOLUTION_SIGMA = 0.6
# Working days to the first response, 0 to 10.
FIRST_RESPONSE_DAYS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
FIRST_RESPONSE_WEIGHTS = (30, 28, 16, 9, 6, 4, 3, 2, 1, 0.6, 0.4)
REFUSED_SHARE: dict[str, float] = {Kind.COMPLAINT: 0.20, Kind.ERASURE: 0.14, Kind.OBJECTION: 0.12,
                                   Kind.ACCESS: 0.06}
PARTLY_SHARE = 0.12
# Calendar days an extension adds: two further months (GDPR Art. 12(3)), 45 days (US), else 30.
EXTENSION_DAYS: dict[str, int] = {Regime.GDPR: 61, Regime.UK_GDPR: 61, Regime.FADP: 61,
                                  **dict.fromkeys(US_REGIMES, 45)}
WITHDRAWN_SHARE = 0.02
REJECTED_SHARE = 0.01
STRAGGLER_SHARE = 0.003  # open long past its due date
SATISFACTION_SHARE = 0.42
SCORES = (5, 4, 3, 2, 1)
SCORE_WEIGHTS = {"fulfilled": (46, 24, 12, 7, 11), "refused": (10, 12, 18, 20, 40),
                 "late": (25, 22, 18, 15, 20)}
MESSAGE_SHARE = 0.02
# Arrivals: more on weekdays, in office hours (the organisation's zone), and growing over time.
WEEKDAY_WEIGHTS = (1.25, 1.15, 1.1, 1.05, 0.95, 0.35, 0.4)
HOUR_WEIGHTS = (1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 4, 6, 7, 7, 6, 6, 7, 6, 5, 4, 3, 3, 3, 2.5, 2, 1.5)
FIRST_NAMES = ("Aino", "Eero", "Helmi", "Juho", "Kaisa", "Lauri", "Maria", "Mikko", "Noora", "Olli",
               "Sanna", "Timo", "Anna", "Erik", "Ingrid", "Lars", "Sofia", "Oliver", "Emily", "James",
               "Grace", "Liam", "Maya", "Noah", "Lucas", "Chloe", "Pedro", "Beatriz", "Jonas", "Lea")
LAST_NAMES = ("Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine", "Heikkinen",
              "Koskinen", "Johansson", "Andersson", "Lindqvist", "Smith", "Jones", "Taylor", "Brown",
              "Williams", "Garcia", "Martinez", "Silva", "Santos", "Tremblay", "Roy", "Müller",
              "Schmid", "Meier", "Keller", "Nguyen", "Kim", "Rossi", "Dubois")
SENTENCES = (
    "I would like to know what personal data you hold about me and where you got it.",
    "Please send me a copy of all the data you have about me, including call recordings.",
    "I closed my account last year but I still receive your newsletter every week.",
    "Please delete my account and every copy of my data, including backups where possible.",
    "My address in your customer register is wrong; it should be the one given below.",
    "I never agreed to my data being shared with your partners for marketing.",
    "You sent my invoice to another customer, which shows my name, address and purchases.",
    "I withdraw the consent I gave for the loyalty programme's personalised offers.",
    "Do not sell or share my personal information with third parties.",
    "Which retention period applies to the camera footage from your stores?",
    "I have asked twice already by email and have not had an answer.",
    "Please confirm in writing when this has been done.",
    "My customer number is in the attached letter; my phone number has changed since.",
    "I object to the profiling you use to decide which prices I am shown.",
)


class Weighted(Generic[T]):
    """A weighted draw, its cumulative weights computed once (random.choices recomputes them on
    every call, a tenth of the seeding time at a million tickets)."""

    def __init__(self, weights: Mapping[T, float]) -> None:
        self.values = tuple(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> T:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- Columns in COPY order, from the models ----------------------------------------------------

class Table:
    """One model's table: its columns in COPY order, each with the model's default, so that a
    row needs only the values that differ. JSON columns take their text (already dumped).

    COPY bypasses the fields, so the row does what they do on save: an encrypted column gets its
    ciphertext (desk/fields.py), the email's digest its keyed hash. The rows hold plaintext
    until here, and the desk reads them back through the models as it reads its own."""

    def __init__(self, model: type[models.Model]) -> None:
        fields = model._meta.concrete_fields
        self.name: str = model._meta.db_table
        self.quoted = connection.ops.quote_name(self.name)
        self.key = model._meta.pk.column
        self.attnames = [field.attname for field in fields]
        self.defaults = [_default(field) for field in fields]
        # Each encrypted column with the position of its row's identity (desk/fields.py), or None.
        self.encrypted = {index: (field.associated_data, None if field.row_field is None
                                  else fields.index(field.row_field))
                          for index, field in enumerate(fields) if isinstance(field, EncryptedTextField)}
        self.digests = {index: field.source for index, field in enumerate(fields)
                        if isinstance(field, EmailDigestField)}
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        self.copy_sql = f"COPY {self.quoted} ({columns}) FROM STDIN"
        self.rows = 0

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        row = [values.get(name, default) for name, default in zip(self.attnames, self.defaults, strict=True)]
        for index, (context, identity) in self.encrypted.items():
            if row[index]:
                row[index] = crypto.encrypt(row[index], context=context,
                                            row=None if identity is None else str(row[identity]))
        for index, source in self.digests.items():
            row[index] = crypto.email_digest(values[source]) if values.get(source) else ""
        return tuple(row)

    def copy(self, cursor: Any, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        unknown = set(rows[0]) - set(self.attnames)
        if unknown:
            raise ValueError(f"{self.name} has no column {', '.join(sorted(unknown))}")
        with cursor.copy(self.copy_sql) as copy:
            for values in rows:
                copy.write_row(self.row(values))
        self.rows += len(rows)


def _row_uuid(rng: random.Random) -> str:
    """A message's or pause's row identity (desk/fields.py), drawn from the seed's generator;
    its history rows copy it with the rest of the row."""
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


def _default(field: models.Field[Any, Any]) -> Any:
    value = field.get_default()
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    return value


# --- Deadlines from the engine -------------------------------------------------------------------

@dataclass(frozen=True)
class Deadlines:
    """What the engine gives a ticket received on a given weekday, as offsets from receipt."""

    due: int
    first_response: int | None
    acknowledge: int | None
    extension_notice: int | None
    explanation: str  # JSON text


# A reference week with no public holiday in any calendar above (Monday 2 June 2025 is Whit
# Monday in some; this week is the next one).
REFERENCE_MONDAY = datetime.date(2025, 6, 9)


def deadline_templates() -> dict[tuple[str, str, str, int], Deadlines]:
    """The engine's deadlines for each regime, kind and calendar, for each weekday of receipt."""
    zone = timezone.get_current_timezone()
    templates = {}
    for regime, calendars in CALENDARS.items():
        for calendar in calendars:
            for kind in Kind.values:
                for weekday in range(7):
                    received = REFERENCE_MONDAY + datetime.timedelta(days=weekday)
                    result = clock.schedule(
                        regime=regime, kind=kind, calendar_code=calendar,
                        received_at=datetime.datetime.combine(received, datetime.time(10), tzinfo=zone))
                    templates[regime, kind, calendar, weekday] = Deadlines(
                        due=(result.due_date - received).days,
                        first_response=_offset(result.first_response_due, received),
                        acknowledge=_offset(result.acknowledge_due, received),
                        extension_notice=_offset(result.extension_notice_due, received),
                        explanation=json.dumps(result.explanation, default=str),
                    )
    return templates


def _offset(day: datetime.date | None, received: datetime.date) -> int | None:
    return None if day is None else (day - received).days


# --- The manifest: what the bench database holds ----------------------------------------------

@dataclass(frozen=True)
class Seeded:
    tickets: int
    version: int
    days: int
    random_seed: int
    as_of: str  # ISO timestamp: the moment the spreads are relative to
    last_reference: str
    seconds: float
    phases: dict[str, float]
    rows: dict[str, int]

    @property
    def as_of_datetime(self) -> datetime.datetime:
        return datetime.datetime.fromisoformat(self.as_of)

    @property
    def as_of_date(self) -> datetime.date:
        """The organisation's date at seeding: the "today" the spreads were made for."""
        return timezone.localtime(self.as_of_datetime).date()


def current(tickets: int, *, days: int = 730, random_seed: int = 2026) -> Seeded | None:
    """The manifest if the database holds exactly this seed: the same version, N, days and random
    seed, N tickets, and the last one where the load put it (another bench that emptied and
    refilled the tickets, as the sweep does, fails this check)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MANIFEST])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT manifest FROM {MANIFEST} WHERE name = 'tickets'")  # noqa: S608 - a constant
        row = cursor.fetchone()
    if row is None:
        return None
    data = row[0] if isinstance(row[0], dict) else json.loads(row[0])
    try:
        seeded = Seeded(**data)
    except TypeError:
        return None
    if (seeded.version, seeded.tickets, seeded.days, seeded.random_seed) != (
            SEED_VERSION, tickets, days, random_seed):
        return None
    if Ticket.objects.count() != tickets:
        return None
    if not Ticket.objects.filter(pk=tickets, reference=seeded.last_reference).exists():
        return None
    return seeded


def _write_manifest(cursor: Any, seeded: Seeded) -> None:
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {MANIFEST} (name text PRIMARY KEY, manifest jsonb NOT NULL)")
    cursor.execute(
        f"INSERT INTO {MANIFEST} (name, manifest) VALUES ('tickets', %s) "  # noqa: S608 - a constant
        "ON CONFLICT (name) DO UPDATE SET manifest = EXCLUDED.manifest", [json.dumps(asdict(seeded))])


# --- The people -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Staff:
    manager: User
    queues: dict[str, Queue]
    # Each queue's agents, with how much of the queue's work each takes.
    agents: dict[str, tuple[list[int], list[float]]]


def staff() -> Staff:
    """The bench's people and queues, created once and kept across seeds: twenty agents spread
    over the two queues of the data migration and a third for US state requests, and one manager
    of all three (the dashboard's user)."""
    queues = {queue.slug: queue for queue in Queue.objects.filter(slug__in=["requests", "complaints"])}
    if len(queues) != 2:
        raise SystemExit("the queues 'requests' and 'complaints' of migration 0002 are missing")
    queues[US_QUEUE], _ = Queue.objects.get_or_create(slug=US_QUEUE, defaults={
        "name": "US state requests", "kinds": [],
        "description": "Requests under the CCPA and the other US state laws."})
    manager, _ = User.objects.get_or_create(username=MANAGER, defaults={
        "email": f"{MANAGER}@example.org", "is_staff": True, "first_name": "Bench",
        "last_name": "Manager"})
    for queue in queues.values():
        queue.managers.add(manager)
    agents: list[User] = []
    for number in range(1, AGENT_COUNT + 1):
        agent, _ = User.objects.get_or_create(username=f"bench-agent-{number:02d}", defaults={
            "email": f"bench-agent-{number:02d}@example.org", "is_staff": True,
            "first_name": FIRST_NAMES[number % len(FIRST_NAMES)],
            "last_name": LAST_NAMES[(number * 7) % len(LAST_NAMES)]})
        agents.append(agent)
    # Twelve on requests, five on complaints, three on the US queue; two help on requests too.
    teams = {"requests": agents[:12] + agents[17:19], "complaints": agents[12:17], US_QUEUE: agents[17:20]}
    chosen: dict[str, tuple[list[int], list[float]]] = {}
    for slug, team in teams.items():
        queues[slug].members.add(*team)
        # Some agents take far more than others: weights 1.0, 0.9, ... down to 0.35.
        chosen[slug] = ([agent.pk for agent in team],
                        [max(0.35, 1.0 - 0.1 * index) for index in range(len(team))])
    return Staff(manager=manager, queues=queues, agents=chosen)


# --- The tickets -----------------------------------------------------------------------------

class WorkingDays:
    """Monday to Friday, as dates: the n-th working day after a date in O(1). Holidays are left
    out: the stored working-day counts are the seed's own, consistent with these dates."""

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        self.first = first
        self.days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
        working = [day for day in self.days if day.weekday() < 5]
        self.working = working
        self.next_index: list[int] = []  # per calendar day: the index of the first working day after it
        position = 0
        for day in self.days:
            while position < len(working) and working[position] <= day:
                position += 1
            self.next_index.append(position)

    def after(self, day: datetime.date, count: int) -> datetime.date:
        """The count-th working day after `day` (count >= 1)."""
        return self.working[self.next_index[(day - self.first).days] + count - 1]


@dataclass
class Rows:
    """The rows of one batch of tickets, per table."""

    tickets: list[dict[str, Any]]
    ticket_history: list[dict[str, Any]]
    extensions: list[dict[str, Any]]
    escalations: list[dict[str, Any]]
    satisfaction: list[dict[str, Any]]
    pauses: list[dict[str, Any]]
    messages: list[dict[str, Any]]


class Desk:
    """Makes the tickets, in order of arrival, with their side rows."""

    def __init__(self, *, tickets: int, days: int, as_of: datetime.datetime, rng: random.Random,
                 staff: Staff, templates: dict[tuple[str, str, str, int], Deadlines]) -> None:
        self.count = tickets
        self.days = days
        self.as_of = as_of
        self.zone = timezone.get_current_timezone()
        self.today = timezone.localtime(as_of).date()
        self.first_day = self.today - datetime.timedelta(days=days - 1)
        self.rng = rng
        self.staff = staff
        self.templates = templates
        self.calendar = WorkingDays(self.first_day - datetime.timedelta(days=7),
                                    self.today + datetime.timedelta(days=days + 400))
        self.descriptions = [" ".join(rng.sample(SENTENCES, rng.randint(1, 6))) for _ in range(200)]
        self.next_id = {"ticket": 1, "ticket_history": 1, "extension": 1, "escalation": 1,
                        "satisfaction": 1, "pause": 1, "message": 1}
        self.references: dict[int, int] = {}  # year: last number
        self.regimes = Weighted(REGIMES)
        self.calendars = {regime: Weighted(weights) for regime, weights in CALENDARS.items()}
        self.kinds = {regime: Weighted(US_KINDS if regime in US_REGIMES else EUROPEAN_KINDS)
                      for regime in REGIMES}
        self.languages = {calendar: Weighted(LANGUAGES.get(calendar, {"en": 1}))
                          for weights in CALENDARS.values() for calendar in weights}
        self.priorities = Weighted({Priority.NORMAL: 85, Priority.LOW: 5, Priority.HIGH: 8,
                                    Priority.URGENT: 2})
        self.response_days = Weighted(dict(zip(FIRST_RESPONSE_DAYS, FIRST_RESPONSE_WEIGHTS, strict=True)))
        self.unanswered = Weighted({"new": 70, "awaiting_verification": 30})
        self.answered = Weighted({"in_progress": 60, "awaiting_requester": 25, "awaiting_verification": 15})
        self.agents = {queue: Weighted(dict(zip(agents, weights, strict=True)))
                       for queue, (agents, weights) in staff.agents.items()}
        self.scores = {name: Weighted(dict(zip(SCORES, spread, strict=True)))
                       for name, spread in SCORE_WEIGHTS.items()}

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def arrivals(self) -> Iterator[datetime.datetime]:
        """N moments of receipt over the period, in order: per day a share that grows from 0.6 to
        1.4 over the period and follows the weekday, then office hours within the day."""
        weights = [(0.6 + 0.8 * n / max(1, self.days - 1)) * WEEKDAY_WEIGHTS[
            (self.first_day + datetime.timedelta(days=n)).weekday()] for n in range(self.days)]
        total = sum(weights)
        placed = 0
        cumulative = 0.0
        now_seconds = (timezone.localtime(self.as_of) - datetime.datetime.combine(
            self.today, datetime.time(), tzinfo=self.zone)).total_seconds()
        for n, weight in enumerate(weights):
            cumulative += weight
            target = round(self.count * cumulative / total)
            today = target - placed
            placed = target
            day = self.first_day + datetime.timedelta(days=n)
            midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=self.zone)
            hours = self.rng.choices(range(24), HOUR_WEIGHTS, k=today)
            seconds = sorted(hour * 3600 + self.rng.randrange(3600) for hour in hours)
            for second in seconds:
                if day == self.today:  # the last day: squeezed into the hours already past
                    second = int(second * now_seconds / 86_400)
                yield midnight + datetime.timedelta(seconds=second)

    def _at(self, received_at: datetime.datetime, received: datetime.date,
            working_days: int) -> datetime.datetime:
        """A moment `working_days` working days after receipt, in office hours (0: the same day,
        a little later)."""
        if working_days == 0:
            return received_at + datetime.timedelta(minutes=self.rng.randint(20, 240))
        day = self.calendar.after(received, working_days)
        return datetime.datetime.combine(day, datetime.time(8), tzinfo=self.zone) + datetime.timedelta(
            minutes=self.rng.randint(0, 570))

    def _morning(self, day: datetime.date) -> datetime.datetime:
        """When the escalation sweep first sees a date: early that morning."""
        return datetime.datetime.combine(day, datetime.time(6, 5), tzinfo=self.zone)

    def batches(self) -> Iterator[Rows]:
        for moments in batched(self.arrivals(), BATCH):
            rows = Rows([], [], [], [], [], [], [])
            for received_at in moments:
                self._ticket(received_at, rows)
            yield rows

    def _ticket(self, received_at: datetime.datetime, rows: Rows) -> None:
        rng = self.rng
        pk = self._id("ticket")
        local = received_at.astimezone(self.zone)
        received = local.date()
        regime = self.regimes.draw(rng)
        calendar = self.calendars[regime].draw(rng)
        kind = self.kinds[regime].draw(rng)
        country, _, region = calendar.partition("-")
        language = self.languages[calendar].draw(rng)
        template = self.templates[regime, kind, calendar, received.weekday()]
        first_due = received + datetime.timedelta(days=template.due)
        if kind in (Kind.COMPLAINT, Kind.QUESTION):
            queue = "complaints"
        else:
            queue = US_QUEUE if regime in US_REGIMES else "requests"
        year = local.year
        self.references[year] = number = self.references.get(year, 0) + 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        priority = self.priorities.draw(rng)

        # What happened: first response and resolution, in working days from receipt.
        response_days: int | None = self.response_days.draw(rng)
        resolution_days: int | None = max(response_days or 0, 1, min(90, round(
            rng.lognormvariate(math.log(RESOLUTION_MEDIAN[kind]), RESOLUTION_SIGMA))))
        assert response_days is not None and resolution_days is not None
        first_response_at: datetime.datetime | None = self._at(received_at, received, response_days)
        resolved_at: datetime.datetime | None = self._at(received_at, received, resolution_days)
        assert first_response_at is not None and resolved_at is not None
        if first_response_at > resolved_at:
            first_response_at = resolved_at
        fate = rng.random()
        age = (self.today - received).days
        closed_at: datetime.datetime | None = None
        outcome = reason = ""
        status = "resolved"
        if fate < WITHDRAWN_SHARE + REJECTED_SHARE:
            withdrawn = fate < WITHDRAWN_SHARE
            closed_at = self._at(received_at, received, rng.randint(0, 15))
            resolved_at, resolution_days = None, None
            if withdrawn:
                status, outcome = "withdrawn", Outcome.WITHDRAWN
            else:
                status, reason = "rejected", "Manifestly unfounded: the same request was answered last month."
            if first_response_at > closed_at:
                first_response_at = closed_at
        elif fate < WITHDRAWN_SHARE + REJECTED_SHARE + STRAGGLER_SHARE and age < 240:
            resolved_at, resolution_days = None, None  # stuck: open long past its due date
        if first_response_at > self.as_of:
            first_response_at, response_days = None, None

        # An extension for some that ran long (granted before the first due date).
        extension: dict[str, Any] | None = None
        due = first_due
        finished = resolved_at or closed_at
        if (resolved_at is not None and resolved_at.date() > first_due - datetime.timedelta(days=4)
                and rng.random() < 0.4):
            due = first_due + datetime.timedelta(days=EXTENSION_DAYS.get(regime, 30))
            asked = datetime.datetime.combine(first_due - datetime.timedelta(days=rng.randint(1, 10)),
                                              datetime.time(10), tzinfo=self.zone)
            notified = min(max(received_at + datetime.timedelta(hours=1), asked), self.as_of)
            extension = {"id": self._id("extension"), "ticket_id": pk, "notified_at": notified,
                         "reason": "The request covers several systems and years of records.",
                         "previous_due_date": first_due, "new_due_date": due}

        if finished is not None and finished > self.as_of:  # not yet: open now
            resolved_at, resolution_days, closed_at, outcome, reason = None, None, None, "", ""
            status = "resolved"  # replaced below
            finished = None
        if resolved_at is None and closed_at is None:
            status = (self.unanswered if first_response_at is None else self.answered).draw(rng)
            if extension is not None and extension["notified_at"] > self.as_of:
                extension, due = None, first_due
        elif resolved_at is not None:
            refused = REFUSED_SHARE.get(kind, 0.05)
            draw = rng.random()
            outcome = (Outcome.REFUSED if draw < refused else
                       Outcome.PARTLY_FULFILLED if draw < refused + PARTLY_SHARE else Outcome.FULFILLED)
            if outcome == Outcome.REFUSED:
                reason = "An exemption applies: the data is needed for a pending legal claim."
            closes = resolved_at + datetime.timedelta(days=14, minutes=rng.randint(0, 600))
            if closes <= self.as_of and rng.random() < 0.9:
                status, closed_at = "closed", closes

        # Who works on it.
        assignee: int | None = self.agents[queue].draw(rng)
        if status == "new" and rng.random() < 0.5:
            assignee = None

        # Escalations the sweep would have made (level rules against the final due date).
        end = finished or self.as_of
        level = 0
        escalations: list[tuple[str, int, datetime.datetime]] = []
        for rule, rule_level, day in (("due_soon", 1, due - datetime.timedelta(days=7)),
                                      ("due_today_or_overdue", 2, due),
                                      ("overdue_past_margin", 3, due + datetime.timedelta(days=7))):
            moment = self._morning(day)
            if received_at < moment < end:
                escalations.append((rule, rule_level, moment))
                level = rule_level
        moment = received_at + datetime.timedelta(hours=25)
        if (assignee is None or rng.random() < 0.03) and moment < end:
            escalations.append(("unassigned", 0, moment))
        if template.first_response is not None:
            late_response = self._morning(received + datetime.timedelta(days=template.first_response + 1))
            if late_response < (first_response_at or end) and late_response < end:
                escalations.append(("no_first_response", 0, late_response))
        if level >= 2:
            priority = max(priority, Priority.HIGH if level == 2 else Priority.URGENT)
        for rule, rule_level, moment in escalations:
            rows.escalations.append({"id": self._id("escalation"), "ticket_id": pk, "rule": rule,
                                     "level": rule_level, "due_date": due, "created_at": moment})

        # The requester's answer to "how were you treated?".
        if resolved_at is not None and rng.random() < SATISFACTION_SHARE:
            delay = min(43_200, int(rng.expovariate(1 / 2160)))  # minutes: a day and a half on average
            answered_at = resolved_at + datetime.timedelta(minutes=delay)
            if answered_at <= self.as_of:
                late = resolved_at.date() > due
                scores = self.scores["refused" if outcome == Outcome.REFUSED else "late" if late
                                     else "fulfilled"]
                rows.satisfaction.append({"id": self._id("satisfaction"), "ticket_id": pk,
                                          "score": scores.draw(rng), "comment": "",
                                          "answered_at": answered_at})

        # A waiting ticket has its open pause.
        pause_at: datetime.datetime | None = None
        if status in ("awaiting_verification", "awaiting_requester"):
            pause_at = min(self.as_of, (first_response_at or received_at) + datetime.timedelta(hours=1))
            rows.pauses.append({
                "id": self._id("pause"), "ticket_id": pk, "started_at": pause_at, "ended_at": None,
                "kind": PauseKind.IDENTITY if status == "awaiting_verification" else PauseKind.CLARIFICATION,
                "requested_by_id": assignee, "reason": "Please confirm the details below.",
                "row_uuid": _row_uuid(rng)})

        description = rng.choice(self.descriptions)
        if rng.random() < MESSAGE_SHARE:
            rows.messages.append({"id": self._id("message"), "ticket_id": pk, "kind": MessageKind.REQUESTER,
                                  "author_id": None, "body": description, "created_at": received_at,
                                  "row_uuid": _row_uuid(rng)})
            if first_response_at is not None:
                rows.messages.append({"id": self._id("message"), "ticket_id": pk, "kind": MessageKind.REPLY,
                                      "author_id": assignee, "created_at": first_response_at,
                                      "row_uuid": _row_uuid(rng),
                                      "body": "Thank you for your request. We have started on it."})

        moments = [received_at, first_response_at, resolved_at, closed_at, pause_at,
                   extension["notified_at"] if extension else None, *(m for _, _, m in escalations)]
        updated_at = max(moment for moment in moments if moment is not None)
        ticket = {
            "id": pk, "reference": f"PD-{year}-{number:06d}", "kind": kind, "regime": regime,
            "calendar": calendar, "language": language, "requester_name": f"{first} {last}",
            "requester_email": f"{first}.{last}{rng.randrange(10_000)}@example.org".lower(),
            "requester_country": country, "requester_region": region if country in ("US", "CH") else "",
            "description": description, "received_at": received_at, "due_date": due,
            "first_response_due": _plus(received, template.first_response),
            "acknowledge_due": _plus(received, template.acknowledge),
            "extension_notice_due": _plus(received, template.extension_notice),
            "deadlines": template.explanation,
            "status": status, "priority": priority, "queue_id": self.staff.queues[queue].pk,
            "assignee_id": assignee, "escalation_level": level, "first_response_at": first_response_at,
            "resolved_at": resolved_at, "first_response_days": response_days,
            "resolution_days": resolution_days, "closed_at": closed_at, "outcome": outcome,
            "outcome_reason": reason,
            "submission_key": uuid.UUID(int=rng.getrandbits(128), version=4) if rng.random() < 0.7 else None,
            "created_at": received_at, "updated_at": updated_at,
        }
        rows.tickets.append(ticket)
        if extension is not None:
            rows.extensions.append(extension | {"granted_by_id": assignee})
        # Its history: as received, and as it is now (the steps between are not replayed).
        rows.ticket_history.append(ticket | {
            "status": "new", "assignee_id": None, "escalation_level": 0, "first_response_at": None,
            "resolved_at": None, "first_response_days": None, "resolution_days": None, "closed_at": None,
            "outcome": "", "outcome_reason": "", "due_date": first_due, "updated_at": received_at,
            "history_id": self._id("ticket_history"), "history_date": received_at,
            "history_change_reason": "request received", "history_type": "+", "history_user_id": None})
        if status != "new":
            rows.ticket_history.append(ticket | {
                "history_id": self._id("ticket_history"), "history_date": updated_at,
                "history_change_reason": "bench seed: current state", "history_type": "~",
                "history_user_id": assignee})


def _plus(day: datetime.date, days: int | None) -> datetime.date | None:
    return None if days is None else day + datetime.timedelta(days=days)


# --- The load --------------------------------------------------------------------------------

def _secondary_indexes(cursor: Any, tables: Sequence[str]) -> list[tuple[str, str]]:
    """The indexes a load would maintain row by row, that no constraint owns: (name, definition)."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [list(tables)])
    return [(name, definition) for name, definition in cursor.fetchall()]


def seed(tickets: int, *, days: int = 730, random_seed: int = 2026, verbose: bool = True) -> Seeded:
    """Empty the tickets' tables and load N tickets with their rows; VACUUM ANALYZE after, as a
    desk that has run for a while is vacuumed (visibility map set, statistics current)."""
    started = time.perf_counter()
    phases: dict[str, float] = {}
    people = staff()
    templates = deadline_templates()
    as_of = timezone.now().replace(microsecond=0)
    rng = random.Random(random_seed)
    desk = Desk(tickets=tickets, days=days, as_of=as_of, rng=rng, staff=people, templates=templates)
    historical: dict[str, type[models.Model]] = {
        "ticket": Ticket.history.model,
        "extension": Extension.history.model,
        "satisfaction": Satisfaction.history.model,
        "pause": ClockPause.history.model,
        "message": Message.history.model,
    }
    tables = {"tickets": Table(Ticket), "ticket_history": Table(historical["ticket"]),
              "extensions": Table(Extension), "extension_history": Table(historical["extension"]),
              "escalations": Table(Escalation), "satisfaction": Table(Satisfaction),
              "satisfaction_history": Table(historical["satisfaction"]), "pauses": Table(ClockPause),
              "pause_history": Table(historical["pause"]), "messages": Table(Message),
              "message_history": Table(historical["message"])}
    loaded = [table.name for table in tables.values()]
    phases["prepare"] = time.perf_counter() - started
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own, for COPY
        mark = time.perf_counter()
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            # Foreign keys unchecked while loading: every reference is made above, consistently.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {', '.join(TICKET_TABLES)} RESTART IDENTITY CASCADE")
        indexes = _secondary_indexes(cursor, loaded)
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        phases["truncate"] = time.perf_counter() - mark
        mark = time.perf_counter()
        history_ids = {"extension": 1, "satisfaction": 1, "pause": 1, "message": 1}

        def created(kind: str, rows: list[dict[str, Any]], moment: str,
                    user: str | None) -> list[dict[str, Any]]:
            out = []
            for row in rows:
                out.append(row | {"history_id": history_ids[kind], "history_date": row[moment],
                                  "history_change_reason": "bench seed", "history_type": "+",
                                  "history_user_id": row.get(user) if user else None})
                history_ids[kind] += 1
            return out

        done = 0
        for rows in desk.batches():
            tables["tickets"].copy(cursor, rows.tickets)
            tables["ticket_history"].copy(cursor, rows.ticket_history)
            tables["extensions"].copy(cursor, rows.extensions)
            tables["extension_history"].copy(cursor, created("extension", rows.extensions, "notified_at",
                                                             "granted_by_id"))
            tables["escalations"].copy(cursor, rows.escalations)
            tables["satisfaction"].copy(cursor, rows.satisfaction)
            tables["satisfaction_history"].copy(cursor, created("satisfaction", rows.satisfaction,
                                                                "answered_at", None))
            tables["pauses"].copy(cursor, rows.pauses)
            tables["pause_history"].copy(cursor, created("pause", rows.pauses, "started_at",
                                                         "requested_by_id"))
            tables["messages"].copy(cursor, rows.messages)
            tables["message_history"].copy(cursor, created("message", rows.messages, "created_at",
                                                           "author_id"))
            done += len(rows.tickets)
            if verbose and (done % 100_000 == 0 or done == tickets):
                print(f"  {done:,} tickets loaded ({time.perf_counter() - started:.0f} s)", flush=True)
        phases["copy"] = time.perf_counter() - mark
        mark = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        phases["indexes"] = time.perf_counter() - mark
        for table in tables.values():
            # The ids were given here: the next row the desk makes takes the next one.
            highest = f"SELECT max({table.key}) FROM {table.quoted}"  # noqa: S608 - names from the models
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), "
                           f"coalesce(({highest}), 0) + 1, false)", [table.name, table.key])
        ReferenceCounter.objects.bulk_create(
            [ReferenceCounter(year=year, last=last) for year, last in sorted(desk.references.items())])
        last_year = max(desk.references)
        seeded = Seeded(
            tickets=tickets, version=SEED_VERSION, days=days, random_seed=random_seed,
            as_of=as_of.isoformat(), last_reference=f"PD-{last_year}-{desk.references[last_year]:06d}",
            seconds=0.0, phases=phases,
            rows={table.name: table.rows for table in tables.values()})
        _write_manifest(cursor, seeded)
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        for name in loaded:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(name)}")
        cursor.execute("ANALYZE")
    phases["vacuum_analyze"] = time.perf_counter() - mark
    seeded = Seeded(**{**asdict(seeded), "seconds": time.perf_counter() - started, "phases": phases})
    with connection.cursor() as cursor:
        _write_manifest(cursor, seeded)
    return seeded
