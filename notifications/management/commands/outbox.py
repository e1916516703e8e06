"""`python manage.py outbox`: what waits, what is stuck, what failed; `--retry` sends failed ones again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils import timezone

from notifications.models import Outbox
from notifications.services import outbox_retry, outbox_sweep


class Command(BaseCommand):
    help = "Show the outbox by state and list what is stuck or failed; --retry and --sweep act on it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--retry", nargs="*", type=int, metavar="ID",
                            help="send failed messages again (all of them, or the ids given)")
        parser.add_argument("--sweep", action="store_true",
                            help="publish every pending or stuck message now, as beat does")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["retry"] is not None:
            ids = outbox_retry(outbox_ids=options["retry"] or None)
            self.stdout.write(f"retrying {len(ids)} failed message(s): {ids}")
        if options["sweep"]:
            self.stdout.write(f"published {outbox_sweep()} pending or stuck message(s)")
        counts = dict(Outbox.objects.values_list("state").annotate(total=Count("id")).order_by())
        self.stdout.write("  ".join(f"{state}: {counts.get(state, 0)}" for state in Outbox.State.values))
        now = timezone.now()
        stuck = Outbox.objects.filter(state=Outbox.State.SENDING, lease_until__lt=now)
        for row in [*stuck, *Outbox.objects.filter(state=Outbox.State.FAILED)[:50]]:
            self.stdout.write(f"#{row.pk} {row.state} {row.event} to {row.recipient} "
                              f"attempts={row.attempts} {row.last_error[:120]}")
