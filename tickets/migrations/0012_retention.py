# Retention (tickets/services/retention.py): when a ticket's personal data was erased, and the
# partial index the nightly sweep reads (closed tickets not yet erased, by closing time).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0011_encrypted_personal_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalticket",
            name="personal_data_erased_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="ticket",
            name="personal_data_erased_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("personal_data_erased_at__isnull", True),
                                   ("status__in", ["closed", "rejected", "withdrawn"])),
                fields=["closed_at"], name="ticket_retention_due",
            ),
        ),
    ]
