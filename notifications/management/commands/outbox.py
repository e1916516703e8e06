"""`python manage.py outbox`: what waits, what is retried and since when, what is stuck or failed;
`--retry` sends failed ones again, `--sweep` publishes what waits. Exits 1 when mail has been
failing longer than DESK_OUTBOX_ALERT_SECONDS, so a cron job or a monitor can alert on it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.models import Outbox
from notifications.selectors import outbox_health
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
        health = outbox_health()
        sent = Outbox.objects.filter(state=Outbox.State.SENT).count()
        self.stdout.write(f"pending: {health.pending}  sending: {health.sending}  sent: {sent}  "
                          f"failed: {health.failed}")
        oldest = health.oldest_temporary_failure_at
        since = f", the oldest failing since {oldest.isoformat(timespec='seconds')}" if oldest else ""
        self.stdout.write(f"retrying after a temporary failure: {health.retrying}{since}  "
                          f"stuck: {health.stuck}")
        now = timezone.now()
        stuck = Outbox.objects.filter(state=Outbox.State.SENDING, lease_until__lt=now)
        retrying = Outbox.objects.filter(state=Outbox.State.PENDING, first_failure_at__isnull=False)
        for row in [*stuck[:50], *retrying.order_by("first_failure_at")[:50],
                    *Outbox.objects.filter(state=Outbox.State.FAILED)[:50]]:
            self.stdout.write(f"#{row.pk} {row.state} {row.event} to {row.recipient} "
                              f"attempts={row.attempts} {row.last_error[:120]}")
        if health.alert:
            self.stderr.write(f"ALERT: mail has been failing for more than "
                              f"{int(health.alert_after.total_seconds())} s; check the mail server")
            raise SystemExit(1)
