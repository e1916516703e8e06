"""The development profile's email (issue 16, item 16): each message the outbox delivers is kept as
a file under var/mail/, and /dev/mail/ lists them, newest first, with their text and a status
link one can follow. On the console they buried `make run`'s sign-ins. Production has neither:
the setting is refused there and the page is not routed; with the backend off the page is a 404."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from desk.dev_mail import SHOWN, FileMailBackend, delivered_mail
from notifications import services as outbox
from notifications.models import Outbox
from tests.desk.test_settings import PRODUCTION
from tickets import services

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def mail_folder(settings: Any, tmp_path: Path) -> Path:
    settings.DESK_DEV_MAIL = True
    settings.DESK_DEV_MAIL_DIR = tmp_path / "mail"
    settings.EMAIL_BACKEND = "desk.dev_mail.FileMailBackend"
    return tmp_path / "mail"


def send(subject: str, body: str, to: str = "maija@example.org") -> None:
    mail.EmailMessage(subject, body, "Privacy Desk <privacy@example.org>", [to],
                      connection=FileMailBackend()).send()


def test_each_message_is_a_file_of_its_own_read_back_as_sent(mail_folder: Path) -> None:
    send("Pyyntösi on vastaanotettu", "Hei Maija,\n\nviitteesi on PD-2026-000001.")
    send("Second", "Another body.", to="other@example.org")

    files = sorted(mail_folder.glob("*.eml"))
    assert len(files) == 2
    assert not list(mail_folder.glob(".*"))  # written under a temporary name, then renamed
    messages, total = delivered_mail(mail_folder)
    assert total == 2
    # Newest first.
    assert [message.subject for message in messages] == ["Second", "Pyyntösi on vastaanotettu"]
    assert messages[1].recipient == "maija@example.org"
    assert messages[1].text.strip() == "Hei Maija,\n\nviitteesi on PD-2026-000001."
    assert messages[1].sent_at is not None


@pytest.mark.django_db
def test_an_email_the_outbox_delivers_is_on_the_page_with_its_status_link_to_follow(
        mail_folder: Path, settings: Any) -> None:
    settings.DESK_PUBLIC_BASE_URL = "http://127.0.0.1:8001"
    ticket = services.ticket_create(
        kind="access", country="FI", region="", name="Maija Mehiläinen", email="maija@example.org",
        description="Haluan nähdä tietoni.", language="fi", attachment=None, submission_key=None,
        received_at=timezone.now(), actor=None, reason="test", acknowledge=True,
    ).ticket
    row = Outbox.objects.get(ticket=ticket)
    assert outbox.outbox_deliver(outbox_id=row.pk) == "sent"

    page = Client(headers={"accept-language": "fi"}).get("/dev/mail/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Lähetetyt sähköpostit" in html  # the page speaks the reader's language
    assert row.subject in html and "maija@example.org" in html and ticket.reference in html
    link = re.search(r'<a href="(http://127\.0\.0\.1:8001/status/link/#[A-Za-z0-9_-]+)"', html)
    assert link is not None, "the status link is not a link to follow"
    assert "no-store" in page["Cache-Control"]


@pytest.mark.django_db
def test_the_page_reads_the_folder_only_and_escapes_what_it_shows(
        mail_folder: Path, django_assert_num_queries: Any) -> None:
    send("<script>alert(1)</script>", "<img src=x onerror=alert(1)> https://example.org/a?b=<c>")
    with django_assert_num_queries(0):  # the files only: no database
        one = Client().get("/dev/mail/").content.decode()
    for number in range(24):
        send(f"Message {number}", "Text.")
    with django_assert_num_queries(0):
        many = Client().get("/dev/mail/").content.decode()

    assert "<script>alert" not in one and "&lt;script&gt;alert(1)&lt;/script&gt;" in one
    assert "<img" not in one
    assert many.count('class="dev-mail__entry"') == 25


def test_a_long_history_shows_the_newest_and_says_how_many_there_are(
        mail_folder: Path, settings: Any) -> None:
    for number in range(SHOWN + 3):
        send(f"Message {number}", "Text.")

    messages, total = delivered_mail(mail_folder)
    assert total == SHOWN + 3 and len(messages) == SHOWN
    assert messages[0].subject == f"Message {SHOWN + 2}"
    html = Client(headers={"accept-language": "en"}).get("/dev/mail/").content.decode()
    assert f"Only the newest {SHOWN} of {SHOWN + 3} are shown." in html


def test_an_empty_folder_says_so(mail_folder: Path) -> None:
    html = Client(headers={"accept-language": "sv"}).get("/dev/mail/").content.decode()

    assert 'id="dev-mail-empty"' in html and "Inga e-postmeddelanden ännu" in html


def test_with_the_console_or_smtp_backend_the_page_is_not_there(settings: Any, tmp_path: Path) -> None:
    settings.DESK_DEV_MAIL = False
    settings.DESK_DEV_MAIL_DIR = tmp_path

    assert Client().get("/dev/mail/").status_code == 404


def run_settings(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("DESK_", "DATABASE_URL", "CELERY_"))}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120, check=False)


RESOLVE = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desk.settings")
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve
try:
    resolve("/dev/mail/")
    print("routed", settings.EMAIL_BACKEND)
except Resolver404:
    print("not routed", settings.EMAIL_BACKEND)
"""


def test_the_development_profile_keeps_mail_in_files_by_default_and_routes_the_page() -> None:
    result = run_settings(RESOLVE, {})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["routed", "desk.dev_mail.FileMailBackend"]


def test_the_production_profile_has_no_page_and_refuses_the_files_backend() -> None:
    routed = run_settings(RESOLVE, PRODUCTION)
    refused = run_settings(RESOLVE, {**PRODUCTION, "DESK_EMAIL_BACKEND": "files"})

    assert routed.returncode == 0, routed.stderr
    assert routed.stdout.split() == ["not", "routed", "django.core.mail.backends.smtp.EmailBackend"]
    assert refused.returncode != 0
    assert "DESK_EMAIL_BACKEND=files is for the development profile only" in refused.stderr


def test_the_console_backend_can_still_be_chosen_and_then_there_is_no_page() -> None:
    result = run_settings(RESOLVE, {"DESK_EMAIL_BACKEND": "console"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["not", "routed", "django.core.mail.backends.console.EmailBackend"]
