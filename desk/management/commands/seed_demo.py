"""Demo data for a first try: queues, staff, and about 50 tickets of every kind and age."""

from __future__ import annotations

import contextlib
import datetime
import random
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from desk.models import AuthenticatorDevice
from desk.second_factor import AUTHENTICATOR, secret_text
from tickets.errors import Refusal
from tickets.models import Queue, Ticket
from tickets.services import (
    satisfaction_record,
    ticket_claim,
    ticket_create,
    ticket_extend,
    ticket_reply,
    ticket_resolve,
)

DEMO_USERS = [
    # username, password, group, queues as member, queues as manager
    ("agent", "demo-agent-password", "agents", ["requests"], []),
    ("agent2", "demo-agent2-password", "agents", ["complaints"], []),
    ("manager", "demo-manager-password", "managers", ["requests", "complaints"],
     ["requests", "complaints"]),
    ("dpo", "demo-dpo-password", "dpo", ["requests", "complaints"], []),
]
KINDS = ["complaint", "access", "rectification", "erasure", "restriction", "portability",
         "objection", "opt_out", "consent_withdrawal", "question"]
PLACES = [("FI", ""), ("FI", ""), ("FI", ""), ("SE", ""), ("DE", ""), ("GB", "ENG"),
          ("GB", "SCT"), ("US", "CA"), ("US", "VA"), ("BR", ""), ("CA", ""), ("CH", "")]
FINNISH = [("Matti Meikäläinen", "Haluan nähdä, mitä tietoja minusta on tallennettu."),
           ("Liisa Virtanen", "Sain markkinointiviestejä, vaikka kielsin ne. Haluan tietää miksi."),
           ("Juha Korhonen", "Osoitteeni on väärin asiakasrekisterissä. Pyydän korjaamaan sen.")]
ENGLISH = [("Jane Doe", "Please send me a copy of all personal data you hold about me."),
           ("John Smith", "I keep receiving emails after unsubscribing. Please delete my data."),
           ("Ana Silva", "Which companies have you shared my data with?")]

REPLY = "Thank you for your message. We are looking into it and will answer in full soon."
ANSWER = "We have handled your request. The details are below; write to us here if anything is unclear."
EXTENSION_REASON = "Your request covers several systems, and collecting the data takes more time."
REFUSAL_REASON = "The law requires us to keep these records for bookkeeping (Accounting Act 2:10)."


class Command(BaseCommand):
    help = "Create demo queues, staff and tickets (refused in the production profile)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when the desk already has tickets")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # ASVS 6.3.2: no demo or default accounts in production.
            raise CommandError("seed_demo refuses to run in the production profile")
        if options["if_empty"] and Ticket.objects.exists():
            self.print_logins()
            return
        with transaction.atomic():
            self.create_staff()
            self.create_tickets(random.Random(2026))  # noqa: S311 - demo spread, not security
        self.print_logins()

    def create_staff(self) -> None:
        user_model = get_user_model()
        queues = {queue.slug: queue for queue in Queue.objects.all()}
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

    def create_tickets(self, rng: random.Random) -> None:
        now = timezone.now()
        for number in range(50):
            finnish = number % 2 == 0
            name, description = rng.choice(FINNISH if finnish else ENGLISH)
            country, region = rng.choice(PLACES)
            age = datetime.timedelta(days=rng.randint(0, 75), hours=rng.randint(0, 23))
            submission = ticket_create(
                kind=KINDS[number % len(KINDS)], country=country, region=region, name=name,
                email=f"demo{number}@example.org", description=description,
                language="fi" if finnish else "en", attachment=None, submission_key=None,
                received_at=now - age, actor=None, reason="demo data (seed_demo)",
                acknowledge=False,
            )
            if age > datetime.timedelta(days=8):
                self.work_on(submission.ticket, rng, now)

    def work_on(self, ticket: Ticket, rng: random.Random, now: datetime.datetime) -> None:
        """Answer an older ticket as the desk would have, at the times it would have, through the
        services (so the history, the working-day figures and the dashboard are real)."""
        import time_machine  # a development dependency, as this command is

        agent = ticket.queue.members.filter(groups__name="agents").first()
        if agent is None:
            return
        moments: Iterator[datetime.datetime] = iter([])

        def plan(*days: float) -> bool:
            """The times of the next steps; False when they would lie in the future."""
            nonlocal moments
            times, moment = [], ticket.received_at
            for step in days:
                moment += datetime.timedelta(days=step)
                times.append(moment)
            moments = iter(times)
            return moment < now

        def at() -> time_machine.travel:
            return time_machine.travel(next(moments), tick=False)

        extend = rng.random() < 0.2
        outcome = rng.choice(["fulfilled"] * 6 + ["partly_fulfilled", "refused"])
        if not plan(rng.uniform(0.1, 2), rng.uniform(2, 10), rng.uniform(3, 40), rng.uniform(0.1, 3)):
            return
        with at():
            ticket_claim(ticket_id=ticket.pk, actor=agent)
            ticket_reply(ticket_id=ticket.pk, actor=agent, body=REPLY)
        with at():
            if extend:
                with contextlib.suppress(Refusal):  # not every law allows one
                    ticket_extend(ticket_id=ticket.pk, actor=agent, reason=EXTENSION_REASON)
        with at():
            ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome=outcome, body=ANSWER,
                           reason=REFUSAL_REASON if outcome == "refused" else "")
        with at():
            if rng.random() < 0.6:
                satisfaction_record(ticket_id=ticket.pk, score=rng.choice([5, 5, 4, 4, 4, 3, 2, 1]),
                                    comment="")

    def print_logins(self) -> None:
        self.stdout.write("Demo staff sign-ins (development only) at /staff/login/. Add the secret to an")
        self.stdout.write("authenticator app, or print the current code: python manage.py totp_code USERNAME")
        devices = {device.user.get_username(): device for device in
                   AuthenticatorDevice.objects.filter(confirmed=True).select_related("user")}
        for username, password, group_name, _member, _manager in DEMO_USERS:
            device = devices.get(username)
            secret = secret_text(device).replace(" ", "") if device else "(no second factor)"
            self.stdout.write(f"  {username:8} {password:24} {secret:34} ({group_name})")
