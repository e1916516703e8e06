"""Statuses and outcomes get the staff's words as their choices (issue 16: staff screens spoke in
the requester's voice); the requester's words live in `tickets.choices.REQUESTER_*_LABELS`.
Labels only: no column changes, so nothing to do on the database."""

from __future__ import annotations

from django.db import migrations, models

STATUS_CHOICES = [
    ("new", "Received"),
    ("awaiting_verification", "Waiting for proof of identity"),
    ("in_progress", "In progress"),
    ("awaiting_requester", "Waiting for the requester"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("withdrawn", "Withdrawn"),
    ("rejected", "Rejected"),
]
OUTCOME_CHOICES = [
    ("fulfilled", "Fulfilled"),
    ("partly_fulfilled", "Partly fulfilled"),
    ("refused", "Refused"),
    ("withdrawn", "Withdrawn by the requester"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0022_requester_follow_up"),
    ]

    operations = [
        migrations.AlterField(
            model_name=model_name,
            name="outcome",
            field=models.CharField(blank=True, choices=OUTCOME_CHOICES, max_length=20),
        )
        for model_name in ("ticket", "historicalticket")
    ] + [
        migrations.AlterField(
            model_name=model_name,
            name="status",
            field=models.CharField(choices=STATUS_CHOICES, default="new", editable=False, max_length=24),
        )
        for model_name in ("ticket", "historicalticket")
    ]
