"""Indexes that cost every write and serve no query: a foreign key's own index where a composite
index starts with the same column, and the LIKE-prefix twins of unique text columns (issue 8: the
escalation sweep's writes). Reversing leaves the LIKE indexes dropped; nothing needs them."""

import django.db.models.deletion
from django.db import migrations, models

from desk.schema import drop_pattern_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0015_sweep_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='escalation',
            name='ticket',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='escalations', to='tickets.ticket'),
        ),
        migrations.AlterField(
            model_name='ticket',
            name='queue',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='tickets.queue'),
        ),
        migrations.RunPython(drop_pattern_indexes(("tickets_ticket", "tickets_historicalticket")), migrations.RunPython.noop),
    ]
