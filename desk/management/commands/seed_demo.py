"""Demo data for a first try: queues, staff, and about 50 tickets of every kind and age."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tickets.models import Queue, Ticket
from tickets.services import ticket_create

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
            ticket_create(
                kind=KINDS[number % len(KINDS)], country=country, region=region, name=name,
                email=f"demo{number}@example.org", description=description,
                language="fi" if finnish else "en", attachment=None, submission_key=None,
                received_at=now - age, actor=None, reason="demo data (seed_demo)",
                acknowledge=False,
            )

    def print_logins(self) -> None:
        self.stdout.write("Demo staff logins (development only) at /admin/:")
        for username, password, group_name, _member, _manager in DEMO_USERS:
            self.stdout.write(f"  {username:8} {password:24} ({group_name})")
