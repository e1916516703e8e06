"""Thin Celery entry points: ids in (or nothing), one service call."""

from __future__ import annotations

from celery import shared_task

from tickets.services.escalation import escalation_sweep
from tickets.services.retention import retention_sweep


@shared_task(acks_late=True)
def sweep_escalations() -> int:
    return escalation_sweep().total


@shared_task(acks_late=True)
def erase_expired_personal_data() -> int:
    """Retention: erase the personal data of every ticket closed longer ago than its period."""
    return retention_sweep().total
