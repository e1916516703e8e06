"""Demo data for a first try: queues, staff, and fifty requests a data protection officer would
recognise (desk/demo_data/), each played through the services at the moments it happened.

Each step runs at its own moment: the desk's clock (desk/clock.py, the one every service, auto_now
field and history entry reads) is held at the request's receipt, then at each later step, in
order, so every history entry, message, pause, escalation and email carries the time it would
have had. All steps of all requests run in one order of time, with the escalation sweep at seven
each morning between them, as the desk's beat would have run it. The emails they queue are
delivered at once, into the development mailbox (/dev/mail/) or else nowhere (Django's dummy
backend), so the outbox and the compliance record show them sent at their time and nothing of the
past waits to be sent when the desk starts.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from desk.clock import held_at
from desk.demo_data import REQUESTS, SIGN_OFFS, STAFF_ACTIONS, DemoRequest, Step
from desk.demo_data import requests as demo
from desk.models import AuthenticatorDevice
from desk.second_factor import AUTHENTICATOR, secret_text
from notifications.models import Outbox
from notifications.services import outbox_deliver
from tickets.choices import PauseKind
from tickets.models import Queue, Ticket
from tickets.services import (
    REQUESTER_REASON,
    satisfaction_record,
    ticket_add_note,
    ticket_add_requester_message,
    ticket_assign,
    ticket_claim,
    ticket_close,
    ticket_create,
    ticket_extend,
    ticket_reject,
    ticket_reply,
    ticket_request_information,
    ticket_resolve,
    ticket_withdraw_by_requester,
)
from tickets.services.escalation import escalation_sweep

DEMO_USERS = [
    # username, password, group, queues as member, queues as manager
    ("agent", "demo-agent-password", "agents", ["requests"], []),
    ("agent2", "demo-agent2-password", "agents", ["complaints"], []),
    ("manager", "demo-manager-password", "managers", ["requests", "complaints"],
     ["requests", "complaints"]),
    ("dpo", "demo-dpo-password", "dpo", ["requests", "complaints"], []),
]
RANDOM_SEED = 2026  # the same desk on every run (relative to the day it runs)
# The desk's hours, in the organisation's time zone: staff act on weekdays between these.
OPENING, CLOSING = datetime.time(8, 0), datetime.time(16, 30)
WAKING, BEDTIME = datetime.time(7, 0), datetime.time(23, 0)  # when requesters write
SWEEP_TIME = datetime.time(7, 0)  # the morning escalation sweep, as the beat would run it
DUMMY_EMAIL = "django.core.mail.backends.dummy.EmailBackend"
# Where the past's emails may go: the development mailbox (/dev/mail/, desk/dev_mail.py), which
# keeps them to read. Never the console, which they would flood, nor a real mail server.
MAILBOX_BACKENDS = frozenset({"desk.dev_mail.FileMailBackend"})


class Command(BaseCommand):
    help = "Create demo queues, staff and tickets (refused in the production profile)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when the desk already has tickets")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # ASVS 6.3.2: no demo or default accounts in production.
            raise CommandError("seed_demo refuses to run in the production profile")
        if not (options["if_empty"] and Ticket.objects.exists()):
            with transaction.atomic():
                staff = self.create_staff()
                DemoDesk(now=timezone.now(), staff=staff).play()
        self.print_logins()

    def print_logins(self) -> None:
        """The sign-ins on this command's output (`rundesk` prints them again once all is up)."""
        for line in demo_sign_ins():
            self.stdout.write(line)

    def create_staff(self) -> dict[str, User]:
        user_model = get_user_model()
        queues = {queue.slug: queue for queue in Queue.objects.all()}
        staff = {}
        for username, password, group_name, member_of, manager_of in DEMO_USERS:
            user, created = user_model.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org", "is_staff": True}
            )
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get_or_create(name=group_name)[0])
            # The second factor is set up already, so a tester can sign in with the printed secret.
            if not AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists():
                AuthenticatorDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=True)
            for slug in member_of:
                queues[slug].members.add(user)
            for slug in manager_of:
                queues[slug].managers.add(user)
            staff[username] = user
        return staff


