"""Second-factor secrets encrypted, enrolment links, tokens bound to the password (issue 15).

The authenticator secrets and recovery codes move from django-otp's plain-text tables into the
desk's own devices, encrypted under DESK_DATA_KEYS (desk/models.py), and the plain rows are
deleted. Existing API tokens are bound to their owner's present password hash and authenticator,
so that they keep working until one of those changes (desk/tokens.py).
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import desk.models
import desk.fields


def move_second_factors(apps: Any, schema_editor: Any) -> None:
    from desk.tokens import password_stamp

    totp_devices = apps.get_model("otp_totp", "TOTPDevice")
    static_devices = apps.get_model("otp_static", "StaticDevice")
    static_tokens = apps.get_model("otp_static", "StaticToken")
    authenticators = apps.get_model("desk", "AuthenticatorDevice")
    recovery = apps.get_model("desk", "RecoveryCodeDevice")
    tokens = apps.get_model("desk", "ApiToken")
    fields = ["user_id", "name", "confirmed", "throttling_failure_timestamp", "throttling_failure_count",
              "created_at", "last_used_at", "key", "step", "t0", "digits", "tolerance", "drift", "last_t"]
    moved: dict[int, int] = {}
    for old in totp_devices.objects.order_by("pk"):
        # Saved through the model: the EncryptedTextField encrypts the key on the way in.
        new = authenticators.objects.create(**{name: getattr(old, name) for name in fields})
        if old.confirmed:
            moved[old.user_id] = new.pk
    for old in static_devices.objects.order_by("pk"):
        codes = " ".join(static_tokens.objects.filter(device_id=old.pk).order_by("pk")
                         .values_list("token", flat=True))
        recovery.objects.create(user_id=old.user_id, name=old.name, confirmed=old.confirmed, codes=codes,
                                throttling_failure_timestamp=old.throttling_failure_timestamp,
                                throttling_failure_count=old.throttling_failure_count,
                                created_at=old.created_at, last_used_at=old.last_used_at)
    # The plain-text copies go (the tokens cascade with their devices).
    static_devices.objects.all().delete()
    totp_devices.objects.all().delete()
    for token in tokens.objects.filter(revoked_at__isnull=True).select_related("user"):
        token.password_stamp = password_stamp(token.user.password)
        token.device_id = moved.get(token.user_id)
        token.save(update_fields=["password_stamp", "device"])


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0001_initial"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='password_stamp',
            field=models.CharField(default='', editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='historicalapitoken',
            name='password_stamp',
            field=models.CharField(default='', editable=False, max_length=64),
        ),
        migrations.CreateModel(
            name='AuthenticatorDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('key', desk.fields.EncryptedTextField(context='desk.authenticatordevice.key', default=desk.models.default_totp_key)),
                ('step', models.PositiveSmallIntegerField(default=30)),
                ('t0', models.BigIntegerField(default=0)),
                ('digits', models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)),
                ('tolerance', models.PositiveSmallIntegerField(default=1)),
                ('drift', models.SmallIntegerField(default=0)),
                ('last_t', models.BigIntegerField(default=-1)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'authenticator app',
                'verbose_name_plural': 'authenticator apps',
                'abstract': False,
            },
        ),
        migrations.AddField(
            model_name='apitoken',
            name='device',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='desk.authenticatordevice'),
        ),
        migrations.AddField(
            model_name='historicalapitoken',
            name='device',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='desk.authenticatordevice'),
        ),
        migrations.CreateModel(
            name='EnrolmentLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expires_at', models.DateTimeField()),
                ('used_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrolment_links', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'enrolment link',
                'verbose_name_plural': 'enrolment links',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalEnrolmentLink',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('digest', models.CharField(db_index=True, editable=False, max_length=64)),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('expires_at', models.DateTimeField()),
                ('used_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical enrolment link',
                'verbose_name_plural': 'historical enrolment links',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='RecoveryCodeDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('codes', desk.fields.EncryptedTextField(blank=True, context='desk.recoverycodedevice.codes', default='')),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'recovery codes',
                'verbose_name_plural': 'recovery codes',
                'abstract': False,
            },
        ),
            # Forward only: going back would write the secrets out in plain text again.
        migrations.RunPython(move_second_factors, migrations.RunPython.noop, elidable=False),
    ]
