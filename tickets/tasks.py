"""Thin Celery entry points: ids in (or nothing), one service call."""

from __future__ import annotations

from pathlib import Path
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from tickets import anchors, audit
from tickets.services.digest import digest_send
from tickets.services.escalation import escalation_sweep
from tickets.services.retention import retention_sweep


@shared_task(acks_late=True)
def sweep_escalations() -> int:
    return escalation_sweep().total


@shared_task(acks_late=True)
def send_manager_digests() -> int:
    return digest_send()


@shared_task(acks_late=True)
def erase_expired_personal_data() -> int:
    """Retention: erase the personal data of every ticket closed longer ago than its period."""
    return retention_sweep().total


@shared_task(acks_late=True)
def anchor_audit_chains() -> str:
    """Anchor every ticket's history chains outside the database (tickets/anchors.py); the email
    to the DPO is a task of its own, retried, so a mail server that is down never makes a second
    anchor."""
    anchor = audit.anchor_make()
    if settings.DESK_AUDIT_ANCHOR_EMAIL:
        email_audit_anchor.delay(anchor.path.name)
    return anchor.path.name


@shared_task(acks_late=True, autoretry_for=(OSError, SMTPException), max_retries=8, retry_backoff=60,
             retry_backoff_max=3600)
def email_audit_anchor(name: str) -> bool:
    """Email the anchor of that name (in DESK_AUDIT_ANCHOR_DIR) to the DPO; a temporary failure
    (the server down, a 4xx) is tried again with backoff for about half a day."""
    directory = Path(settings.DESK_AUDIT_ANCHOR_DIR)
    return anchors.anchor_email(anchors.Anchor.open(directory / Path(name).name))
