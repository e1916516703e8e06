"""The second factor: an authenticator app (TOTP, RFC 6238) and single-use recovery codes (django-otp).

A member of staff enrols at their first sign-in: the desk makes a secret, shows it as a QR code and
as text, and confirms it with one code from the app; then it gives ten recovery codes, shown once.
Every later sign-in asks for a code. A code is accepted once (django-otp keeps the last time step
used), wrong codes slow down (throttling) and count towards the lockout of the sign-in (axes).
"""

from __future__ import annotations

import time
from typing import Any

import segno
from django.db import transaction
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"


def has_second_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_enrolment_device(*, user: Any) -> TOTPDevice:
    """The not yet confirmed authenticator of this user, made on first use (one per user)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def totp_enrol_confirm(*, user: Any, code: str) -> TOTPDevice | None:
    """Confirm the pending authenticator with a code from it; None if the code is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token(code):
            return None
        # One authenticator per person: enrolling again replaces the one before.
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def recovery_codes_issue(*, user: Any) -> list[str]:
    """Ten fresh single-use codes; the earlier ones stop working."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(*, user: Any) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def second_factor_verify(*, user: Any, code: str) -> Device | None:
    """The device that accepts this code: six digits for the app, otherwise a recovery code."""
    code = "".join(code.split()).lower()
    wanted = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, wanted) and device.verify_token(code):
                return device
    return None


def current_code(device: TOTPDevice) -> str:
    """The code the device's app shows now (tests, and `manage.py totp_code` for a first try)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def qr_svg(device: TOTPDevice, *, title: str) -> str:
    """The enrolment QR code as inline SVG markup: drawn by the desk, nothing loaded from elsewhere."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title=title, omitsize=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
