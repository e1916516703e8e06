"""Thin Celery entry points: ids in (or nothing), one service call."""

from __future__ import annotations

from celery import shared_task

from tickets.services.escalation import escalation_sweep


@shared_task(acks_late=True)
def sweep_escalations() -> int:
    return escalation_sweep().total
