"""Thin Celery entry points: ids in, one service call."""

from __future__ import annotations

from celery import Task, shared_task

from notifications import services


@shared_task(bind=True, acks_late=True, max_retries=3)
def deliver_outbox(self: Task, outbox_id: int) -> str:
    will_retry = self.request.retries < (self.max_retries or 0)
    try:
        return services.outbox_deliver(outbox_id=outbox_id, retried_by_task=will_retry)
    except services.TransientDeliveryError as error:
        if not will_retry:
            # The row is pending with its next attempt noted; the sweep publishes it when due.
            return "postponed"
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
def sweep_outbox() -> int:
    return services.outbox_sweep()
