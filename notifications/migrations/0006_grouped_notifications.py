"""The in-app list grouped per event and day, in its reader's language (issue 16, item 18): the
list reads a user's notifications of the last days through an index of its own, and `text` (the
email's subject in the staff language) is no longer what anyone reads, so it may be empty."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_delivery_retries")]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="text",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["user", "created_at"], name="notification_recent"),
        ),
    ]