def demo_sign_ins() -> list[str]:
    """The demo staff's sign-ins, one line each after two lines of instructions: username,
    password and the authenticator secret (development only; the command refuses production)."""
    lines = ["Demo staff sign-ins (development only) at /staff/login/. Add the secret to an",
             "authenticator app, or print the current code: python manage.py totp_code USERNAME"]
    devices = {device.user.get_username(): device for device in
               AuthenticatorDevice.objects.filter(confirmed=True).select_related("user")}
    for username, password, group_name, _member, _manager in DEMO_USERS:
        device = devices.get(username)
        secret = secret_text(device).replace(" ", "") if device else "(no second factor)"
        lines.append(f"  {username:8} {password:24} {secret:34} ({group_name})")
    return lines


def past_email_backend() -> str:
    return settings.EMAIL_BACKEND if settings.EMAIL_BACKEND in MAILBOX_BACKENDS else DUMMY_EMAIL


@dataclass(order=True)
class Moment:
    at: datetime.datetime
    sequence: int  # ties keep the order they were planned in
    run: Callable[[], object] = field(compare=False)


class DemoDesk:
    """Plays the demo requests through the services, each step at its moment in the past."""

    def __init__(self, *, now: datetime.datetime, staff: dict[str, User]) -> None:
        self.now = now
        self.latest = now - datetime.timedelta(minutes=5)  # every step lies before this
        self.staff = staff
        self.rng = random.Random(RANDOM_SEED)  # noqa: S311 - demo spread, not security
        self.ticket_ids: dict[int, int] = {}
        self.sequence = itertools.count()

    def play(self) -> None:
        with override_settings(EMAIL_BACKEND=past_email_backend()):
            for moment in sorted(self.plan()):
                with held_at(moment.at):
                    moment.run()
                    self.deliver()

    def plan(self) -> list[Moment]:
        moments = []
        for index, request in enumerate(REQUESTS):
            received = self.receipt(request)
            moments.append(self.moment(received, functools.partial(self.create, index, request, received)))
            previous = received
            for step in request.steps:
                previous = self.step_time(received, previous, step)
                moments.append(self.moment(previous, functools.partial(self.perform, index, request, step)))
        day = timezone.localdate(min(moment.at for moment in moments))
        while (sweep := self.local(day, SWEEP_TIME)) < self.latest:
            moments.append(self.moment(sweep, functools.partial(escalation_sweep, workers=1)))
            day += datetime.timedelta(days=1)
        return moments

    def moment(self, at: datetime.datetime, run: Callable[[], object]) -> Moment:
        return Moment(at, next(self.sequence), run)

    @staticmethod
    def local(day: datetime.date, time: datetime.time) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, time))

    def receipt(self, request: DemoRequest) -> datetime.datetime:
        """On the day `age` days ago, at a time people write (07:00 to 23:00); a request of the
        last few hours keeps its age exactly."""
        exact = self.now - datetime.timedelta(days=request.age)
        day = timezone.localdate(exact)
        at = self.local(day, datetime.time(7)) + datetime.timedelta(minutes=self.rng.randint(0, 16 * 60))
        return at if at < self.latest - datetime.timedelta(hours=1) else exact

    def step_time(self, received: datetime.datetime, previous: datetime.datetime,
                  step: Step) -> datetime.datetime:
        """About `step.day` days after receipt; staff work in office hours, requesters write
        between seven in the morning and eleven at night; always after the previous step and
        before now (squeezed between the two when those hours would pass now)."""
        at = received + datetime.timedelta(days=step.day, minutes=self.rng.randint(-90, 90))
        at = self.office_hours(at) if step.action in STAFF_ACTIONS else self.waking_hours(at)
        at = max(at, previous + datetime.timedelta(minutes=self.rng.randint(3, 25)))
        if at >= self.latest:
            at = previous + (self.latest - previous) / 2
        return at

    def office_hours(self, at: datetime.datetime) -> datetime.datetime:
        local = timezone.localtime(at)
        if local.weekday() < 5 and OPENING <= local.time() < CLOSING:
            return at
        day = local.date()
        if local.weekday() >= 5 or local.time() >= CLOSING:
            day += datetime.timedelta(days=1)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        opened = self.local(day, OPENING) + datetime.timedelta(minutes=self.rng.randint(5, 150))
        return opened if opened < self.latest else at

    def waking_hours(self, at: datetime.datetime) -> datetime.datetime:
        local = timezone.localtime(at)
        if WAKING <= local.time() < BEDTIME:
            return at
        day = local.date() + datetime.timedelta(days=local.time() >= BEDTIME)
        woken = self.local(day, WAKING) + datetime.timedelta(minutes=self.rng.randint(10, 120))
        return woken if woken < self.latest else at

    def create(self, index: int, request: DemoRequest, received: datetime.datetime) -> None:
        submission = ticket_create(
            kind=request.kind, country=request.country, region=request.region, name=request.name,
            email=request.email, description=request.description, language=request.language,
            attachment=None, submission_key=None, received_at=received, actor=None,
            reason=REQUESTER_REASON,
        )
        self.ticket_ids[index] = submission.ticket.pk

    def perform(self, index: int, request: DemoRequest, step: Step) -> None:
        ticket_id = self.ticket_ids[index]
        actor = self.staff.get(step.actor)
        body = step.text
        if step.action in demo.SIGNED_ACTIONS:
            body = f"{step.text}\n\n{SIGN_OFFS[request.language]}"
        ACTIONS[step.action](ticket_id, actor, step, body, self.staff)

    @staticmethod
    def deliver() -> None:
        """Send what the step queued, at the step's moment (the dummy backend sends nowhere)."""
        for outbox_id in Outbox.objects.filter(state=Outbox.State.PENDING).values_list("id", flat=True):
            outbox_deliver(outbox_id=outbox_id)


