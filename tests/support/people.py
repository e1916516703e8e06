"""Staff personas and tickets made through the services, for the tickets suites."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

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
    user = User.objects.create_user(username, f"{username}@example.org", "a-long-test-password",
                                    is_staff=True)
    for slug in member_of:
        Queue.objects.get(slug=slug).members.add(user)
    for slug in manager_of:
        Queue.objects.get(slug=slug).managers.add(user)
    return user


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def csv_rows(response: Any) -> list[list[str]]:
    """The rows of a streamed CSV download (UTF-8 with a byte-order mark)."""
    import csv
    import io

    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
