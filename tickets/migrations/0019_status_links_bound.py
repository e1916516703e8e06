"""Status links exchanged once, bound to the browser (issue 15)."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0018_audit_evidence")]

    # Links already sent have neither: the first browser to exchange one after this keeps it.
    operations = [
        migrations.AddField(
            model_name="statuslink",
            name="browser_digest",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="statuslink",
            name="exchanged_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
