"""The outbox encrypted like the ticket (desk/fields.py): the columns become text, then every
existing row is encrypted under the head key. Run twice, it encrypts nothing twice; reversed, it
decrypts."""

from django.db import migrations

import desk.fields
from tickets import encryption


def _columns(apps):
    return encryption.encrypted_columns(apps.get_app_config("notifications").get_models())


def encrypt_existing(apps, schema_editor):
    encryption.encrypt_columns(schema_editor.connection, _columns(apps))


def decrypt_existing(apps, schema_editor):
    encryption.decrypt_columns(schema_editor.connection, _columns(apps))


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_escalations_notifications'),
    ]

    operations = [
        migrations.AlterField(
            model_name='outbox',
            name='body_html',
            field=desk.fields.EncryptedTextField(blank=True, context='notifications.outbox.body_html'),
        ),
        migrations.AlterField(
            model_name='outbox',
            name='body_text',
            field=desk.fields.EncryptedTextField(context='notifications.outbox.body_text'),
        ),
        migrations.AlterField(
            model_name='outbox',
            name='last_error',
            field=desk.fields.EncryptedTextField(blank=True, context='notifications.outbox.last_error'),
        ),
        migrations.AlterField(
            model_name='outbox',
            name='recipient',
            field=desk.fields.EncryptedTextField(context='notifications.outbox.recipient', max_length=254),
        ),
        migrations.AlterField(
            model_name='outbox',
            name='subject',
            field=desk.fields.EncryptedTextField(context='notifications.outbox.subject', max_length=255),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
