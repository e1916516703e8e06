"""A requester's message on a request that has ended (closed, withdrawn, rejected) opens a follow-up
request linked to it (issue 16, item 7): `Ticket.follow_up_of`, and its copy in the history.
A nullable column without a default: no table rewrite, no row touched."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0021_row_bound_encryption")]

    operations = [
        migrations.AddField(
            model_name="historicalticket",
            name="follow_up_of",
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to="tickets.ticket"),
        ),
        migrations.AddField(
            model_name="ticket",
            name="follow_up_of",
            field=models.ForeignKey(blank=True, editable=False, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL, related_name="follow_ups",
                                    to="tickets.ticket"),
        ),
    ]
