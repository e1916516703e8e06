"""Thin Celery entry points: ids in, one service call."""

from __future__ import annotations

from celery import Task, shared_task

from notifications import services


@shared_task(bind=True, acks_late=True, max_retries=3)
def deliver_outbox(self: Task, outbox_id: int) -> str:
    try:
        return services.outbox_deliver(outbox_id=outbox_id)
    except services.TransientDeliveryError as error:
        # Bounded retries; past them the row stays pending and the sweeper tries on.
        raise self.retry(countdown=error.retry_in, exc=error) from error


@shared_task(acks_late=True)
def deliver_outbox_batch(outbox_ids: list[int]) -> int:
    """Deliver a batch; a transient failure leaves its row pending for the sweeper."""
    sent = 0
    for outbox_id in outbox_ids:
        try:
            sent += services.outbox_deliver(outbox_id=outbox_id) == "sent"
        except services.TransientDeliveryError:
            continue
    return sent


@shared_task(acks_late=True)
def send_manager_digests() -> int:
    return services.digest_send()


@shared_task(acks_late=True)
def sweep_outbox() -> int:
    return services.outbox_sweep()
