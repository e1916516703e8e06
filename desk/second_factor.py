"""The second factor: an authenticator app (TOTP, RFC 6238) and single-use recovery codes (django-otp).

A member of staff enrols through a one-time link an administrator issues (desk/enrolment.py): the
link, then the password, then the desk makes a secret, shows it as a QR code and as text, and
confirms it with one code from the app; then it gives ten recovery codes, shown once. Every later
sign-in asks for a code. A code is accepted once (django-otp keeps the last time step used), wrong
codes slow down (throttling) and count towards the lockout of the sign-in (axes).

The secrets and the recovery codes are encrypted at rest under DESK_DATA_KEYS (desk/models.py).
"""

from __future__ import annotations

import time
from base64 import b32encode
from os import urandom
from typing import Any

import segno
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.oath import TOTP

from desk.models import AuthenticatorDevice, EnrolmentLink, RecoveryCodeDevice

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"


def has_second_factor(user: Any) -> bool:
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def totp_enrolment_device(*, user: Any) -> AuthenticatorDevice:
    """The not yet confirmed authenticator of this user, made on first use (one per user)."""
    with transaction.atomic():
        device = AuthenticatorDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            device = AuthenticatorDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def totp_enrol_confirm(*, user: Any, code: str, link_id: int | None = None) -> AuthenticatorDevice | None:
    """Confirm the pending authenticator with a code from it; None if the code is wrong, or if the
    enrolment link this enrolment rests on was used, replaced or expired meanwhile. The link is
    spent in the same transaction as the confirmation: it sets up one authenticator, once."""
    with transaction.atomic():
        link = None
        if link_id is not None:
            link = EnrolmentLink.objects.select_for_update().filter(pk=link_id, user=user).first()
            if link is None or not link.is_live:
                return None
        device = AuthenticatorDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token(code):
            return None
        # One authenticator per person: enrolling again replaces the one before (and ends the API
        # tokens made under it: desk/apps.py).
        for old in AuthenticatorDevice.objects.filter(user=user, confirmed=True):
            old.delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        if link is not None:
            link.used_at = timezone.now()
            link._history_user = user  # type: ignore[attr-defined]  # simple-history's documented hook
            link._change_reason = "used to set up the second factor"  # type: ignore[attr-defined]
            link.save(update_fields=["used_at"])
    return device


def _random_code() -> str:
    # 40 random bits in base32, as django-otp's static tokens: typed by hand, throttled, locked out.
    return b32encode(urandom(5)).decode().lower()


def recovery_codes_issue(*, user: Any) -> list[str]:
    """Ten fresh single-use codes; the earlier ones stop working."""
    codes = [_random_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCodeDevice.objects.filter(user=user).delete()
        RecoveryCodeDevice.objects.create(user=user, name=RECOVERY, confirmed=True, codes=" ".join(codes))
    return codes


def recovery_codes_left(*, user: Any) -> int:
    device = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    return len(device.remaining) if device is not None else 0


def second_factor_verify(*, user: Any, code: str) -> Device | None:
    """The device that accepts this code: six digits for the app, otherwise a recovery code."""
    code = "".join(code.split()).lower()
    wanted: type[Device] = AuthenticatorDevice if code.isdigit() and len(code) == 6 else RecoveryCodeDevice
    with transaction.atomic():
        for device in wanted.objects.filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


def current_code(device: AuthenticatorDevice) -> str:
    """The code the device's app shows now (tests, and `manage.py totp_code` for a first try)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def qr_svg(device: AuthenticatorDevice, *, title: str) -> str:
    """The enrolment QR code as inline SVG markup: drawn by the desk, nothing loaded from elsewhere."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title=title, omitsize=False)


def secret_text(device: AuthenticatorDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
