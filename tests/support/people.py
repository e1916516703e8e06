"""Staff personas and tickets made through the services, for the tickets suites."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from rest_framework.test import APIClient

from desk.models import AuthenticatorDevice
from desk.second_factor import current_code
from tickets import services
from tickets.models import Queue, Ticket

User = get_user_model()


def make_ticket(kind: str = "access", country: str = "FI", region: str = "", **extra: Any) -> Ticket:
    return services.ticket_create(
        kind=kind, country=country, region=region, name="Riku Requester",
        email="riku@example.org", description="Please.", language="en", attachment=None,
        submission_key=None, received_at=extra.pop("received_at", timezone.now()), actor=None,
        reason="test", acknowledge=False,
    ).ticket


def staff(username: str, *, member_of: tuple[str, ...] = (), manager_of: tuple[str, ...] = ()) -> Any:
    """A member of staff with an authenticator app set up (the second factor every sign-in asks)."""
    user = User.objects.create_user(username, f"{username}@example.org", "a-long-test-password",
                                    is_staff=True)
    with_authenticator(user)
    for slug in member_of:
        Queue.objects.get(slug=slug).members.add(user)
    for slug in manager_of:
        Queue.objects.get(slug=slug).managers.add(user)
    return user


def with_authenticator(user: Any) -> Any:
    """The user has set up an authenticator app (tests read its codes with `totp_code`)."""
    AuthenticatorDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


def sign_in_fully(client: Client, user: Any) -> Client:
    """Signed in with the password and past the second factor, as at the end of the real flow."""
    client.force_login(user)
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = AuthenticatorDevice.objects.create(user=user, name="authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def client_for(user: Any, **client_options: Any) -> Client:
    client = Client(**client_options)
    if user is not None:
        sign_in_fully(client, user)
    return client


def totp_code(user: Any) -> str:
    """The code the user's authenticator app shows now, as a phone would."""
    return current_code(AuthenticatorDevice.objects.get(user=user, confirmed=True))


def csv_rows(response: Any) -> list[list[str]]:
    """The rows of a streamed CSV download (UTF-8 with a byte-order mark)."""
    import csv
    import io

    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def bearer(secret: str) -> APIClient:
    """An API client that sends an API token, as a script would."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client
