"""The change reasons of ticket history become encrypted text of any length.

They quote what staff typed ("extended: <why>", "rejected: <why>"), which was cut at simple-
history's 100 characters (PostgreSQL refused a longer one) and stood in plaintext beside the
encrypted fields it talks about. The columns become text; existing reasons are encrypted.
"""

from django.db import migrations

import desk.fields
from tickets import encryption


def _reason_columns(apps):
    return [column for column in encryption.encrypted_columns(apps.get_app_config("tickets").get_models())
            if column.name == "history_change_reason"]


def encrypt_existing(apps, schema_editor):
    encryption.encrypt_columns(schema_editor.connection, _reason_columns(apps))


def decrypt_existing(apps, schema_editor):
    encryption.decrypt_columns(schema_editor.connection, _reason_columns(apps))


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0012_retention'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalattachment',
            name='history_change_reason',
            field=desk.fields.EncryptedTextField(context='tickets.historicalattachment.history_change_reason', null=True),
        ),
        migrations.AlterField(
            model_name='historicalclockpause',
            name='history_change_reason',
            field=desk.fields.EncryptedTextField(context='tickets.historicalclockpause.history_change_reason', null=True),
        ),
        migrations.AlterField(
            model_name='historicalextension',
            name='history_change_reason',
            field=desk.fields.EncryptedTextField(context='tickets.historicalextension.history_change_reason', null=True),
        ),
        migrations.AlterField(
            model_name='historicalmessage',
            name='history_change_reason',
            field=desk.fields.EncryptedTextField(context='tickets.historicalmessage.history_change_reason', null=True),
        ),
        migrations.AlterField(
            model_name='historicalsatisfaction',
            name='history_change_reason',
            field=desk.fields.EncryptedTextField(context='tickets.historicalsatisfaction.history_change_reason', null=True),
        ),
        migrations.AlterField(
            model_name='historicalticket',
            name='history_change_reason',
            field=desk.fields.EncryptedTextField(context='tickets.historicalticket.history_change_reason', null=True),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
