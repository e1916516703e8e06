"""Indexes that cost every write and serve no query: a foreign key's own index where a composite
index starts with the same column, and the LIKE-prefix twins of unique text columns (issue 8: the
escalation sweep's writes). Reversing leaves the LIKE indexes dropped; nothing needs them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from desk.schema import drop_pattern_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0003_encrypted_outbox'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='user',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='desk_notifications', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(drop_pattern_indexes(("notifications_outbox", "notifications_notification")), migrations.RunPython.noop),
    ]
