"""Temporary failures retried for a period, publishes leased, no usable link stored (issue 15).

The data step takes the status links out of the emails already in the outbox: each stored link
(`<base>/status/open/<secret>/`, the one format written before this migration) becomes the
placeholder that delivery fills in. A link of an email not yet sent is also removed from
`tickets_statuslink`, since nobody holds it (its delivery makes a fresh one); a link of an email
sent keeps working for the requester who has it, and is no longer readable from the outbox."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.db import migrations, models

# notifications.services.STATUS_URL, as of this migration (a migration does not import the app).
STATUS_URL = "[status-link]"
STORED_LINK = re.compile(r"https?://[^\s\"'<>]+/status/open/([A-Za-z0-9_-]{20,})/")


def redact_stored_links(apps: Any, schema_editor: Any) -> None:
    Outbox = apps.get_model("notifications", "Outbox")
    StatusLink = apps.get_model("tickets", "StatusLink")
    for row in Outbox.objects.filter(ticket__isnull=False, status_link=False).iterator(chunk_size=500):
        secrets = set(STORED_LINK.findall(row.body_text)) | set(STORED_LINK.findall(row.body_html))
        if not secrets:
            continue
        row.body_text = STORED_LINK.sub(STATUS_URL, row.body_text)
        row.body_html = STORED_LINK.sub(STATUS_URL, row.body_html)
        row.status_link = True
        row.save(update_fields=["body_text", "body_html", "status_link"])
        if row.state in ("pending", "sending"):
            digests = [hashlib.sha256(secret.encode()).hexdigest() for secret in secrets]
            StatusLink.objects.filter(ticket_id=row.ticket_id, digest__in=digests).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_fewer_indexes"), ("tickets", "0004_status_links")]

    operations = [
        migrations.AddField(
            model_name="outbox",
            name="first_failure_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outbox",
            name="interrupted",
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="outbox",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outbox",
            name="status_link",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="outbox",
            name="status_link_digest",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.AddIndex(
            model_name="outbox",
            index=models.Index(condition=models.Q(("state", "failed")), fields=["id"], name="outbox_failed"),
        ),
        migrations.RunPython(redact_stored_links, migrations.RunPython.noop, elidable=True),
    ]
