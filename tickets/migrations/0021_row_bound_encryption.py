"""Encrypted values bound to their row: the row's identity in the associated data (issue 15).

Messages and pauses get `row_uuid`, the identity their encrypted text is bound to
(desk/fields.py); the other models have such a column already. A row that exists now gets a
value derived from its id (a name-based UUID), the same in its history rows, so that no join
between a table and its history is needed; new rows draw a random one. The values themselves
stay as they are, bound to their column (v1, still read): `manage.py rotate_keys` binds them to
their rows in batches, online, and `verify_encryption` counts what is left. Reversed, every value
bound to its row is rewritten bound to its column again, which the code before this reads.
"""

import uuid

from django.db import migrations, models

import desk.fields
from tickets import encryption

_BATCH = 1_000
_TABLES = (("Message", "HistoricalMessage"), ("ClockPause", "HistoricalClockPause"))


def _existing_row_uuid(label, pk):
    return uuid.uuid5(uuid.NAMESPACE_URL, f"privacy-desk:{label}:{pk}").hex


def fill_row_uuids(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for live, historical in _TABLES:
        for name in (live, historical):
            table = quote(apps.get_model("tickets", name)._meta.db_table)
            last = 0
            while True:
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT DISTINCT {quote('id')} FROM {table} WHERE {quote('id')} > %s "  # noqa: S608 - the models' own names
                                   f"ORDER BY {quote('id')} LIMIT %s", [last, _BATCH])
                    ids = [pk for (pk,) in cursor.fetchall()]
                    if not ids:
                        break
                    update = f"UPDATE {table} SET {quote('row_uuid')} = %s WHERE {quote('id')} = %s"  # noqa: S608 - as above
                    cursor.executemany(update, [(_existing_row_uuid(live, pk), pk) for pk in ids])
                last = ids[-1]


def bind_to_columns(apps, schema_editor):
    for column in encryption.encrypted_columns(apps.get_models()):
        if column.row:
            encryption.rewrite_column(schema_editor.connection, column, encryption.to_column_bound)


def _row_uuid(default):
    return models.CharField(default=default, editable=False, max_length=32)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0020_queue_membership_log")]

    operations = [
        *(migrations.AddField(model_name=name.lower(), name="row_uuid", field=_row_uuid(""),
                              preserve_default=False)
          for pair in _TABLES for name in pair),
        migrations.RunPython(fill_row_uuids, bind_to_columns, elidable=False),
        *(migrations.AlterField(model_name=name.lower(), name="row_uuid",
                                field=_row_uuid(desk.fields.new_row_uuid))
          for pair in _TABLES for name in pair),
    ]
