"""Encryption at rest of the requester's personal data (desk/crypto.py, desk/fields.py).

The columns become text (a ciphertext is longer than its plaintext); then every existing value,
history rows included, is encrypted under the head key, the email's blind index is filled, the
attachments' files are encrypted in place and their plain SHA-256 replaced by the keyed one.
Run twice, it encrypts nothing twice. Reversed, it decrypts (the keyed file digests stay).
"""

from django.conf import settings
from django.db import migrations, models

import desk.fields
from desk import crypto
from tickets import encryption

_ATTACHMENT_TABLES = ("Attachment", "HistoricalAttachment")


def _columns(apps):
    return encryption.encrypted_columns(apps.get_app_config("tickets").get_models())


def _digest_columns(apps):
    return [encryption.Column(f"tickets.{name}.sha256", model._meta.db_table, model._meta.pk.column,
                              "sha256", "")
            for name in _ATTACHMENT_TABLES for model in [apps.get_model("tickets", name)]]


def _file_names(apps, schema_editor):
    table = apps.get_model("tickets", "Attachment")._meta.db_table
    return encryption.stored_file_names(schema_editor.connection, table)


def encrypt_existing(apps, schema_editor):
    connection = schema_editor.connection
    columns = _columns(apps)
    encryption.encrypt_columns(connection, columns)
    for column in columns:
        if column.name == "requester_email":
            encryption.fill_email_digests(connection, column)
    for column in _digest_columns(apps):
        encryption.rewrite_column(connection, column, lambda value, _context: crypto.keyed_sha256(value))
    encryption.rewrite_files(_file_names(apps, schema_editor), encryption.encrypt_plain_file)


def decrypt_existing(apps, schema_editor):
    connection = schema_editor.connection
    encryption.decrypt_columns(connection, _columns(apps))
    encryption.rewrite_files(_file_names(apps, schema_editor), encryption.decrypt_file)


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0010_access_log'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='ticket',
            name='ticket_requester_email',
        ),
        migrations.AddField(
            model_name='historicalticket',
            name='requester_email_digest',
            field=desk.fields.EmailDigestField(blank=True, editable=False, max_length=64, source='requester_email'),
        ),
        migrations.AddField(
            model_name='ticket',
            name='requester_email_digest',
            field=desk.fields.EmailDigestField(blank=True, editable=False, max_length=64, source='requester_email'),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='original_name',
            field=desk.fields.EncryptedTextField(context='tickets.attachment.original_name', max_length=255),
        ),
        migrations.AlterField(
            model_name='clockpause',
            name='reason',
            field=desk.fields.EncryptedTextField(context='tickets.clockpause.reason'),
        ),
        migrations.AlterField(
            model_name='extension',
            name='reason',
            field=desk.fields.EncryptedTextField(context='tickets.extension.reason'),
        ),
        migrations.AlterField(
            model_name='historicalattachment',
            name='original_name',
            field=desk.fields.EncryptedTextField(context='tickets.attachment.original_name', max_length=255),
        ),
        migrations.AlterField(
            model_name='historicalclockpause',
            name='reason',
            field=desk.fields.EncryptedTextField(context='tickets.clockpause.reason'),
        ),
        migrations.AlterField(
            model_name='historicalextension',
            name='reason',
            field=desk.fields.EncryptedTextField(context='tickets.extension.reason'),
        ),
        migrations.AlterField(
            model_name='historicalmessage',
            name='body',
            field=desk.fields.EncryptedTextField(context='tickets.message.body'),
        ),
        migrations.AlterField(
            model_name='historicalsatisfaction',
            name='comment',
            field=desk.fields.EncryptedTextField(blank=True, context='tickets.satisfaction.comment'),
        ),
        migrations.AlterField(
            model_name='historicalticket',
            name='description',
            field=desk.fields.EncryptedTextField(context='tickets.ticket.description'),
        ),
        migrations.AlterField(
            model_name='historicalticket',
            name='requester_email',
            field=desk.fields.EncryptedTextField(context='tickets.ticket.requester_email', max_length=254),
        ),
        migrations.AlterField(
            model_name='historicalticket',
            name='requester_name',
            field=desk.fields.EncryptedTextField(context='tickets.ticket.requester_name', max_length=200),
        ),
        migrations.AlterField(
            model_name='message',
            name='body',
            field=desk.fields.EncryptedTextField(context='tickets.message.body'),
        ),
        migrations.AlterField(
            model_name='satisfaction',
            name='comment',
            field=desk.fields.EncryptedTextField(blank=True, context='tickets.satisfaction.comment'),
        ),
        migrations.AlterField(
            model_name='ticket',
            name='description',
            field=desk.fields.EncryptedTextField(context='tickets.ticket.description'),
        ),
        migrations.AlterField(
            model_name='ticket',
            name='requester_email',
            field=desk.fields.EncryptedTextField(context='tickets.ticket.requester_email', max_length=254),
        ),
        migrations.AlterField(
            model_name='ticket',
            name='requester_name',
            field=desk.fields.EncryptedTextField(context='tickets.ticket.requester_name', max_length=200),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['requester_email_digest'], name='ticket_requester_email_digest'),
        ),
    ]
