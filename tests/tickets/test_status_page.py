"""The status page behind the emailed link: the secret is exchanged for a short session and
leaves the address bar at once (ASVS 14.2.1); a wrong or expired link is a plain 404."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from notifications.models import Outbox
from tests.conftest import valid_request
from tickets.models import Attachment, Message, StatusLink, Ticket
from tickets.services import stamp

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def status_path_from_email() -> str:
    outbox = Outbox.objects.get(event="acknowledgement")
    match = re.search(r"https?://[^/]+(/status/open/[A-Za-z0-9_-]+/)", outbox.body_text)
    assert match is not None, outbox.body_text
    return match.group(1)


@pytest.fixture
def filed() -> tuple[Ticket, str]:
    """A ticket filed by one browser; returns it and the path of its emailed status link."""
    Client().post("/", valid_request(description="Please show me my data."))
    return Ticket.objects.get(), status_path_from_email()


def test_the_emailed_link_opens_the_status_page_without_the_secret_in_the_address(
    filed: tuple[Ticket, str],
) -> None:
    ticket, path = filed
    client = Client()

    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 303
    assert response["Location"] == "/status/"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    page = client.get("/status/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert ticket.reference in html
    assert "Please show me my data." in html
    assert "Received" in html  # the status, in words
    assert path.split("/")[-2] not in html  # the secret is nowhere on the page


def test_the_status_token_is_stored_only_as_a_digest(filed: tuple[Ticket, str]) -> None:
    ticket, path = filed
    token = path.split("/")[-2]

    assert len(token) >= 43  # 256 random bits
    digests = list(ticket.status_links.values_list("digest", flat=True))
    assert len(digests) == 1
    assert token not in digests[0]
    assert not StatusLink.objects.filter(digest=token).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/status/open/not-a-real-token-but-long-enough-to-be-looked-up/",
        "/status/open/short/",
        "/status/open/" + "A" * 43 + "/",
    ],
)
def test_a_wrong_link_is_a_plain_404(filed: tuple[Ticket, str], path: str) -> None:
    client = Client()

    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert client.get("/status/").status_code == 404


def test_a_case_changed_token_is_refused(filed: tuple[Ticket, str]) -> None:
    _, path = filed
    token = path.split("/")[-2]
    changed = token.swapcase()
    if changed == token:  # pragma: no cover - a token of digits and symbols only
        pytest.skip("token has no letters")

    assert Client().get(f"/status/open/{changed}/").status_code == 404


def test_the_status_page_without_a_grant_is_a_404() -> None:
    assert Client().get("/status/").status_code == 404


def test_the_grant_expires(filed: tuple[Ticket, str], settings: Any) -> None:
    _, path = filed
    client = Client()
    client.get(path)
    later = timezone.now() + datetime.timedelta(seconds=settings.DESK_STATUS_SESSION_SECONDS + 1)

    with time_machine.travel(later):
        assert client.get("/status/").status_code == 404


def test_the_requester_adds_a_message_and_a_file(filed: tuple[Ticket, str], private_media: Path) -> None:
    ticket, path = filed
    client = Client()
    client.get(path)

    response = client.post("/status/", {
        "body": "Here is my ID.",
        "attachment": SimpleUploadedFile("id.pdf", PDF, content_type="application/pdf"),
    })

    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.ticket_id, message.kind, message.body) == (ticket.pk, "requester", "Here is my ID.")
    history = message.history.get()
    assert history.history_user is None
    assert history.history_change_reason == "message from the requester on the status page"
    attachment = Attachment.objects.get()
    assert attachment.message_id == message.pk
    assert (private_media / attachment.stored_name).exists()
    page = client.get("/status/?sent=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Here is my ID." in page
    assert "id.pdf" in page
    assert "Thank you. Your message was added" in page


@pytest.mark.parametrize(
    "data",
    [
        {"body": ""},
        {"body": "x" * 10_001},
        {"body": "ok", "attachment": SimpleUploadedFile("a.pdf", b"<html>", "application/pdf")},
        {"body": "ok", "status": "closed"},
    ],
)
def test_a_bad_message_is_refused_and_nothing_is_saved(
    filed: tuple[Ticket, str], private_media: Path, data: dict[str, Any]
) -> None:
    ticket, path = filed
    client = Client()
    client.get(path)
    files_before = sorted(private_media.iterdir()) if private_media.exists() else []

    response = client.post("/status/", data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert Message.objects.count() == 0
    assert Message.history.count() == 0
    assert (sorted(private_media.iterdir()) if private_media.exists() else []) == files_before
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_internal_notes_never_reach_the_status_page(filed: tuple[Ticket, str]) -> None:
    ticket, path = filed
    note = Message(ticket=ticket, kind="internal_note", body="SECRET-INTERNAL-NOTE")
    stamp(note, actor=None, reason="test")
    note.save()
    reply = Message(ticket=ticket, kind="reply", body="We are on it.")
    stamp(reply, actor=None, reason="test")
    reply.save()
    client = Client()
    client.get(path)

    html = client.get("/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "We are on it." in html
    assert "SECRET-INTERNAL-NOTE" not in html


def test_one_browser_sees_only_the_ticket_of_its_own_link() -> None:
    Client().post("/", valid_request(email="first@example.org", description="FIRST"))
    first_path = status_path_from_email()
    Outbox.objects.all().delete()
    Client().post("/", valid_request(email="second@example.org", description="SECOND"))
    second_path = status_path_from_email()
    client = Client()

    client.get(first_path)
    assert "FIRST" in client.get("/status/").content.decode()
    client.get(second_path)
    html = client.get("/status/").content.decode()
    assert "SECOND" in html
    assert "FIRST" not in html


def test_the_status_page_shows_the_due_date() -> None:
    client = Client()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        client.post("/", valid_request())
        html = client.get("/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    ticket = Ticket.objects.get()
    assert ticket.due_date == datetime.date(2026, 4, 2)  # GDPR: one month, Thu 2 Apr 2026
    assert "April 2, 2026" in html


@pytest.mark.parametrize(
    "payload",
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ settings.SECRET_KEY }}"],
)
def test_script_in_a_message_or_a_file_name_is_stored_verbatim_and_shown_escaped(
    filed: tuple[Ticket, str], payload: str
) -> None:
    _, path = filed
    client = Client()
    client.get(path)

    client.post("/status/", {
        "body": f"note {payload}",
        "attachment": SimpleUploadedFile(f"{payload}.pdf", PDF, content_type="application/pdf"),
    })

    assert Message.objects.get().body == f"note {payload}"
    html = client.get("/status/").content.decode()
    if "<" in payload:
        assert payload not in html
    else:
        assert f"note {payload}" in html
    assert "development-only-secret-key" not in html
