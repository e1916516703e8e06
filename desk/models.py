"""The desk's own records about staff access: API tokens, the second factor (django-otp devices
whose secrets are encrypted at rest) and the one-time links that let a person set it up."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from simple_history.models import HistoricalRecords

from desk.fields import EncryptedTextField


class ApiToken(models.Model):
    """A bearer token for an API client. Only the SHA-256 of the secret is kept: the secret is shown
    once, when it is made (ASVS 7.2, E5). A token reads, or reads and acts, for its owner only, within
    the owner's queues; it ends at `expires_at`, when revoked, or when the owner is deactivated."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and act on tickets")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the secret, so its owner can tell tokens apart; too few to guess from.
    hint = models.CharField(max_length=12, editable=False)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A keyed hash of the owner's password hash when the token was made: a changed password ends
    # the token at its next use, whichever way the password was changed (desk/tokens.py).
    password_stamp = models.CharField(max_length=64, editable=False, default="")
    # The authenticator the owner had when the token was made: removing it ends the token.
    device = models.ForeignKey("desk.AuthenticatorDevice", null=True, blank=True, editable=False,
                               on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


def default_totp_key() -> str:
    """20 random bytes in hex, as django-otp makes them (RFC 4226 recommends 160 bits)."""
    return random_hex(20)


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """A member of staff's authenticator app (TOTP, RFC 6238): django-otp's TOTPDevice with its secret
    encrypted at rest under DESK_DATA_KEYS (issue 15, hole 10), so a database dump or backup without
    the data keys cannot mint codes. The plain key exists only in memory, where django-otp's TOTP
    arithmetic (borrowed below, unchanged) reads it; `rotate_keys` moves the column to the head key
    like every other EncryptedTextField."""

    key = EncryptedTextField(default=default_totp_key)
    # Annotated by hand: the base classes come from django-otp, which has no types.
    step: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(default=30)
    t0: models.BigIntegerField[int, int] = models.BigIntegerField(default=0)
    digits: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        choices=[(6, 6), (8, 8)], default=6)
    tolerance: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(default=1)
    drift: models.SmallIntegerField[int, int] = models.SmallIntegerField(default=0)
    # The time step of the last accepted code: a code is accepted once (no replay).
    last_t: models.BigIntegerField[int, int] = models.BigIntegerField(default=-1)

    # django-otp's own verification, QR payload and throttling: the same code path as TOTPDevice,
    # reading `self.key` (decrypted by the field) instead of a plain column.
    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A member of staff's single-use recovery codes, all in one encrypted value (space-separated):
    they are checked, never shown again, and at most ten, so one row locked while a code is
    consumed keeps two sign-ins from spending the same code."""

    codes = EncryptedTextField(blank=True, default="")

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    @property
    def remaining(self) -> list[str]:
        return self.codes.split()

    def verify_token(self, token: str) -> bool:
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        with transaction.atomic():
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            codes = locked.remaining
            match = next((code for code in codes if constant_time_compare(code, token)), None)
            if match is None:
                locked.throttle_increment(commit=True)
                return False
            codes.remove(match)
            locked.codes = " ".join(codes)
            locked.throttle_reset(commit=False)
            locked.set_last_used_timestamp(commit=False)
            locked.save()
        self.refresh_from_db()
        return True


class EnrolmentLink(models.Model):
    """A one-time link an administrator issues so that a member of staff can set up their second
    factor (issue 15, hole 12): the password alone never enrols. Only the SHA-256 of its 256-bit
    secret is kept; it works until `expires_at`, once, and a newer link for the same person ends it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="enrolment_links")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("enrolment link")
        verbose_name_plural = _("enrolment links")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()