Perform = Callable[[int, User | None, Step, str, dict[str, User]], object]

# Each step through its one service; `body` is the text with the sign-off where one is sent.
ACTIONS: dict[str, Perform] = {
    demo.CLAIM: lambda ticket_id, actor, step, body, staff: ticket_claim(ticket_id=ticket_id, actor=actor),
    demo.ASSIGN: lambda ticket_id, actor, step, body, staff: ticket_assign(
        ticket_id=ticket_id, actor=actor, assignee_id=staff[step.text].pk, reason=""),
    demo.REPLY: lambda ticket_id, actor, step, body, staff: ticket_reply(
        ticket_id=ticket_id, actor=actor, body=body),
    demo.NOTE: lambda ticket_id, actor, step, body, staff: ticket_add_note(
        ticket_id=ticket_id, actor=actor, body=body),
    demo.ASK_IDENTITY: lambda ticket_id, actor, step, body, staff: ticket_request_information(
        ticket_id=ticket_id, actor=actor, kind=PauseKind.IDENTITY, body=body),
    demo.ASK_DETAILS: lambda ticket_id, actor, step, body, staff: ticket_request_information(
        ticket_id=ticket_id, actor=actor, kind=PauseKind.CLARIFICATION, body=body),
    demo.ANSWER: lambda ticket_id, actor, step, body, staff: ticket_add_requester_message(
        ticket=Ticket.objects.get(pk=ticket_id), body=body, attachment=None),
    demo.EXTEND: lambda ticket_id, actor, step, body, staff: ticket_extend(
        ticket_id=ticket_id, actor=actor, reason=body),
    demo.RESOLVE: lambda ticket_id, actor, step, body, staff: ticket_resolve(
        ticket_id=ticket_id, actor=actor, outcome=step.outcome, body=body, reason=step.reason),
    demo.CLOSE: lambda ticket_id, actor, step, body, staff: ticket_close(
        ticket_id=ticket_id, actor=actor, reason=""),
    demo.REJECT: lambda ticket_id, actor, step, body, staff: ticket_reject(
        ticket_id=ticket_id, actor=actor, reason=body),
    demo.WITHDRAW: lambda ticket_id, actor, step, body, staff: ticket_withdraw_by_requester(
        ticket_id=ticket_id, reason=body),
    demo.RATE: lambda ticket_id, actor, step, body, staff: satisfaction_record(
        ticket_id=ticket_id, score=step.score, comment=body),
}
