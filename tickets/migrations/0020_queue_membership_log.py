"""Queue membership changes in the audit history, admin views in the access log, and no personal
data in the access log's details (issue 15: 13, 6 and 4).

The data step rewrites what the access log kept of list exports: the raw query string, which held
a searched email address as typed (and anything else a client added). Each becomes what
tickets.services.access writes now: the filters from their known vocabularies only, and a search as
the reference it names, else as "email search" with the address's keyed hash in `search_digest`
while a ticket not yet erased has that address (retention would have blanked it otherwise). There
is no way back: the reverse step leaves the rows as they are."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

REFERENCE = re.compile(r"PD-\d{4}-\d{6}", re.IGNORECASE)
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
NUMBER = re.compile(r"\d{1,9}")
LIST_PREFIX, DASHBOARD = "ticket list: ", re.compile(r"(dashboard [\w-]+: )(.*)", re.DOTALL)


def _vocabulary() -> dict[str, Any]:
    from tickets.choices import Kind, Regime
    from tickets.lifecycle import Status

    return {
        "status": {status.value for status in Status}, "kind": set(Kind.values), "regime": set(Regime.values),
        "assignee": re.compile(r"mine|unassigned|\d{1,9}"),
        "sort": {"due", "-due", "received", "-received", "priority"},
        "queue": NUMBER, "escalation": NUMBER, "due_within": NUMBER, "start": DAY, "end": DAY,
    }


def _allowed(value: str, allowed: Any) -> bool:
    if isinstance(allowed, re.Pattern):
        return bool(allowed.fullmatch(value))
    return value in allowed


def _rewrite(query: str, keys: tuple[str, ...]) -> tuple[str, list[str]]:
    """The detail's new filters, and the searched terms that were not references."""
    vocabulary = _vocabulary()
    parts, searched = [], []
    for name, values in parse_qs(query, keep_blank_values=True).items():
        if name == "q" and "q" in keys:
            terms = [value.strip() for value in values if value.strip()]
            searched += [term for term in terms if not REFERENCE.fullmatch(term)]
            shown = [term.upper() if REFERENCE.fullmatch(term) else "email search" for term in terms]
        elif name in keys:
            shown = [value for value in values if value and _allowed(value, vocabulary[name])]
        else:
            continue
        if shown:
            parts.append(f"{name}={','.join(shown)}")
    return " ".join(parts), searched


def rewrite_access_details(apps: Any, schema_editor: Any) -> None:
    from desk.crypto import email_digest

    AccessLog = apps.get_model("tickets", "AccessLog")
    Ticket = apps.get_model("tickets", "Ticket")

    def live_digest(term: str) -> str:
        """The address's keyed hash while a ticket not yet erased has it (retention would have
        blanked it otherwise), else nothing."""
        digest: str = email_digest(term)
        alive = Ticket.objects.filter(requester_email_digest=digest, personal_data_erased_at__isnull=True)
        return digest if alive.exists() else ""

    list_keys = ("status", "kind", "regime", "queue", "assignee", "escalation", "due_within", "q", "sort")
    dashboard_keys = ("start", "end", "queue", "kind", "regime")
    rows = AccessLog.objects.filter(action="export").only("pk", "detail").order_by("pk")
    for row in rows.iterator(chunk_size=2_000):
        if row.detail.startswith(LIST_PREFIX):
            filters, searched = _rewrite(row.detail[len(LIST_PREFIX):], list_keys)
            detail = LIST_PREFIX + filters
        elif (match := DASHBOARD.fullmatch(row.detail)) is not None:
            filters, searched = _rewrite(match.group(2), dashboard_keys)
            detail = match.group(1) + filters
        else:
            continue
        digest = live_digest(searched[0]) if searched else ""
        if detail != row.detail or digest:
            AccessLog.objects.filter(pk=row.pk).update(detail=detail[:500], search_digest=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0019_status_links_bound"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslog",
            name="action",
            field=models.CharField(choices=[
                ("view", "Viewed the ticket"), ("api_view", "Read the ticket through the API"),
                ("record", "Opened the compliance record"), ("download", "Downloaded a file"),
                ("export", "Exported a list"), ("admin", "Viewed in the admin")], max_length=10),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="search_digest",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddIndex(
            model_name="accesslog",
            index=models.Index(condition=~models.Q(search_digest=""), fields=["search_digest"],
                               name="access_search_digest"),
        ),
        migrations.CreateModel(
            name="QueueMembershipChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("at", models.DateTimeField(auto_now_add=True)),
                ("username", models.CharField(max_length=150)),
                ("role", models.CharField(choices=[("member", "Member"), ("manager", "Manager")],
                                          max_length=8)),
                ("added", models.BooleanField()),
                ("actor_username", models.CharField(max_length=150)),
                ("reason", models.CharField(max_length=500)),
                ("actor", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                            related_name="+", to=settings.AUTH_USER_MODEL)),
                ("queue", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="membership_changes", to="tickets.queue")),
                ("user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                           related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "ordering": ["-at", "-id"],
                "indexes": [models.Index(fields=["queue", "at"], name="queue_membership_change_at")],
            },
        ),
        migrations.RunPython(rewrite_access_details, migrations.RunPython.noop),
    ]
